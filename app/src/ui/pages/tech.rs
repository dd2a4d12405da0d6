use crate::api::tasks::technician_tasks;
use crate::domain::records::{TaskSummary, TechTasks};
use crate::ui::forms::LoadError;
use crate::ui::render_once::before_the_view;
use crate::ui::resource::resource;
use crate::ui::session::{date_format, use_viewer};
use crate::ui::task_card::task_card;
use leptos::prelude::*;
use leptos_meta::Title;

/// The Tech view's home: today's visits first, then late work, then what is coming; finished
/// work apart at the end.
#[component]
pub fn MyTasks() -> impl IntoView {
    let tasks = resource(|| (), |_| technician_tasks());
    let viewer = use_viewer();
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            let tasks = tasks.await;
            before_the_view().await;
            match tasks {
                Ok(list) if list.all().next().is_none() => view! {
                    <div class="empty-state">
                        <p>"No open tasks are assigned to you. Your office assigns them."</p>
                    </div>
                }
                .into_any(),
                Ok(TechTasks {
                    today,
                    overdue,
                    upcoming,
                    finished,
                }) => {
                    let section = move |id: &'static str,
                                        heading: &'static str,
                                        tasks: Vec<TaskSummary>| {
                        (!tasks.is_empty()).then(|| {
                            let count = tasks.len();
                            view! {
                                <section class="tech-section" aria-labelledby=id>
                                    <h2 id=id>{heading} " " <span class="count">{count}</span></h2>
                                    <ul class="task-list">
                                        {tasks.into_iter().map(|t| task_card(t, format, "/tech/tasks", true)).collect_view()}
                                    </ul>
                                </section>
                            }
                        })
                    };
                    let nothing_today = today.is_empty().then(|| {
                        view! { <p class="hint">"Nothing is booked for today."</p> }
                    });
                    view! {
                        {nothing_today}
                        {section("tech-today", "Today", today)}
                        {section("tech-overdue", "Overdue", overdue)}
                        {section("tech-upcoming", "Coming up", upcoming)}
                        {section("tech-finished", "Finished, waiting for the office", finished)}
                    }
                    .into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="My tasks"/>
        <h1>"My tasks"</h1>
        // Filled by the page's script once the phone has saved the tasks for use without signal;
        // rendered here, its space kept, so the cards do not move under a thumb when it fills.
        <p class="offline-saved hint" role="status"></p>
        <Suspense fallback=|| view! { <p role="status">"Loading tasks…"</p> }>{content}</Suspense>
    }
}
