use crate::api::tasks::technician_tasks;
use crate::ui::task_list::TaskList;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyTasks() -> impl IntoView {
    let tasks = Resource::new(|| (), |_| technician_tasks());
    view! {
        <Title text="My tasks"/>
        <h1>"My tasks"</h1>
        <TaskList tasks link_base="/tech/tasks" empty="No open tasks are assigned to you. Your office assigns them."/>
    }
}
