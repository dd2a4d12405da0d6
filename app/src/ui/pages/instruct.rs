//! `/agent/instruct`: an agent sends works to a contractor. Each contractor shows its compliance
//! light; a red one is refused with the certificates at fault and compliant alternatives, and an
//! agent allowed to override must give a reason, which the history keeps.

use crate::api::compliance::list_contractors;
use crate::api::tasks::{check_works, load_instruct_choices, InstructWorks};
use crate::api::ApiError;
use crate::domain::compliance::TrafficLight;
use crate::domain::records::{
    ContractorChoice, ContractorRow, InstructChoices, InstructOutcome, WorkCheck,
};
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::live::use_live;
use crate::ui::resource::{resource, Loaded};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InstructWorksPage() -> impl IntoView {
    let live = use_live();
    // The form is loaded once, so nothing typed is lost when lights change; the light of the
    // chosen contractor follows live changes on its own.
    let choices = resource(|| (), |_| load_instruct_choices());
    let lights = resource(move || live.certification.get(), |_| list_contractors());
    let query = use_query_map();
    let preselected = move || {
        query
            .read()
            .get("contractor")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let content = move || {
        Suspend::new(async move {
            match choices.await {
                Ok(choices) => {
                    view! { <InstructForm choices lights preselected=preselected()/> }.into_any()
                }
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Instruct works"/>
        <h1>"Instruct works"</h1>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

pub(crate) fn light_badge(light: TrafficLight) -> impl IntoView {
    view! {
        <span class=format!("light light-{}", light.slug())>
            <span class="light-dot" aria-hidden="true"></span>
            {light.label()}
        </span>
    }
}

#[component]
fn InstructForm(
    choices: InstructChoices,
    lights: Loaded<Result<Vec<ContractorRow>, ApiError>>,
    preselected: Option<i64>,
) -> impl IntoView {
    let instruct = ServerAction::<InstructWorks>::new();
    let error = action_error(instruct);
    let selected = RwSignal::new(
        preselected
            .filter(|id| choices.contractors.iter().any(|c| c.id == *id))
            .or_else(|| choices.contractors.first().map(|c| c.id)),
    );
    let selected_light = move || {
        Suspend::new(async move {
            let rows = lights.await.unwrap_or_default();
            let id = selected.get();
            rows.into_iter()
                .find(|c| Some(c.id) == id)
                .map(|c| light_badge(c.light))
        })
    };
    let outcome = move || instruct.value().get().and_then(|r| r.ok());
    // Once the works are sent the form starts again empty, so the same works are not sent twice
    // by a second press; the confirmation stays at the top with the way to the new task.
    let form = NodeRef::<leptos::html::Form>::new();
    let first_contractor = selected.get_untracked();
    let required = RwSignal::new(Vec::<i64>::new());
    let kind = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(InstructOutcome::Instructed { .. })) = instruct.value().get() {
            #[cfg(feature = "hydrate")]
            {
                if let Some(form) = form.get_untracked() {
                    form.reset();
                }
                window().scroll_to_with_x_and_y(0.0, 0.0);
            }
            selected.set(first_contractor);
            required.set(Vec::new());
            kind.set(String::new());
            due.set(String::new());
        }
    });
    // The verdict for this work follows the contractor, the kind and the due date as they are
    // chosen, so the agent learns of a block (and may give a reason) before writing the rest.
    let live = use_live();
    let verdict = resource(
        move || {
            (
                selected.get(),
                kind.get(),
                due.get(),
                live.certification.get(),
            )
        },
        |(contractor, kind, due, _)| async move {
            match contractor {
                Some(id) => check_works(id, Some(kind), Some(due)).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // Read through an effect, which runs only in the browser after hydration: reading the
    // resource directly here would draw the server's page without the reason field and the
    // hydrating page with it (a hydration mismatch).
    let verdict_asks_reason = RwSignal::new(false);
    Effect::new(move |_| {
        let asks = verdict
            .get()
            .and_then(|v| v.ok())
            .flatten()
            .is_some_and(|v| !v.problems.is_empty() && v.can_override);
        verdict_asks_reason.set(asks);
    });
    let blocked_with_override = move || {
        matches!(
            outcome(),
            Some(InstructOutcome::Blocked {
                can_override: true,
                ..
            })
        ) || verdict_asks_reason.get()
    };
    let verdict_view = move || {
        Suspend::new(async move {
            match verdict.await {
                Ok(Some(check)) => view! { <Verdict check/> }.into_any(),
                Ok(None) => ().into_any(),
                Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
            }
        })
    };
    let required_boxes = (!choices.technician_types.is_empty()).then(|| {
        let boxes = choices
            .technician_types
            .iter()
            .map(|(id, name)| {
                let id = *id;
                view! {
                    <label class="checkbox">
                        <input type="checkbox" prop:checked=move || required.with(|r| r.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                required.update(|r| {
                                    r.retain(|x| *x != id);
                                    if on {
                                        r.push(id);
                                    }
                                });
                            }/>
                        " " {name.clone()}
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset>
                <legend>"Technicians must hold (optional)"</legend>
                {boxes}
                // The choice travels as one field of ids, so the form keeps one argument.
                <input type="hidden" name="works[required_types]"
                    prop:value=move || required.with(|r| r.iter().map(i64::to_string).collect::<Vec<_>>().join(","))/>
            </fieldset>
            <FieldError id="instruct-required-error" field="required_types" error/>
        }
    });
    let sent = move || {
        outcome()
            .filter(|o| matches!(o, InstructOutcome::Instructed { .. }))
            .map(|o| view! { <Outcome o/> })
    };
    let kind_select = (!choices.work_kinds.is_empty()).then(|| {
        let options = choices
            .work_kinds
            .iter()
            .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
            .collect_view();
        view! {
            <label for="instruct-kind">"Kind of work"</label>
            <select id="instruct-kind" name="works[work_kind]" aria-describedby="instruct-kind-hint"
                on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="">"Any (every certificate asked of the contractor)"</option>
                {options}
            </select>
            <p class="hint" id="instruct-kind-hint">"The contractor is judged on the certificates this kind of work needs, today and on the due date."</p>
            <FieldError id="instruct-kind-error" field="work_kind" error/>
        }
    });
    let properties = choices
        .properties
        .into_iter()
        .map(|(id, address)| view! { <option value=id.to_string()>{address}</option> })
        .collect_view();
    let contractor_options = choices
        .contractors
        .into_iter()
        .map(|c| {
            let label = if c.suspended {
                format!("{} — suspended for new work", c.company_name)
            } else {
                format!("{} — {}", c.company_name, c.light.label())
            };
            view! {
                <option value=c.id.to_string() selected=Some(c.id) == selected.get_untracked()>
                    {label}
                </option>
            }
        })
        .collect_view();
    let on_contractor = move |ev: leptos::ev::Event| {
        selected.set(event_target_value(&ev).parse().ok());
    };
    view! {
        <ActionForm action=instruct node_ref=form attr:class="stacked-form panel">
            {sent}
            <label for="instruct-property">"Property"</label>
            <select id="instruct-property" name="works[property_id]" required>{properties}</select>
            <FieldError id="instruct-property-error" field="property_id" error/>
            <p class="hint"><a href="/agent/properties">"Add or correct a property"</a></p>

            <label for="instruct-contractor">"Contractor"</label>
            <select id="instruct-contractor" name="works[contractor_id]" on:change=on_contractor>
                {contractor_options}
            </select>
            <p class="hint" data-testid="selected-light">
                "Compliance: " <Transition fallback=|| ()>{selected_light}</Transition>
            </p>
            {kind_select}

            <label for="instruct-title">"Title"</label>
            <input id="instruct-title" name="works[title]" type="text" required maxlength="200"
                placeholder="e.g. Replace the kitchen extractor fan"/>
            <FieldError id="instruct-title-error" field="title" error/>

            <label for="instruct-description">"Description"</label>
            <textarea id="instruct-description" name="works[description]" rows="3"></textarea>

            <div class="field-row">
                <div>
                    <label for="instruct-due">"Due date"</label>
                    <input id="instruct-due" name="works[due_date]" type="date"
                        on:input=move |ev| due.set(event_target_value(&ev))/>
                    <FieldError id="instruct-due-error" field="due_date" error/>
                </div>
                <div>
                    <label for="instruct-priority">"Priority"</label>
                    <select id="instruct-priority" name="works[priority]">
                        <option value="low">"Low"</option>
                        <option value="normal" selected=true>"Normal"</option>
                        <option value="high">"High"</option>
                        <option value="urgent">"Urgent"</option>
                    </select>
                </div>
            </div>

            <label for="instruct-service-tasks">"Service tasks (one per line)"</label>
            <textarea id="instruct-service-tasks" name="works[service_tasks]" rows="3"
                aria-describedby="instruct-service-tasks-hint"
                placeholder="e.g. Test smoke alarms\nCheck boiler pressure (reading)"></textarea>
            <p class="hint" id="instruct-service-tasks-hint">"End a line with \"(reading)\" when the result needs a reading, such as a pressure."</p>
            <FieldError id="instruct-service-tasks-error" field="service_tasks" error/>

            {required_boxes}

            <label for="instruct-po">"Purchase order (optional)"</label>
            <input id="instruct-po" name="works[purchase_order]" type="text" maxlength="50"/>
            <FieldError id="instruct-po-error" field="purchase_order" error/>

            <div aria-live="polite" data-testid="instruct-verdict">
                <Transition fallback=|| ()>{verdict_view}</Transition>
            </div>
            {move || {
                outcome()
                    .filter(|o| matches!(o, InstructOutcome::Blocked { .. }))
                    .map(|o| view! { <Outcome o/> })
            }}
            <Show when=blocked_with_override>
                <label for="instruct-reason">"Reason for overriding the compliance block"</label>
                <textarea id="instruct-reason" name="works[override_reason]" rows="2" required
                    placeholder="e.g. Emergency leak, no compliant plumber available today"></textarea>
            </Show>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" disabled=move || instruct.pending().get()>
                    {move || match (instruct.pending().get(), blocked_with_override()) {
                        (true, _) => "Sending…",
                        (false, true) => "Instruct anyway",
                        (false, false) => "Instruct works",
                    }}
                </button>
            </div>
        </ActionForm>
    }
}

/// The verdict on the chosen contractor for this work, before the form is sent.
#[component]
fn Verdict(check: WorkCheck) -> impl IntoView {
    if check.problems.is_empty() {
        return view! { <p class="hint">"Certificates in order for this work."</p> }.into_any();
    }
    let next = if check.can_override {
        "You may override: give a reason below, and it is recorded."
    } else {
        "Your role cannot override this. Choose another contractor, or ask someone who may override."
    };
    view! {
        <div class="blocked">
            <p><strong>"Not compliant for this work."</strong>
                " These certificates are not in order, today or on the due date:"</p>
            <ul>{check.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            <p>{next}</p>
        </div>
    }
    .into_any()
}

/// What instructing answered: sent, with the way to the task, or blocked with the reasons.
#[component]
pub(crate) fn Outcome(o: InstructOutcome) -> impl IntoView {
    match o {
        InstructOutcome::Instructed {
            task_id,
            reference,
            overridden,
        } => view! {
            <p class="form-success" role="status">
                {format!("Works {reference} sent to the contractor.")}
                {overridden.then_some(" The override and its reason are in the contractor's history.")}
                " " <a href=format!("/agent/tasks/{task_id}")>"Open the task"</a>
            </p>
        }
        .into_any(),
        InstructOutcome::Blocked {
            company_name,
            problems,
            can_override,
            alternatives,
        } => {
            let problems = problems
                .into_iter()
                .map(|p| view! { <li>{p}</li> })
                .collect_view();
            let alternatives = if alternatives.is_empty() {
                view! { <p>"No compliant contractor of the same trade was found."</p> }.into_any()
            } else {
                view! {
                    <p>"Compliant contractors of the same trade: "
                        {alternatives_text(&alternatives)}
                    </p>
                }
                .into_any()
            };
            let next = if can_override {
                "You may override: give a reason below, and it is recorded."
            } else {
                "Your role cannot override this. Choose another contractor, or ask someone who may override."
            };
            view! {
                <div class="blocked" role="alert">
                    <p><strong>{format!("{company_name} is not compliant for this work.")}</strong>
                        " Work cannot be sent until these certificates are in order, today and on the day of the work:"</p>
                    <ul>{problems}</ul>
                    {alternatives}
                    <p>{next}</p>
                </div>
            }
            .into_any()
        }
    }
}

fn alternatives_text(alternatives: &[ContractorChoice]) -> String {
    alternatives
        .iter()
        .map(|c| c.company_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
