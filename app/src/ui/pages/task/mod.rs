//! One task, for the Desk view (`/desk/tasks/:id`), the Tech view (`/tech/tasks/:id`) and the
//! agency (`/agent/tasks/:id`): its summary at the top, the actions the viewer may take now (the
//! server decides which), the documents, the messages with the other side, and the timeline.
//!
//! The Tech view offers the work on site and nothing else: the server renders its page
//! ([`TechTask`]) and the technician's phone runs only the islands of [`tech`], so the islands
//! client never links what only renders the task, nor the office's and the agency's controls
//! ([`office`]). The Desk view and the agency see [`OfficeTask`], hydrated with the rest of their
//! pages.

mod actions;
mod messages;
mod office;
mod perform;
mod record;
mod tech;

use crate::api::preferences::load_preferences;
use crate::api::tasks::load_task;
use crate::domain::dates::DateFormat;
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{TaskDetail, Viewer};
use crate::domain::signature::Drawing;
use crate::domain::task_status::TaskAction;
use crate::domain::task_work::DocumentKind;
use crate::ui::forms::LoadError;
use crate::ui::live::Live;
use crate::ui::pages::service_work::{Defects, ReportDefect, ServiceTasks};
use crate::ui::render_once::before_the_view;
use crate::ui::resource::resource;
use crate::ui::session::{use_id_param, use_viewer};
use actions::TaskActions;
use leptos::prelude::*;
use leptos_meta::Title;
use messages::{message_form, Messages};
use office::{AcceptTask, AddClientDocument, Archive, AssignTechnicians, CompleteTask, RejectTask};
use perform::{PerformDraft, PerformedForm, UseSavedSignature};
use record::{task_heading, task_summary, ClientDocuments, PerformedOnSite, Reports, Timeline};
use tech::{TaskRefresh, TechActions, TechPerform, TechReportDefect, TechServiceTasks};

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
    // Keyed by the id: moving from one task to another in the Desk view starts the task anew.
    let task = move || {
        let id = id();
        Suspend::new(async move {
            let me = viewer.await.ok().flatten();
            before_the_view().await;
            if in_tech_view {
                view! { <TechTask id me/> }.into_any()
            } else {
                view! { <OfficeTask id me/> }.into_any()
            }
        })
    };
    view! {
        <Title text="Task"/>
        <Suspense fallback=|| view! { <p role="status">"Loading the task…"</p> }>{task}</Suspense>
    }
}

