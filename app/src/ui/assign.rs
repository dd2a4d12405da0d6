//! Picking technicians for tasks, with what each lacks of the tasks' required accreditations
//! shown before the choice; and the dashboard's bulk edit, which reviews its changes and their
//! accreditation gaps before they are confirmed.

use crate::api::team::{technician_choices, AssignTechnicians, PreviewAssignment};
use crate::domain::records::{AssignmentRequest, AssignmentSummary, TechnicianChoice};
use crate::domain::task_list::{TaskFilter, TaskSelection};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use leptos::prelude::*;

/// Checkboxes for technicians; `tasks` is how many tasks they are picked for (for the
/// "on 3 of the tasks" in a warning).
#[component]
pub fn TechnicianPicker(
    choices: Vec<TechnicianChoice>,
    selected: RwSignal<Vec<i64>>,
    #[prop(into)] legend: String,
    tasks: u64,
) -> impl IntoView {
    if choices.is_empty() {
        return view! {
            <p class="hint">"No active technicians yet. Add them on the " <a href="/desk/team">"Team"</a> " page."</p>
        }
        .into_any();
    }
    let boxes = choices
        .into_iter()
        .map(|c| {
            let id = c.id;
            let warning = (!c.gaps.is_empty()).then(|| {
                let on = if tasks > 1 {
                    format!(" on {} of the {tasks} tasks", c.tasks_with_gaps)
                } else {
                    String::new()
                };
                view! {
                    <span class="accreditation-gap" data-testid="accreditation-gap">
                        <span aria-hidden="true">"⚠ "</span>
                        {format!("lacks {}{on}", c.gaps.join(", "))}
                    </span>
                }
            });
            view! {
                <label class="checkbox technician-choice">
                    <input type="checkbox" name="technician" value=id.to_string()
                        prop:checked=move || selected.with(|s| s.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                s.retain(|x| *x != id);
                                if on {
                                    s.push(id);
                                }
                            });
                        }/>
                    " " <span class="technician-name">{c.name}</span> " " {warning}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="technician-picker">
            <legend>{legend}</legend>
            {boxes}
        </fieldset>
    }
    .into_any()
}

/// The request for the current selection.
fn request(
    selection: &TaskSelection,
    filter: &TaskFilter,
    technician_ids: Vec<i64>,
    scheduled_date: String,
) -> AssignmentRequest {
    let all = selection.all_matching.is_some();
    AssignmentRequest {
        task_ids: if all {
            Vec::new()
        } else {
            selection.ids.clone()
        },
        matching: all.then(|| filter.to_query()),
        technician_ids,
        scheduled_date: (!scheduled_date.is_empty()).then_some(scheduled_date),
    }
}

