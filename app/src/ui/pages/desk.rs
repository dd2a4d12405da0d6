//! `/desk`: the contractor office's task dashboard.

use crate::ui::task_board::TaskBoard;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TaskDashboard() -> impl IntoView {
    view! {
        <Title text="Desk view"/>
        <h1>"Tasks"</h1>
        <TaskBoard base="/desk" link_base="/desk/tasks"
            empty="No tasks from the agency yet. New work appears here when it is assigned to you."/>
    }
}
