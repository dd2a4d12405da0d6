//! One task, for the Desk view (`/desk/tasks/:id`), the Tech view (`/tech/tasks/:id`) and the
//! agency (`/agent/tasks/:id`): its summary at the top, the actions the viewer may take now (the
//! server decides which), the documents, the messages with the other side, and the timeline.

use crate::api::preferences::load_preferences;
use crate::api::reports::WithdrawReportCode;
use crate::api::tasks::PerformWork;
use crate::api::tasks::{
    load_task, load_task_messages, AcceptTask, ActOnTask, ArchiveTask, SendTaskMessage,
};
use crate::api::team::AssignTechnicians as AssignAction;
use crate::domain::dates::DateFormat;
use crate::domain::identity::UserKind;
use crate::domain::records::AssignmentRequest;
use crate::domain::records::{AssignedTechnician, TaskDetail, TaskDocumentEntry, TechnicianChoice};
use crate::domain::records::{PerformForm, ReportVersionEntry, SignatureEntry, Viewer};
use crate::domain::signature::Drawing;
use crate::domain::task_status::TaskAction;
use crate::domain::task_work::DocumentKind;
use crate::domain::tech_day::{maps_url, tel_url};
use crate::ui::assign::TechnicianPicker;
use crate::ui::forms::{action_error, reload_on_success, FieldError, FormError};
use crate::ui::live::Live;
use crate::ui::pages::service_work::{Defects, ServiceTasks};
use crate::ui::send_form::{files_form, SendProgress};
use crate::ui::session::{confirm, use_id_param, use_viewer};
use crate::ui::signature_pad::SignaturePad;
use leptos::prelude::*;
use leptos_meta::Title;

/// The page around the task. What the page does lives in one island, [`TaskIsland`], so the
/// Tech view (served in islands mode) ships the task's own code and nothing of the other pages.
#[component]
pub fn TaskPage() -> impl IntoView {
    let id = use_id_param();
    let viewer = use_viewer();
    // The office may open a task as its technicians do, to do the work itself: the Tech view then
    // offers only the work on site, and the office's own controls stay in the Desk view.
    let in_tech_view = leptos_router::hooks::use_location()
        .pathname
        .get_untracked()
        .starts_with("/tech/");
    // Keyed by the id: moving from one task to another in the Desk view starts a new island.
    let island = move || {
        let id = id();
        Suspend::new(async move {
            let me = viewer.await.ok().flatten();
            view! { <TaskIsland id me in_tech_view/> }
        })
    };
    view! {
        <Title text="Task"/>
        <Suspense fallback=|| view! { <p role="status">"Loading the task…"</p> }>{island}</Suspense>
    }
}

/// The task and its messages, read again when this page sends something or a live change for
/// the task arrives. Everything it needs comes in its props or from the server: no context of the
/// page reaches an island in the browser.
#[island]
fn TaskIsland(id: i64, me: Option<Viewer>, in_tech_view: bool) -> impl IntoView {
    let live = Live::here();
    // Bumped after an upload or completion sent by this page.
    let sent = RwSignal::new(0u64);
    let changed = Live::for_task(live.task, move || id);
    let task = Resource::new(move || (sent.get(), changed.get()), move |_| load_task(id));
    let draft = PerformDraft::new();
    let format = me.as_ref().map(|v| v.date_format).unwrap_or_default();
    let content = move || {
        let me = me.clone();
        Suspend::new(async move {
            match task.await {
                Ok(t) => view! { <TaskView t format sent me draft in_tech_view/> }.into_any(),
                Err(e) => {
                    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                }
            }
        })
    };
    // The chat is between the agency and the contractor's office; technicians read it.
    view! {
        <Transition fallback=|| view! { <p role="status">"Loading the task…"</p> }>{content}</Transition>
        <Messages task_id=id live may_write=!in_tech_view/>
    }
}