/// The task in the Tech view, rendered by the server: the technician's phone runs only the
/// islands of [`tech`], what they act with, and loads the page again after each change.
#[component]
fn TechTask(id: i64, me: Option<Viewer>) -> impl IntoView {
    let format = me.as_ref().map(|v| v.date_format).unwrap_or_default();
    let desk_user = office_viewer(me.as_ref());
    let signer = me.as_ref().map(|v| v.name.clone()).unwrap_or_default();
    let task = resource(|| (), move |_| load_task(id));
    // The office doing the work itself is offered its saved signature, as in the Desk view.
    let saved = saved_signature(desk_user);
    let content = move || {
        let signer = signer.clone();
        Suspend::new(async move {
            match task.await {
                Ok(t) => {
                    let saved = saved.await;
                    before_the_view().await;
                    view! { <TechTaskView t format desk_user signer saved/> }.into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <TaskRefresh task_id=id/>
        <Suspense fallback=|| view! { <p role="status">"Loading the task…"</p> }>{content}</Suspense>
        <Messages task_id=id live=Live::here() form=None/>
    }
}

/// What every part of the page is given beside the task.
#[derive(Clone)]
struct Page {
    format: DateFormat,
    /// Bumped after this page sends something: the task is read again.
    sent: RwSignal<u64>,
    me: Option<Viewer>,
    /// Held here so a live update of the task redraws the perform form without losing it.
    draft: PerformDraft,
}

impl Page {
    fn desk_user(&self) -> bool {
        office_viewer(self.me.as_ref())
    }
}

/// Whether the viewer is the contractor's office (as opposed to a technician or an agent).
fn office_viewer(me: Option<&Viewer>) -> bool {
    me.is_some_and(|v| v.kind == UserKind::Contractor)
}

/// The task in the Desk view and for the agency, and its messages, read again when this page
/// sends something or a live change for the task arrives.
#[component]
fn OfficeTask(id: i64, me: Option<Viewer>) -> impl IntoView {
    let live = Live::here();
    let sent = RwSignal::new(0u64);
    let changed = Live::for_task(live.task, move || id);
    let task = resource(move || (sent.get(), changed.get()), move |_| load_task(id));
    let desk_user = office_viewer(me.as_ref());
    let saved = saved_signature(desk_user);
    let page = Page {
        format: me.as_ref().map(|v| v.date_format).unwrap_or_default(),
        sent,
        me,
        draft: PerformDraft::new(),
    };
    let content = move || {
        let page = page.clone();
        Suspend::new(async move {
            match task.await {
                Ok(t) => {
                    let saved = saved.await;
                    before_the_view().await;
                    view! { <OfficeTaskView t page saved/> }.into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Transition fallback=|| view! { <p role="status">"Loading the task…"</p> }>{content}</Transition>
        <Messages task_id=id live form=Some(message_form)/>
    }
}

/// The Tech view: what is done on site, the record so far, and nothing of the office's work.
#[component]
fn TechTaskView(
    t: TaskDetail,
    format: DateFormat,
    desk_user: bool,
    signer: String,
    saved: Option<Drawing>,
) -> impl IntoView {
    let task_id = t.summary.id;
    let heading = task_heading(&t.summary, desk_user, true);
    let summary = task_summary(&t, format);
    let can_perform = t.actions.contains(&TaskAction::PerformedOnSite);
    let on_site: Vec<TaskAction> = t
        .actions
        .iter()
        .copied()
        .filter(|a| a.done_on_site() && *a != TaskAction::PerformedOnSite)
        .collect();
    let after_on_site = !can_perform && on_site.contains(&TaskAction::OnSite);
    let (client_documents, own_documents) = split_documents(t.documents);
    // Nothing on this page is sent from here but through the islands, which load it again.
    let sent = RwSignal::new(0u64);
    let service_tasks = t.service_tasks.clone();
    view! {
        {heading}
        {summary}
        {(!on_site.is_empty()).then(|| view! {
            <section class="panel" aria-labelledby="actions-heading">
                <h2 id="actions-heading">"Actions"</h2>
                <TechActions task_id actions=on_site/>
            </section>
        })}
        <TechServiceTasks entries=t.service_tasks can_record=t.can_record_work/>
        <Defects defects=t.defects>
            {t.can_record_work.then(|| view! { <TechReportDefect task_id service_tasks/> })}
        </Defects>
        {can_perform.then(|| view! { <TechPerform task_id signer=signer.clone() saved=saved.clone()/> })}
        // Without signal "I'm on site" waits on the phone, and the page saved there is the one
        // before it: the perform form is on it, hidden, for the work queue to show once that
        // is pressed (`ui/tech_offline.js`), as if it had been sent.
        {after_on_site.then(|| view! {
            <div data-after-on-site="" hidden>
                <TechPerform task_id signer saved/>
            </div>
        })}
        {(!t.signatures.is_empty()).then(|| view! {
            <PerformedOnSite notes=t.performed_notes signatures=t.signatures/>
        })}
        <ClientDocuments documents=client_documents/>
        <Reports task_id available=t.report_available versions=t.report_versions
            documents=own_documents sent can_withdraw=false/>
        <Timeline entries=t.timeline/>
    }
}

/// The Desk view and the agency's view: every action the server allows the viewer.
#[component]
fn OfficeTaskView(t: TaskDetail, page: Page, saved: Option<Drawing>) -> impl IntoView {
    let task_id = t.summary.id;
    let Page { sent, draft, .. } = page.clone();
    let desk_user = page.desk_user();
    let heading = task_heading(&t.summary, desk_user, false);
    let summary = task_summary(&t, page.format);
    let has = |action| t.actions.contains(&action);
    let (can_accept, can_reject) = (has(TaskAction::Accept), has(TaskAction::Reject));
    let (can_complete, can_perform) = (has(TaskAction::Complete), has(TaskAction::PerformedOnSite));
    let others: Vec<TaskAction> = t
        .actions
        .iter()
        .copied()
        .filter(|a| {
            !matches!(
                a,
                TaskAction::Accept
                    | TaskAction::Reject
                    | TaskAction::Complete
                    | TaskAction::PerformedOnSite
            )
        })
        .collect();
    let can_withdraw = page.me.as_ref().is_some_and(|v| {
        v.kind == UserKind::Agent && v.permissions.allows(Permission::InstructWork)
    });
    let unrecorded: Vec<String> = t
        .service_tasks
        .iter()
        .filter(|e| e.recorded.is_none())
        .map(|e| e.name.clone())
        .collect();
    let signer = page.me.as_ref().map(|v| v.name.clone()).unwrap_or_default();
    let assigned: Vec<i64> = t.technicians.iter().map(|a| a.id).collect();
    let (client_documents, own_documents) = split_documents(t.documents);
    let choices = t.technician_choices;
    view! {
        {heading}
        {summary}
        {(can_accept || can_reject || !others.is_empty()).then(|| view! {
            <section class="panel" aria-labelledby="actions-heading">
                <h2 id="actions-heading">"Actions"</h2>
                {can_accept.then(|| view! {
                    <AcceptTask task_id sent choices=choices.clone()
                        planned=t.summary.scheduled_date assigned=assigned.clone()/>
                })}
                {(!others.is_empty()).then(|| view! { <TaskActions task_id actions=others sent/> })}
                {can_reject.then(|| view! { <RejectTask task_id sent/> })}
            </section>
        })}
        {(t.can_assign && !can_accept).then(|| view! {
            <AssignTechnicians task_id choices=choices.clone() assigned=t.technicians.clone() sent/>
        })}
        <ServiceTasks entries=t.service_tasks.clone() can_record=t.can_record_work sent/>
        <Defects defects=t.defects>
            {t.can_record_work.then(|| view! {
                <ReportDefect task_id service_tasks=t.service_tasks sent/>
            })}
        </Defects>
        {can_perform.then(|| view! {
            <PerformedForm task_id sent signer draft>
                {saved.map(|drawing| view! { <UseSavedSignature drawing mine=draft.mine()/> })}
            </PerformedForm>
        })}
        {(!t.signatures.is_empty()).then(|| view! {
            <PerformedOnSite notes=t.performed_notes signatures=t.signatures/>
        })}
        {can_complete.then(|| view! { <CompleteTask task_id sent unrecorded/> })}
        {t.can_archive.then(|| view! { <Archive task_id sent/> })}
        <ClientDocuments documents=client_documents>
            {t.can_add_client_documents.then(|| view! { <AddClientDocument task_id sent/> })}
        </ClientDocuments>
        <Reports task_id available=t.report_available versions=t.report_versions
            documents=own_documents sent can_withdraw/>
        <Timeline entries=t.timeline/>
    }
}

/// A Desk user's saved signature, offered (never placed) on "I've performed this work"; read with
/// the task, beside it, so the page renders and hydrates it alike. Nobody else has one.
fn saved_signature(desk_user: bool) -> crate::ui::resource::Loaded<Option<Drawing>> {
    resource(
        || (),
        move |_| async move {
            if !desk_user {
                return None;
            }
            let json = load_preferences().await.ok()?.saved_signature?;
            serde_json::from_str::<Drawing>(&json).ok()
        },
    )
}

type Documents = Vec<crate::domain::records::TaskDocumentEntry>;

/// The client's documents, and the contractor's reports, invoices and quotes.
fn split_documents(documents: Documents) -> (Documents, Documents) {
    documents
        .into_iter()
        .partition(|d| d.kind == DocumentKind::Client)
}
