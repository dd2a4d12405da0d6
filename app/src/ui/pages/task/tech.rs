//! The Tech view's islands. The server renders the task (its summary, results, defects, record,
//! documents, messages and timeline); what a technician acts with comes alive in the phone: the
//! on-site buttons, the result forms, the defect form, "I've performed this work", and
//! [`TaskRefresh`]. Each sends on its own and, once the server has it, loads the page again, so
//! what the page shows is always the server's record. The islands client links these and
//! nothing that only renders the task.

use super::actions::TaskActions;
use super::perform::{PerformDraft, PerformedForm, UseSavedSignature};
use crate::domain::records::ServiceTaskEntry;
use crate::domain::signature::Drawing;
use crate::domain::task_status::TaskAction;
use crate::ui::live::Live;
use crate::ui::pages::service_work::{ReportDefect, ServiceTasks};
use crate::ui::refresh::browser;
use leptos::prelude::*;

/// The status changes a technician makes on site.
#[island]
pub fn TechActions(task_id: i64, actions: Vec<TaskAction>) -> impl IntoView {
    let sent = reload_after_send(|| ());
    view! { <TaskActions task_id actions sent/> }
}

/// The service tasks with their result forms.
#[island]
pub fn TechServiceTasks(entries: Vec<ServiceTaskEntry>, can_record: bool) -> impl IntoView {
    let sent = reload_after_send(|| ());
    view! { <ServiceTasks entries can_record sent/> }
}

/// "Report a defect", with its photos' upload progress.
#[island]
pub fn TechReportDefect(task_id: i64, service_tasks: Vec<ServiceTaskEntry>) -> impl IntoView {
    let sent = reload_after_send(|| ());
    view! { <ReportDefect task_id service_tasks sent/> }
}

/// "I've performed this work". What is typed and drawn is kept in the tab (session storage)
/// until it is sent, so the page loading again (after a result is saved, or a colleague's
/// change) does not lose it. `saved` is a Desk user's saved signature, offered, never placed.
#[island]
pub fn TechPerform(task_id: i64, signer: String, saved: Option<Drawing>) -> impl IntoView {
    let draft = PerformDraft::kept(task_id);
    let sent = reload_after_send(move || PerformDraft::discard(task_id));
    let mine = draft.mine();
    view! {
        <PerformedForm task_id sent signer draft>
            {saved.map(|drawing| view! { <UseSavedSignature drawing mine/> })}
        </PerformedForm>
    }
}

/// Keeps the page the server's record: a change to the task or a new message, made by anyone,
/// loads the page again; when something is typed on it that a reload would lose, it says so and
/// lets the technician choose when.
#[island]
pub fn TaskRefresh(task_id: i64) -> impl IntoView {
    let live = Live::here();
    let task = Live::for_task(live.task, move || task_id);
    let message = Live::for_task(live.message, move || task_id);
    let stale = RwSignal::new(false);
    Effect::new(move |first_run: Option<()>| {
        // Read, not only tracked: a memo computes (and follows its own sources) when read.
        let _ = (task.get(), message.get());
        if first_run.is_some() {
            if browser::typed() {
                stale.set(true);
            } else {
                browser::reload();
            }
        }
    });
    browser::watch_page();
    view! {
        <Show when=move || stale.get()>
            <p class="task-changed" role="status">
                "This task has changed. "
                <button type="button" class="link-button" on:click=|_| browser::reload()>
                    "Show the changes"
                </button>
                " (what you have typed in the forms below is not kept)"
            </p>
        </Show>
    }
}

/// A signal the island's forms bump once the server has what they sent: then `before` runs and
/// the page loads again.
fn reload_after_send(before: impl Fn() + 'static) -> RwSignal<u64> {
    let sent = RwSignal::new(0u64);
    Effect::new(move |_| {
        if sent.get() > 0 {
            before();
            browser::reload();
        }
    });
    sent
}