#[component]
fn TaskView(
    t: TaskDetail,
    format: DateFormat,
    sent: RwSignal<u64>,
    me: Option<Viewer>,
    draft: PerformDraft,
    in_tech_view: bool,
) -> impl IntoView {
    let task_id = t.summary.id;
    let s = t.summary;
    let date = move |d: Option<chrono::NaiveDate>| {
        d.map(|d| format.format(d)).unwrap_or_else(|| "—".into())
    };
    let desk_user = me.as_ref().is_some_and(|v| v.kind == UserKind::Contractor);
    let office_on_site = desk_user && in_tech_view;
    let actions: Vec<TaskAction> = t
        .actions
        .iter()
        .copied()
        .filter(|a| !office_on_site || a.done_on_site())
        .collect();
    let can_accept = actions.contains(&TaskAction::Accept);
    let can_complete = actions.contains(&TaskAction::Complete);
    let can_perform = actions.contains(&TaskAction::PerformedOnSite);
    let others: Vec<TaskAction> = actions
        .iter()
        .copied()
        .filter(|a| {
            !matches!(
                a,
                TaskAction::Accept | TaskAction::Complete | TaskAction::PerformedOnSite
            )
        })
        .collect();
    let signer = me.as_ref().map(|v| v.name.clone()).unwrap_or_default();
    let other_view = desk_user.then(|| {
        if in_tech_view {
            view! {
                <p class="view-switch"><a href=format!("/desk/tasks/{task_id}")>"Open in the Desk view"</a>
                    " " <span class="hint">"to accept, schedule, assign or complete"</span></p>
            }
        } else {
            view! {
                <p class="view-switch"><a href=format!("/tech/tasks/{task_id}")>"Open in the Tech view"</a>
                    " " <span class="hint">"to do the work on site yourself"</span></p>
            }
        }
    });
    let can_withdraw = me.as_ref().is_some_and(|v| {
        v.kind == UserKind::Agent
            && v.permissions
                .allows(crate::domain::identity::Permission::InstructWork)
    });
    let unrecorded: Vec<String> = t
        .service_tasks
        .iter()
        .filter(|e| e.recorded.is_none())
        .map(|e| e.name.clone())
        .collect();
    let (client_documents, own_documents): (Vec<_>, Vec<_>) = t
        .documents
        .into_iter()
        .partition(|d| d.kind == DocumentKind::Client);
    view! {
        <p class="task-ref">{s.reference.clone()}</p>
        <h1>{s.title.clone()}</h1>
        {other_view}
        <p>
            <span class=format!("task-status status-{}", s.status.as_str()) data-testid="task-status">
                {s.status.label()}
            </span>
            {s.archived.then_some(" · Archived")}
        </p>
        <section class="panel task-summary" aria-labelledby="summary-heading">
            <h2 id="summary-heading" class="visually-hidden">"Summary"</h2>
            <dl>
                <dt>"Property"</dt>
                <dd>
                    {s.address.clone()}
                    <span class="inline-links">
                        <a href=maps_url(&s.address) target="_blank" rel="noopener">"Directions"</a>
                        {s.contact_phone.clone().map(|phone| view! {
                            <a href=tel_url(&phone) aria-label=format!("Call {phone}, the contact on site")>
                                "Call " {phone.clone()}
                            </a>
                        })}
                    </span>
                </dd>
                <dt>"Due"</dt><dd>{date(s.due_date)}</dd>
                <dt>"Scheduled"</dt><dd data-testid="scheduled-date">{date(s.scheduled_date)}</dd>
                {t.on_site_date.map(|d| view! { <dt>"On site"</dt><dd>{format.format(d)}</dd> })}
                <dt>"Purchase order"</dt><dd>{t.purchase_order.unwrap_or_else(|| "—".into())}</dd>
                <dt>"Access"</dt><dd>{t.access_details.unwrap_or_else(|| "—".into())}</dd>
                {t.contractor.map(|c| view! { <dt>"Contractor"</dt><dd>{c}</dd> })}
                {t.work_kind.map(|k| view! { <dt>"Kind of work"</dt><dd>{k}</dd> })}
                {(!t.required_types.is_empty()).then(|| view! {
                    <dt>"Technicians must hold"</dt><dd>{t.required_types.join(", ")}</dd>
                })}
                <dt>"Technicians"</dt>
                <dd data-testid="task-technicians">{technicians_text(&t.technicians)}</dd>
            </dl>
            {t.description.map(|d| view! { <p>{d}</p> })}
        </section>
        {(!t.compliance_on_the_day.is_empty()).then(|| view! {
            <div class="blocked" role="alert" data-testid="compliance-on-the-day">
                <p><strong>"Certificates not in order for this work"</strong>
                    " (today, or on the day of the work: the scheduled date, else the due date):"</p>
                <ul>{t.compliance_on_the_day.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
        {(can_accept || !others.is_empty()).then(|| view! {
            <Actions task_id can_accept others sent choices=t.technician_choices.clone()
                planned=s.scheduled_date assigned=t.technicians.iter().map(|a| a.id).collect()/>
        })}
        {(t.can_assign && !can_accept && !office_on_site).then(|| view! {
            <AssignTechnicians task_id choices=t.technician_choices assigned=t.technicians.iter().map(|a| a.id).collect() sent/>
        })}
        <ServiceTasks entries=t.service_tasks.clone() can_record=t.can_record_work sent/>
        <Defects task_id defects=t.defects service_tasks=t.service_tasks can_record=t.can_record_work sent/>
        {can_perform.then(|| view! { <PerformedForm task_id sent signer desk_user draft/> })}
        {(!t.signatures.is_empty()).then(|| view! {
            <PerformedOnSite notes=t.performed_notes signatures=t.signatures/>
        })}
        {can_complete.then(|| view! { <CompleteTask task_id sent unrecorded/> })}
        {t.can_archive.then(|| view! { <Archive task_id sent/> })}
        <section class="panel" aria-labelledby="client-docs-heading">
            <h2 id="client-docs-heading">"Documents provided by client"</h2>
            <DocumentList documents=client_documents empty="No documents from the client."/>
            {t.can_add_client_documents.then(|| view! { <AddClientDocument task_id sent/> })}
        </section>
        {(!own_documents.is_empty() || t.report_available).then(|| view! {
            <section class="panel" aria-labelledby="own-docs-heading">
                <h2 id="own-docs-heading">"Reports, invoices and quotes"</h2>
                {t.report_available.then(|| view! {
                    <p>
                        <a href=format!("/files/tasks/{task_id}/report") download="">"Service report (PDF)"</a>
                        " " <span class="hint">"the version issued for the record as it is now"</span>
                    </p>
                    <ReportVersions task_id versions=t.report_versions.clone() sent can_withdraw/>
                })}
                <DocumentList documents=own_documents empty=""/>
            </section>
        })}
        <section class="panel" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <Timeline entries=t.timeline/>
        </section>
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

#[component]
fn Actions(
    task_id: i64,
    can_accept: bool,
    others: Vec<TaskAction>,
    sent: RwSignal<u64>,
    choices: Vec<TechnicianChoice>,
    /// Already set on the task (by an earlier acceptance, or the Desk's scheduling): the accept
    /// form starts from them.
    planned: Option<chrono::NaiveDate>,
    assigned: Vec<i64>,
) -> impl IntoView {
    let act = ServerAction::<ActOnTask>::new();
    let accept = ServerAction::<AcceptTask>::new();
    reload_on_success(act, sent);
    reload_on_success(accept, sent);
    let act_error = action_error(act);
    let accept_error = action_error(accept);
    let reason = RwSignal::new(String::new());
    let reject_reason = RwSignal::new(String::new());
    let can_reject = others.contains(&TaskAction::Reject);
    let others: Vec<TaskAction> = others
        .into_iter()
        .filter(|a| *a != TaskAction::Reject)
        .collect();
    let asks_reason = others.iter().any(|a| a.needs_reason());
    let label = reason_label(&others);
    let busy = move || act.pending().get() || accept.pending().get();
    let buttons = others
        .into_iter()
        .map(|action| {
            let run = move |_| {
                let given = reason.get_untracked();
                act.dispatch(ActOnTask {
                    task_id,
                    action,
                    reason: (!given.trim().is_empty()).then_some(given),
                });
            };
            view! {
                <button type="button" class=if action.needs_reason() { "secondary" } else { "" }
                    disabled=busy on:click=run>
                    {action.label()}
                </button>
            }
        })
        .collect_view();
    // Rejecting ends the office's part in the task: a control of its own, with its own reason,
    // styled as destructive and confirmed.
    let reject = can_reject.then(|| {
        let run = move |_| {
            if !confirm("Reject this task? The agency is told, with your reason.") {
                return;
            }
            let given = reject_reason.get_untracked();
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
                <textarea id="reject-reason" rows="2" prop:value=move || reject_reason.get()
                    aria-describedby="reject-reason-error"
                    on:input=move |ev| reject_reason.set(event_target_value(&ev))></textarea>
                <FieldError id="reject-reason-error" field="reason" error=act_error/>
                <div class="form-actions">
                    <button type="button" class="danger" disabled=busy on:click=run>"Reject task"</button>
                </div>
            </details>
        }
    });
    view! {
        <section class="panel" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Actions"</h2>
            {can_accept.then(|| {
                let planned_text = planned.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
                let planned = RwSignal::new(planned_text.clone());
                let picked = RwSignal::new(assigned.clone());
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let date = planned.get_untracked();
                    accept.dispatch(AcceptTask {
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
                        <FieldError id="planned-date-error" field="planned_date" error=accept_error/>
                        <TechnicianPicker choices=choices.clone() selected=picked
                            legend="Technicians (optional)" tasks=1/>
                        <FormError error=accept_error/>
                        <div class="form-actions">
                            <button type="submit" disabled=busy>"Accept"</button>
                        </div>
                    </form>
                }
            })}
            {asks_reason.then(|| view! {
                <label for="task-reason">{label.clone()}</label>
                <textarea id="task-reason" rows="2" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <FieldError id="task-reason-error" field="reason" error=act_error/>
            })}
            <FormError error=act_error/>
            <div class="form-actions">{buttons}</div>
            {reject}
        </section>
    }
}

/// What is typed and drawn in "I've performed this work", held by the page so a live update of
/// the task (a colleague's result, say) redraws the form without losing any of it.
#[derive(Clone, Copy)]
struct PerformDraft {
    notes: RwSignal<String>,
    name: RwSignal<Option<String>>,
    mine: RwSignal<Drawing>,
    client_signs: RwSignal<bool>,
    client_name: RwSignal<String>,
    client: RwSignal<Drawing>,
}

impl PerformDraft {
    fn new() -> Self {
        PerformDraft {
            notes: RwSignal::new(String::new()),
            name: RwSignal::new(None),
            mine: RwSignal::new(Drawing::default()),
            client_signs: RwSignal::new(false),
            client_name: RwSignal::new(String::new()),
            client: RwSignal::new(Drawing::default()),
        }
    }
}

/// "I've performed this work": notes, the signer's signature drawn on the pad (or, for a Desk
/// user, their saved one, offered but placed only when they choose it), and optionally the
/// client's with their printed name.
#[component]
fn PerformedForm(
    task_id: i64,
    sent: RwSignal<u64>,
    signer: String,
    desk_user: bool,
    draft: PerformDraft,
) -> impl IntoView {
    let perform = ServerAction::<PerformWork>::new();
    reload_on_success(perform, sent);
    let error = action_error(perform);
    let PerformDraft {
        notes,
        name,
        mine,
        client_signs,
        client_name,
        client,
    } = draft;
    // The signer's own name until they change it.
    if name.get_untracked().is_none() {
        name.set(Some(signer));
    }
    let saved = Resource::new(
        move || desk_user,
        |desk| async move {
            if desk {
                load_preferences()
                    .await
                    .ok()
                    .and_then(|p| p.saved_signature)
            } else {
                None
            }
        },
    );
    let use_saved = move || {
        Suspend::new(async move {
            saved.await.and_then(|json| serde_json::from_str::<Drawing>(&json).ok()).map(|drawing| {
                view! {
                    <button type="button" class="secondary"
                        on:click=move |_| mine.set(drawing.clone())>"Use my saved signature"</button>
                }
            })
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let json =
            |d: RwSignal<Drawing>| serde_json::to_string(&d.get_untracked()).unwrap_or_default();
        let with_client = client_signs.get_untracked();
        perform.dispatch(PerformWork {
            work: PerformForm {
                task_id,
                notes: notes.get_untracked(),
                signer_name: name.get_untracked().unwrap_or_default(),
                signature: json(mine),
                client_name: if with_client {
                    client_name.get_untracked()
                } else {
                    String::new()
                },
                client_signature: if with_client {
                    json(client)
                } else {
                    String::new()
                },
            },
        });
    };
    view! {
        <section class="panel" aria-labelledby="perform-heading">
            <h2 id="perform-heading">"I've performed this work"</h2>
            <form class="stacked-form" on:submit=submit>
                <label for="perform-notes">"Notes (optional)"</label>
                <textarea id="perform-notes" rows="3" maxlength="4000"
                    prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                <FieldError id="perform-notes-error" field="notes" error/>
                <p class="field-label">"Your signature"</p>
                <SignaturePad drawing=mine label="Your signature" testid="my-signature"/>
                <Transition fallback=|| ()>{use_saved}</Transition>
                <FieldError id="perform-signature-error" field="signature" error/>
                <label for="perform-name">"Your name"</label>
                <input id="perform-name" type="text" maxlength="100" autocomplete="name"
                    prop:value=move || name.get().unwrap_or_default()
                    on:input=move |ev| name.set(Some(event_target_value(&ev)))/>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || client_signs.get()
                        on:change=move |ev| client_signs.set(event_target_checked(&ev))/>
                    " The client signs too"
                </label>
                <Show when=move || client_signs.get()>
                    <p class="field-label">"Client's signature"</p>
                    <SignaturePad drawing=client label="Client's signature" testid="client-signature"/>
                    <FieldError id="perform-client-error" field="client_signature" error/>
                    <label for="perform-client-name">"Client's printed name"</label>
                    <input id="perform-client-name" type="text" maxlength="100"
                        prop:value=move || client_name.get()
                        on:input=move |ev| client_name.set(event_target_value(&ev))/>
                </Show>
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || perform.pending().get()>
                        {move || if perform.pending().get() { "Saving…" } else { "I've performed this work" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The notes and signatures given on site.
#[component]
fn PerformedOnSite(notes: Option<String>, signatures: Vec<SignatureEntry>) -> impl IntoView {
    let signatures = signatures
        .into_iter()
        .map(|s| {
            let caption = format!("{}: {}, {}", s.role, s.name, s.when);
            view! {
                <figure class="signature">
                    <img src=format!("/files/signatures/{}", s.id) alt=format!("Signature of {}", s.name)
                        width="300" height="100"/>
                    <figcaption>{caption}</figcaption>
                </figure>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="performed-heading">
            <h2 id="performed-heading">"Performed on site"</h2>
            {notes.map(|n| view! { <p data-testid="performed-notes">{n}</p> })}
            <div class="signatures" data-testid="signatures">{signatures}</div>
        </section>
    }
}

/// "Tom Baker (lacked Gas Safe (missing)), Jess Lee", or a dash.
fn technicians_text(technicians: &[AssignedTechnician]) -> String {
    if technicians.is_empty() {
        return "—".into();
    }
    technicians
        .iter()
        .map(|t| match &t.accreditation_gaps {
            Some(gaps) => format!("{} (assigned without {gaps})", t.name),
            None => t.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The office adds technicians to a task it has accepted.
#[component]
fn AssignTechnicians(
    task_id: i64,
    choices: Vec<TechnicianChoice>,
    assigned: Vec<i64>,
    sent: RwSignal<u64>,
) -> impl IntoView {
    let assign = ServerAction::<AssignAction>::new();
    reload_on_success(assign, sent);
    let error = action_error(assign);
    let picked = RwSignal::new(Vec::<i64>::new());
    let choices: Vec<TechnicianChoice> = choices
        .into_iter()
        .filter(|c| !assigned.contains(&c.id))
        .collect();
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
fn CompleteTask(
    task_id: i64,
    sent: RwSignal<u64>,
    /// Service tasks with no result: the agency would receive the task without them.
    unrecorded: Vec<String>,
) -> impl IntoView {
    let action = format!("/files/tasks/{task_id}/complete");
    let (state, error, send) = files_form(action.clone(), sent);
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
fn Archive(task_id: i64, sent: RwSignal<u64>) -> impl IntoView {
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

/// The issued versions of the service report, each with the address anyone can check it at;
/// agents who instruct work may withdraw a version's code.
#[component]
fn ReportVersions(
    task_id: i64,
    versions: Vec<ReportVersionEntry>,
    sent: RwSignal<u64>,
    can_withdraw: bool,
) -> impl IntoView {
    let withdraw = ServerAction::<WithdrawReportCode>::new();
    reload_on_success(withdraw, sent);
    let error = action_error(withdraw);
    if versions.is_empty() {
        return view! {
            <p class="hint">"The first version is issued when the report is first opened."</p>
        }
        .into_any();
    }
    let rows = versions
        .into_iter()
        .map(|v| {
            let version = v.version;
            let run = move |_| {
                if confirm("Withdraw this verification code? Anyone who opens its address will be told it was withdrawn, and shown nothing of the task.") {
                    withdraw.dispatch(WithdrawReportCode { task_id, version });
                }
            };
            let href = format!("/verify/{}", v.code);
            let state = if v.withdrawn {
                view! { <span class="badge">"code withdrawn"</span> }.into_any()
            } else {
                view! {
                    <a href=href.clone()>{href.clone()}</a>
                    {can_withdraw.then(|| view! {
                        " "
                        <button type="button" class="link-button"
                            disabled=move || withdraw.pending().get()
                            on:click=run>{format!("Withdraw code of version {version}")}</button>
                    })}
                }
                .into_any()
            };
            view! {
                <li>{format!("Version {} · issued {} · ", v.version, v.issued)}{state}</li>
            }
        })
        .collect_view();
    view! {
        <ul class="report-versions" aria-label="Issued versions">{rows}</ul>
        <FormError error/>
    }
    .into_any()
}

#[component]
fn AddClientDocument(task_id: i64, sent: RwSignal<u64>) -> impl IntoView {
    let action = format!("/files/tasks/{task_id}/documents");
    let (state, error, on_submit) = files_form(action.clone(), sent);
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

#[component]
fn DocumentList(documents: Vec<TaskDocumentEntry>, #[prop(into)] empty: String) -> impl IntoView {
    if documents.is_empty() {
        return view! { <p class="hint">{empty}</p> }.into_any();
    }
    let items = documents
        .into_iter()
        .map(|d| {
            view! {
                <li>
                    <span class="doc-kind">{d.kind.label()}</span> ": "
                    <a href=format!("/files/task-documents/{}", d.id) download>{d.file_name}</a>
                    <span class="hint">{format!(" — {}, {}", d.who, d.when)}</span>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="document-list">{items}</ul> }.into_any()
}

#[component]
fn Timeline(entries: Vec<crate::domain::records::TimelineEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="hint">"No changes yet."</p> }.into_any();
    }
    let rows = entries
        .into_iter()
        .map(|e| {
            view! {
                <tr>
                    <td>{e.when}</td>
                    <td>{e.who}</td>
                    <td>{e.what}{e.reason.map(|r| format!(" — {r}"))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="history">
            <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// The chat with the other side; new messages appear without reloading. Kept apart from the
/// task so what someone is typing elsewhere on the page survives a new message.
#[component]
fn Messages(task_id: i64, live: Live, may_write: bool) -> impl IntoView {
    let send = ServerAction::<SendTaskMessage>::new();
    let error = action_error(send);
    let posted = Live::for_task(live.message, move || task_id);
    let messages = Resource::new(
        move || (send.version().get(), posted.get()),
        move |_| load_task_messages(task_id),
    );
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = send.value().get() {
            draft.set(String::new());
        }
    });
    let list = move || {
        Suspend::new(async move {
            match messages.await {
                Ok(list) if list.is_empty() => {
                    view! { <p class="hint">"No messages yet."</p> }.into_any()
                }
                Ok(list) => {
                    let items = list
                        .into_iter()
                        .map(|m| {
                            let class = if m.mine { "message mine" } else { "message" };
                            let side = if m.from_agency { "Agency" } else { "Contractor" };
                            view! {
                                <li class=class>
                                    <p class="message-meta">{format!("{} ({side}) · {}", m.who, m.when)}</p>
                                    <p class="message-body">{m.body}</p>
                                </li>
                            }
                        })
                        .collect_view();
                    view! { <ol class="message-list" aria-live="polite">{items}</ol> }.into_any()
                }
                Err(e) => {
                    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                }
            }
        })
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send.dispatch(SendTaskMessage {
            task_id,
            body: draft.get_untracked(),
        });
    };
    view! {
        <section class="panel" aria-labelledby="messages-heading">
            <h2 id="messages-heading">"Messages"</h2>
            <Transition fallback=|| view! { <p role="status">"Loading messages…"</p> }>{list}</Transition>
            <Show when=move || may_write>
            <form class="stacked-form" on:submit=on_submit aria-label="Send a message">
                <label for="message-body">"Message"</label>
                <textarea id="message-body" rows="3" maxlength="4000" required
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                <FieldError id="message-body-error" field="body" error/>
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" disabled=move || send.pending().get()>
                        {move || if send.pending().get() { "Sending…" } else { "Send" }}
                    </button>
                </div>
            </form>
            </Show>
        </section>
    }
}
