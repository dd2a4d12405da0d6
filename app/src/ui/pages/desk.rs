use crate::api::tasks::desk_tasks;
use crate::ui::task_list::TaskList;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TaskDashboard() -> impl IntoView {
    let tasks = Resource::new(|| (), |_| desk_tasks());
    view! {
        <Title text="Desk view"/>
        <h1>"Tasks"</h1>
        <TaskList tasks empty="No tasks from the agency yet. New work appears here when it is assigned to you."/>
    }
}
