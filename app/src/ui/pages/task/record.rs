//! What the task page shows of the record, the same in every view: heading, summary, the
//! signatures given on site, documents, report versions and timeline.

use crate::api::reports::WithdrawReportCode;
use crate::domain::dates::DateFormat;
use crate::domain::records::{
    AssignedTechnician, ReportVersionEntry, SignatureEntry, TaskDetail, TaskDocumentEntry,
    TaskSummary, TimelineEntry,
};
use crate::domain::tech_day::{maps_url, tel_url};
use crate::ui::forms::{action_error, reload_on_success, FormError};
use crate::ui::session::confirm;
use leptos::prelude::*;

/// Reference, title, status, and for the contractor's office the way to the other view.
pub fn task_heading(s: &TaskSummary, desk_user: bool, in_tech_view: bool) -> impl IntoView {
    let task_id = s.id;
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
    }
}

/// Where, when, who, and the certificates not in order for this work.
pub fn task_summary(t: &TaskDetail, format: DateFormat) -> impl IntoView {
    let s = &t.summary;
    let date = move |d: Option<chrono::NaiveDate>| {
        d.map(|d| format.format(d)).unwrap_or_else(|| "—".into())
    };
    let or_dash = |text: &Option<String>| text.clone().unwrap_or_else(|| "—".into());
    view! {
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
                <dt>"Purchase order"</dt><dd>{or_dash(&t.purchase_order)}</dd>
                <dt>"Access"</dt><dd>{or_dash(&t.access_details)}</dd>
                {t.contractor.clone().map(|c| view! { <dt>"Contractor"</dt><dd>{c}</dd> })}
                {t.work_kind.clone().map(|k| view! { <dt>"Kind of work"</dt><dd>{k}</dd> })}
                {(!t.required_types.is_empty()).then(|| view! {
                    <dt>"Technicians must hold"</dt><dd>{t.required_types.join(", ")}</dd>
                })}
                <dt>"Technicians"</dt>
                <dd data-testid="task-technicians">{technicians_text(&t.technicians)}</dd>
            </dl>
            {t.description.clone().map(|d| view! { <p>{d}</p> })}
        </section>
        {(!t.compliance_on_the_day.is_empty()).then(|| view! {
            <div class="blocked" role="alert" data-testid="compliance-on-the-day">
                <p><strong>"Certificates not in order for this work"</strong>
                    " (today, or on the day of the work: the scheduled date, else the due date):"</p>
                <ul>{t.compliance_on_the_day.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
    }
}

/// The notes and signatures given on site.
#[component]
pub fn PerformedOnSite(notes: Option<String>, signatures: Vec<SignatureEntry>) -> impl IntoView {
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

/// The documents the client (the agency) provided, with what the viewer may add below them.
#[component]
pub fn ClientDocuments(
    documents: Vec<TaskDocumentEntry>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="client-docs-heading">
            <h2 id="client-docs-heading">"Documents provided by client"</h2>
            <DocumentList documents empty="No documents from the client."/>
            {children.map(|c| c())}
        </section>
    }
}

/// The service report with its issued versions, and the contractor's reports, invoices and quotes.
#[component]
pub fn Reports(
    task_id: i64,
    available: bool,
    versions: Vec<ReportVersionEntry>,
    documents: Vec<TaskDocumentEntry>,
    sent: RwSignal<u64>,
    can_withdraw: bool,
) -> impl IntoView {
    (!documents.is_empty() || available).then(|| view! {
        <section class="panel" aria-labelledby="own-docs-heading">
            <h2 id="own-docs-heading">"Reports, invoices and quotes"</h2>
            {available.then(|| view! {
                <p>
                    <a href=format!("/files/tasks/{task_id}/report") download="">"Service report (PDF)"</a>
                    " " <span class="hint">"the version issued for the record as it is now"</span>
                </p>
                <ReportVersions task_id versions sent can_withdraw/>
            })}
            <DocumentList documents empty=""/>
        </section>
    })
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
pub fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let history = if entries.is_empty() {
        view! { <p class="hint">"No changes yet."</p> }.into_any()
    } else {
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
    };
    view! {
        <section class="panel" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            {history}
        </section>
    }
}