/// The dashboard's bulk edit for the selected tasks: technicians and/or a scheduled date,
/// reviewed (what changes, which accreditations are missing) and then confirmed.
#[component]
pub fn BulkEdit(
    selection: RwSignal<TaskSelection>,
    filter: Memo<TaskFilter>,
    done: RwSignal<u64>,
) -> impl IntoView {
    let picked = RwSignal::new(Vec::<i64>::new());
    let date = RwSignal::new(String::new());
    let preview = ServerAction::<PreviewAssignment>::new();
    let assign = ServerAction::<AssignTechnicians>::new();
    let preview_error = action_error(preview);
    let assign_error = action_error(assign);
    let outcome = RwSignal::new(None::<AssignmentSummary>);
    // What was reviewed no longer holds once the selection or the choices change.
    Effect::new(move |_| {
        selection.track();
        picked.track();
        date.track();
        preview.value().set(None);
    });
    Effect::new(move |_| {
        if let Some(Ok(summary)) = assign.value().get() {
            outcome.set(Some(summary));
            selection.set(TaskSelection::default());
            picked.set(Vec::new());
            date.set(String::new());
            assign.value().set(None);
            done.update(|v| *v += 1);
        }
    });
    let choices = resource(
        move || {
            let s = selection.get();
            (!s.is_empty()).then(|| request(&s, &filter.get_untracked(), Vec::new(), String::new()))
        },
        |request| async move {
            match request {
                Some(request) => technician_choices(request).await,
                None => Ok(Vec::new()),
            }
        },
    );
    let current = move || {
        request(
            &selection.get_untracked(),
            &filter.get_untracked(),
            picked.get_untracked(),
            date.get_untracked(),
        )
    };
    let review = move |_| {
        outcome.set(None);
        preview.dispatch(PreviewAssignment { request: current() });
    };
    let confirm = move |_| {
        assign.dispatch(AssignTechnicians { request: current() });
    };
    let picker = move || {
        Suspend::new(async move {
            let loaded = choices.await;
            // Counted once the choices are in: the selection may have grown meanwhile (a
            // shift-click right after a click), and the gaps are counted for the whole of it.
            let count = selection.with_untracked(TaskSelection::count);
            match loaded {
                Ok(choices) => view! {
                    <TechnicianPicker choices selected=picked legend="Technicians to add" tasks=count/>
                }
                .into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    let summary = move || {
        preview.value().get().and_then(Result::ok).map(|s| {
            let warnings = s
                .warnings
                .iter()
                .map(|w| view! { <li>{w.clone()}</li> })
                .collect_view();
            let has_warnings = !s.warnings.is_empty();
            view! {
                <div class="bulk-summary" role="status" data-testid="bulk-summary">
                    <p>{format!(
                        "{} task{}: {} new technician assignment{}, {} task{} rescheduled.",
                        s.tasks, plural(s.tasks), s.new_assignments, plural(s.new_assignments),
                        s.rescheduled, plural(s.rescheduled)
                    )}</p>
                    {has_warnings.then(|| view! {
                        <div class="blocked">
                            <p><strong>"Missing accreditations."</strong>
                                " You may assign anyway; the agency sees it on each task."</p>
                            <ul>{warnings}</ul>
                        </div>
                    })}
                    <div class="form-actions">
                        <button type="button" class="primary" on:click=confirm
                            disabled=move || assign.pending().get()>
                            {move || if assign.pending().get() { "Applying…" } else if has_warnings { "Assign anyway" } else { "Confirm" }}
                        </button>
                        <button type="button" class="secondary" on:click=move |_| preview.value().set(None)>
                            "Cancel"
                        </button>
                    </div>
                </div>
            }
        })
    };
    let done_message = move || {
        outcome.get().map(|s| {
            view! {
                <p class="form-success" role="status" data-testid="bulk-done">
                    {format!(
                        "Done: {} task{} updated, {} new assignment{}, {} email{} to technicians.",
                        s.tasks, plural(s.tasks), s.new_assignments, plural(s.new_assignments),
                        s.emails, plural(s.emails)
                    )}
                </p>
            }
        })
    };
    view! {
        {done_message}
        <Show when=move || !selection.with(TaskSelection::is_empty)>
            <section class="panel bulk-edit" aria-labelledby="bulk-heading" data-testid="bulk-edit">
                <h2 id="bulk-heading">
                    {move || {
                        let n = selection.with(TaskSelection::count);
                        format!("Bulk edit {n} selected task{}", plural(n as u32))
                    }}
                </h2>
                <Transition fallback=|| view! { <p role="status">"Loading technicians…"</p> }>
                    {picker}
                </Transition>
                <label for="bulk-date">"Scheduled date (optional)"</label>
                <input id="bulk-date" type="date" prop:value=move || date.get()
                    on:input=move |ev| date.set(event_target_value(&ev))/>
                <FieldError id="bulk-date-error" field="scheduled_date" error=preview_error/>
                <FieldError id="bulk-technicians-error" field="technicians" error=preview_error/>
                <FieldError id="bulk-tasks-error" field="tasks" error=preview_error/>
                <FormError error=preview_error/>
                <FormError error=assign_error/>
                <div class="form-actions">
                    <button type="button" on:click=review disabled=move || preview.pending().get()>
                        {move || if preview.pending().get() { "Checking…" } else { "Review changes" }}
                    </button>
                    <button type="button" class="link-button"
                        on:click=move |_| selection.set(TaskSelection::default())>
                        "Clear selection"
                    </button>
                </div>
                {summary}
            </section>
        </Show>
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
