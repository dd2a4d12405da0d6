//! The service tasks and defects of a task, in the Desk view, the Tech view and for the agency:
//! each service task's result (recorded by the contractor between accepting and performing),
//! and the defects found on site with their photos.

use crate::api::tasks::RecordServiceResult;
use crate::domain::records::{DefectEntry, ServiceTaskEntry};
use crate::domain::service_tasks::{Outcome, Severity};
use crate::ui::forms::{FieldError, FormError};
use crate::ui::send_form::{sending_form, SendProgress};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ServiceTasks(
    entries: Vec<ServiceTaskEntry>,
    can_record: bool,
    sent: RwSignal<u64>,
) -> impl IntoView {
    if entries.is_empty() {
        return view! {
            <section class="panel" aria-labelledby="service-tasks-heading">
                <h2 id="service-tasks-heading">"Service tasks"</h2>
                <p class="hint">"No service tasks on this task."</p>
            </section>
        }
        .into_any();
    }
    let items = entries
        .into_iter()
        .map(|entry| view! { <ServiceTaskItem entry can_record sent/> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="service-tasks-heading">
            <h2 id="service-tasks-heading">"Service tasks"</h2>
            {(!can_record).then(|| view! {
                <p class="hint">"Results are recorded by the contractor once the task is accepted."</p>
            })}
            <ul class="service-tasks">{items}</ul>
        </section>
    }
    .into_any()
}

#[component]
fn ServiceTaskItem(
    entry: ServiceTaskEntry,
    can_record: bool,
    sent: RwSignal<u64>,
) -> impl IntoView {
    // One form per service task, so an error shows beside the one it concerns.
    let (state, error, on_submit) = sending_form(RecordServiceResult::url().to_string(), sent);
    let result = match entry.outcome {
        Some(o) => view! {
            <span class=format!("result result-{}", o.as_str()) data-testid="service-result">
                {o.label()}{entry.reading.clone().map(|r| format!(" · {r}"))}
            </span>
            <span class="hint">{entry.recorded.clone().map(|r| format!(" — {r}"))}</span>
        }
        .into_any(),
        None => view! { <span class="result result-none" data-testid="service-result">"Not recorded"</span> }
            .into_any(),
    };
    let id = entry.id;
    let name = entry.name.clone();
    let form = can_record.then(|| {
        let radios = Outcome::ALL
            .into_iter()
            .map(|o| {
                let input_id = format!("result-{id}-{}", o.as_str());
                view! {
                    <span class="choice">
                        <input type="radio" id=input_id.clone() name="outcome"
                            value=format!("{o:?}") required checked=entry.outcome == Some(o)/>
                        <label for=input_id>{o.label()}</label>
                    </span>
                }
            })
            .collect_view();
        let reading_label = if entry.reading_expected {
            "Reading"
        } else {
            "Reading (optional)"
        };
        view! {
            <form method="post" action=RecordServiceResult::url() class="result-form"
                on:submit=on_submit>
                <input type="hidden" name="service_task_id" value=id/>
                <fieldset>
                    <legend>{entry.name.clone()}</legend>
                    <div class="choices">{radios}</div>
                    <label for=format!("reading-{id}")>{reading_label}</label>
                    <input id=format!("reading-{id}") name="reading" type="text" maxlength="100"
                        value=entry.reading.clone().unwrap_or_default()/>
                    <FieldError id=format!("reading-{id}-error") field="reading" error/>
                    <FormError error/>
                    <button type="submit" class="secondary" disabled=move || state.get().busy()>
                        "Save result"
                    </button>
                </fieldset>
            </form>
        }
    });
    view! {
        <li class="service-task" data-testid="service-task">
            <p><strong>{name}</strong>{entry.reading_expected.then_some(" (reading)")}": " {result}</p>
            {form}
        </li>
    }
}

/// The defects found on site with their photos; `children` is the form to report one, where the
/// viewer may.
#[component]
pub fn Defects(
    defects: Vec<DefectEntry>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let list = if defects.is_empty() {
        view! { <p class="hint">"No defects reported."</p> }.into_any()
    } else {
        let items = defects
            .into_iter()
            .map(|d| {
                let photos = d
                    .photos
                    .iter()
                    .map(|p| {
                        view! {
                            <a href=format!("/files/defect-photos/{p}/view") target="_blank" rel="noopener">
                                <img src=format!("/files/defect-photos/{p}/thumbnail")
                                    alt=format!("Photo of the defect: {}", d.description) loading="lazy"/>
                            </a>
                        }
                    })
                    .collect_view();
                view! {
                    <li class="defect" data-testid="defect">
                        <p>
                            <span class=format!("severity severity-{}", d.severity.as_str())>{d.severity.label()}</span>
                            " " {d.description.clone()}
                            {d.service_task.clone().map(|s| view! { <span class="hint">{format!(" ({s})")}</span> })}
                        </p>
                        <p class="hint">{format!("{}, {}", d.who, d.when)}</p>
                        <div class="photos">{photos}</div>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="defects">{items}</ul> }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="defects-heading">
            <h2 id="defects-heading">"Defects"</h2>
            {list}
            {children.map(|c| c())}
        </section>
    }
}

#[component]
pub fn ReportDefect(
    task_id: i64,
    service_tasks: Vec<ServiceTaskEntry>,
    sent: RwSignal<u64>,
) -> impl IntoView {
    let action = format!("/files/tasks/{task_id}/defects");
    let (state, error, on_submit) = sending_form(action.clone(), sent);
    let service_options = service_tasks
        .into_iter()
        .map(|s| view! { <option value=s.id>{s.name}</option> })
        .collect_view();
    let severities = Severity::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str()>{s.label()}</option> })
        .collect_view();
    view! {
        <form class="stacked-form" method="post" action=action enctype="multipart/form-data"
            on:submit=on_submit aria-label="Report a defect">
            <h3>"Report a defect"</h3>
            <label for="defect-service-task">"Service task"</label>
            <select id="defect-service-task" name="service_task_id">
                <option value="">"None in particular"</option>
                {service_options}
            </select>
            <FieldError id="defect-service-task-error" field="service_task_id" error/>
            <label for="defect-severity">"Severity"</label>
            <select id="defect-severity" name="severity" required>{severities}</select>
            <FieldError id="defect-severity-error" field="severity" error/>
            <label for="defect-description">"Description"</label>
            <textarea id="defect-description" name="description" rows="3" maxlength="2000" required></textarea>
            <FieldError id="defect-description-error" field="description" error/>
            <label for="defect-photos">"Photos (JPEG, PNG or HEIC, up to 10)"</label>
            <input id="defect-photos" type="file" name="photo" multiple
                accept="image/jpeg,image/png,image/heic,image/heif,.heic,.heif" capture="environment"/>
            <FieldError id="defect-photos-error" field="photo" error/>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" disabled=move || state.get().busy()>
                    {move || if state.get().busy() { "Sending…" } else { "Report defect" }}
                </button>
                <SendProgress state/>
            </div>
        </form>
    }
}
