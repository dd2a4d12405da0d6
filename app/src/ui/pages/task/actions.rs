//! The task's status changes the viewer may make now, one button each, with the reason those
//! that need one ask for.

use crate::api::tasks::ActOnTask;
use crate::domain::task_status::TaskAction;
use crate::ui::forms::{FieldError, FormError};
use crate::ui::send_form::sending_form;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// A form whose buttons each send their action, so it works before the page's client is live
/// (the browser posts it, and is sent back to the page).
#[component]
pub fn TaskActions(task_id: i64, actions: Vec<TaskAction>, sent: RwSignal<u64>) -> impl IntoView {
    let (state, error, on_submit) = sending_form(ActOnTask::url().to_string(), sent);
    let asks_reason = actions.iter().any(|a| a.needs_reason());
    let label = reason_label(&actions);
    let buttons = actions
        .into_iter()
        .map(|action| {
            view! {
                <button type="submit" name="action" value=format!("{action:?}")
                    class=if action.needs_reason() { "secondary" } else { "" }
                    disabled=move || state.get().busy()>
                    {action.label()}
                </button>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=ActOnTask::url() on:submit=on_submit aria-label="Task actions">
            <input type="hidden" name="task_id" value=task_id/>
            {asks_reason.then(|| view! {
                <label for="task-reason">{label}</label>
                <textarea id="task-reason" name="reason" rows="2"></textarea>
                <FieldError id="task-reason-error" field="reason" error/>
            })}
            <FormError error/>
            <div class="form-actions">{buttons}</div>
        </form>
    }
}

/// What a reason field asks for, naming only the actions the person has.
fn reason_label(actions: &[TaskAction]) -> String {
    let asks: Vec<&str> = actions
        .iter()
        .filter_map(|a| match a {
            TaskAction::RevisitRequired => Some("ask for a revisit"),
            TaskAction::SendBack => Some("send it back"),
            TaskAction::Reopen => Some("reopen the signed record; the signatures are withdrawn"),
            _ => None,
        })
        .collect();
    format!("Reason (to {})", asks.join(" or "))
}
