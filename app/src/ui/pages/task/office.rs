//! What only the contractor's office and the agency do on a task: accept or reject it, assign
//! technicians, complete it with the reports, archive it, add the client's documents. Never
//! named by the Tech view's island, so none of it is in the islands client.

use crate::api::tasks::{AcceptTask as AcceptAction, ActOnTask, ArchiveTask};
use crate::api::team::{AssignTechnicians as AssignAction, TakeTechnicianOff};
use crate::domain::dates::DateFormat;
use crate::domain::records::{AssignedTechnician, AssignmentRequest, TechnicianChoice};
use crate::domain::task_status::TaskAction;
use crate::domain::task_work::DocumentKind;
use crate::ui::assign::TechnicianPicker;
use crate::ui::forms::{action_error, reload_on_success, FieldError, FormError};
use crate::ui::send_form::{sending_form, SendProgress};
use crate::ui::session::confirm;
use leptos::prelude::*;

/// Accepting, with the planned date and technicians to start from (already set on the task by
/// an earlier acceptance, or the Desk's scheduling).
#[component]
pub fn AcceptTask(
    task_id: i64,
    sent: RwSignal<u64>,
    choices: Vec<TechnicianChoice>,
    planned: Option<chrono::NaiveDate>,
    assigned: Vec<i64>,
) -> impl IntoView {
    let accept = ServerAction::<AcceptAction>::new();
    reload_on_success(accept, sent);
    let error = action_error(accept);
    let planned_text = planned
        .map(|d| DateFormat::YearMonthDay.format(d))
        .unwrap_or_default();
    let planned = RwSignal::new(planned_text.clone());
    let picked = RwSignal::new(assigned);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let date = planned.get_untracked();
        accept.dispatch(AcceptAction {
            task_id,
            planned_date: (!date.is_empty()).then_some(date),
            technician_ids: picked.get_untracked(),
        });
    };
    view! {
        <form class="stacked-form" aria-label="Accept the task" on:submit=submit>
            <label for="planned-date">"Planned date (optional)"</label>
            <input id="planned-date" type="date" name="planned_date" value=planned_text
                on:input=move |ev| planned.set(event_target_value(&ev))/>
            <FieldError id="planned-date-error" field="planned_date" error/>
            <TechnicianPicker choices selected=picked legend="Technicians (optional)" tasks=1/>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" disabled=move || accept.pending().get()>"Accept"</button>
            </div>
        </form>
    }
}

/// Rejecting ends the office's part in the task: a control of its own, with its own reason,
/// styled as destructive and confirmed.
#[component]
pub fn RejectTask(task_id: i64, sent: RwSignal<u64>) -> impl IntoView {
    let act = ServerAction::<ActOnTask>::new();
    reload_on_success(act, sent);
    let error = action_error(act);
    let reason = RwSignal::new(String::new());
    let run = move |_| {
        if !confirm("Reject this task? The agency is told, with your reason.") {
            return;
        }
        let given = reason.get_untracked();
        act.dispatch(ActOnTask {
            task_id,
            action: TaskAction::Reject,
            reason: (!given.trim().is_empty()).then_some(given),
        });
    };
    view! {
        <details class="reject">
            <summary>"Reject this task…"</summary>
            <label for="reject-reason">"Why you cannot take it (the agency reads this)"</label>
            <textarea id="reject-reason" rows="2" prop:value=move || reason.get()
                aria-describedby="reject-reason-error"
                on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <FieldError id="reject-reason-error" field="reason" error/>
            <FormError error/>
            <div class="form-actions">
                <button type="button" class="danger" disabled=move || act.pending().get()
                    on:click=run>"Reject task"</button>
            </div>
        </details>
    }
}

