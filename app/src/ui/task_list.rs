//! A list of tasks as cards: reference, title, address, status and dates in the agency's format.

use crate::api::ApiError;
use crate::domain::dates::DateFormat;
use crate::domain::records::TaskSummary;
use crate::ui::session::{date_format, use_viewer};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn TaskList(
    tasks: Resource<Result<Vec<TaskSummary>, ApiError>>,
    #[prop(into)] empty: String,
    /// Where a task opens: `/desk/tasks` or `/tech/tasks`.
    link_base: &'static str,
) -> impl IntoView {
    let viewer = use_viewer();
    let content = move || {
        let empty = empty.clone();
        Suspend::new(async move {
            let format = date_format(viewer).await;
            match tasks.await {
                Ok(list) if list.is_empty() => {
                    view! { <div class="empty-state"><p>{empty}</p></div> }.into_any()
                }
                Ok(list) => view! {
                    <ul class="task-list">
                        {list.into_iter().map(|t| task_card(t, format, link_base)).collect_view()}
                    </ul>
                }
                .into_any(),
                Err(e) => {
                    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Suspense fallback=|| view! { <p role="status">"Loading tasks…"</p> }>{content}</Suspense>
    }
}

fn task_card(task: TaskSummary, format: DateFormat, link_base: &'static str) -> impl IntoView {
    let date = move |label: &'static str, d: Option<chrono::NaiveDate>| {
        d.map(|d| view! { <span class="task-date">{label} " " {format.format(d)}</span> })
    };
    view! {
        <li class="task-card card" data-reference=task.reference.clone()>
            <div class="task-head">
                <span class="task-ref">{task.reference.clone()}</span>
                <span class=format!("task-status status-{}", task.status.as_str())>{task.status.label()}</span>
            </div>
            <h2 class="task-title">
                <A href=format!("{link_base}/{}", task.id)>{task.title.clone()}</A>
            </h2>
            <p class="task-address">{task.address.clone()}</p>
            <p class="task-dates">
                {date("Due", task.due_date)}
                {date("Scheduled", task.scheduled_date)}
                {task.archived.then_some(view! { <span class="task-archived">"Archived"</span> })}
            </p>
        </li>
    }
}