/// The office adds technicians to a task it has accepted, or takes one off it (to give it to
/// someone else; confirmed, since the task leaves their phone).
#[component]
pub fn AssignTechnicians(
    task_id: i64,
    choices: Vec<TechnicianChoice>,
    assigned: Vec<AssignedTechnician>,
    sent: RwSignal<u64>,
) -> impl IntoView {
    let assign = ServerAction::<AssignAction>::new();
    reload_on_success(assign, sent);
    let error = action_error(assign);
    let take_off = ServerAction::<TakeTechnicianOff>::new();
    reload_on_success(take_off, sent);
    let take_off_error = action_error(take_off);
    let picked = RwSignal::new(Vec::<i64>::new());
    let choices: Vec<TechnicianChoice> = choices
        .into_iter()
        .filter(|c| !assigned.iter().any(|a| a.id == c.id))
        .collect();
    let on_task = (!assigned.is_empty()).then(|| {
        let rows = assigned
            .into_iter()
            .map(|a| {
                let (technician_id, name) = (a.id, a.name);
                let label = format!("Take off {name}");
                let shown = name.clone();
                let run = move |_| {
                    if confirm(&format!(
                        "Take {name} off this task? It leaves their phone, and what they send for it from now on is refused."
                    )) {
                        take_off.dispatch(TakeTechnicianOff { task_id, technician_id });
                    }
                };
                view! {
                    <li>
                        {shown} " "
                        <button type="button" class="link-button" aria-label=label
                            disabled=move || take_off.pending().get() on:click=run>"Take off"</button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <p>"On this task:"</p>
            <ul class="on-task">{rows}</ul>
            <FormError error=take_off_error/>
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        assign.dispatch(AssignAction {
            request: AssignmentRequest {
                task_ids: vec![task_id],
                technician_ids: picked.get_untracked(),
                ..AssignmentRequest::default()
            },
        });
    };
    view! {
        <section class="panel" aria-labelledby="assign-heading">
            <h2 id="assign-heading">"Assign technicians"</h2>
            {on_task}
            {if choices.is_empty() {
                view! { <p class="hint">"Every active technician is on this task. Add more on the " <a href="/desk/team">"Team"</a> " page."</p> }.into_any()
            } else {
                view! {
                    <form class="stacked-form" on:submit=submit>
                        <TechnicianPicker choices selected=picked legend="Technicians to add" tasks=1/>
                        <FieldError id="assign-error" field="technicians" error/>
                        <FormError error/>
                        <div class="form-actions">
                            <button type="submit" disabled=move || assign.pending().get() || picked.with(Vec::is_empty)>
                                "Assign"
                            </button>
                        </div>
                    </form>
                }.into_any()
            }}
        </section>
    }
}

/// "Complete task": the actual on-site date and the reports, invoices and quotes, in one go.
#[component]
pub fn CompleteTask(
    task_id: i64,
    sent: RwSignal<u64>,
    /// Service tasks with no result: the agency would receive the task without them.
    unrecorded: Vec<String>,
) -> impl IntoView {
    let action = format!("/files/tasks/{task_id}/complete");
    let (state, error, send) = sending_form(action.clone(), sent);
    let question = match unrecorded.len() {
        0 => None,
        1 => Some(format!(
            "The service task {} has no result recorded. Complete the task anyway?",
            unrecorded[0]
        )),
        n => Some(format!(
            "{n} service tasks have no result recorded. Complete the task anyway?"
        )),
    };
    let warning = (!unrecorded.is_empty()).then(|| {
        view! {
            <div class="warning" role="note" data-testid="unrecorded-service-tasks">
                <p><strong>"No result recorded yet for:"</strong></p>
                <ul>{unrecorded.iter().map(|name| view! { <li>{name.clone()}</li> }).collect_view()}</ul>
                <p>"Record them under Service tasks above, or complete anyway if they were not done."</p>
            </div>
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(question) = &question {
            if !confirm(question) {
                ev.prevent_default();
                return;
            }
        }
        send(ev);
    };
    let file_input = |kind: DocumentKind| {
        let id = format!("complete-{}", kind.as_str());
        let plural = match kind {
            DocumentKind::Report => "Reports",
            DocumentKind::Invoice => "Invoices",
            _ => "Quotes",
        };
        view! {
            <label for=id.clone()>{plural}</label>
            <input id=id.clone() type="file" name=kind.as_str() multiple
                accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic"/>
            <FieldError id=format!("{id}-error") field=kind.as_str() error/>
        }
    };
    view! {
        <section class="panel" aria-labelledby="complete-heading">
            <h2 id="complete-heading">"Complete task"</h2>
            <p class="hint">"Upload your reports, invoices and quotes (PDF, JPEG, PNG or HEIC, up to 10 MB each), give the date you were on site, and the task goes to the agency as Performed."</p>
            {warning}
            <form class="stacked-form" method="post" action=action enctype="multipart/form-data"
                on:submit=on_submit aria-label="Complete task">
                <label for="on-site-date">"Actual on-site date"</label>
                <input id="on-site-date" type="date" name="on_site_date" required/>
                <FieldError id="on-site-date-error" field="on_site_date" error/>
                {file_input(DocumentKind::Report)}
                {file_input(DocumentKind::Invoice)}
                {file_input(DocumentKind::Quote)}
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" disabled=move || state.get().busy()>
                        {move || if state.get().busy() { "Sending…" } else { "Complete task" }}
                    </button>
                    <SendProgress state/>
                </div>
            </form>
        </section>
    }
}

/// Archiving: the task stays readable to everyone, and nothing on it changes any more.
#[component]
pub fn Archive(task_id: i64, sent: RwSignal<u64>) -> impl IntoView {
    let archive = ServerAction::<ArchiveTask>::new();
    reload_on_success(archive, sent);
    let error = action_error(archive);
    let run = move |_| {
        if confirm("Archive this task? It stays readable, but nothing on it can change any more.") {
            archive.dispatch(ArchiveTask { task_id });
        }
    };
    view! {
        <section class="panel" aria-labelledby="archive-heading">
            <h2 id="archive-heading">"Archive"</h2>
            <p class="hint">"Nothing more is to happen on this task."</p>
            <FormError error/>
            <div class="form-actions">
                <button type="button" class="secondary" disabled=move || archive.pending().get()
                    on:click=run>"Archive task"</button>
            </div>
        </section>
    }
}

/// The agency adds a document for the contractor (plans, access notes, previous reports).
#[component]
pub fn AddClientDocument(task_id: i64, sent: RwSignal<u64>) -> impl IntoView {
    let action = format!("/files/tasks/{task_id}/documents");
    let (state, error, on_submit) = sending_form(action.clone(), sent);
    view! {
        <form class="upload-form" method="post" action=action enctype="multipart/form-data"
            on:submit=on_submit aria-label="Add a client document">
            <label for="client-document">"Add a document for the contractor"</label>
            <input id="client-document" type="file" name="file" required
                accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic"/>
            <FieldError id="client-document-error" field="file" error/>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" disabled=move || state.get().busy()>"Add document"</button>
                <SendProgress state/>
            </div>
        </form>
    }
}
