//! `/agent/kinds-of-work`: the agency's kinds of work (requirement profiles) and the certificates
//! each needs. Tasks of a kind are judged on those certificates, today and on the day of the work.

use crate::api::compliance::list_certificate_types;
use crate::api::work_kinds::{list_work_kinds, DeleteWorkKind, SaveWorkKind};
use crate::domain::records::{CertificateTypeRow, WorkKindRow};
use crate::ui::forms::{action_error, reload_on_success, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::session::{confirm, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn WorkKindsPage() -> impl IntoView {
    let changed = RwSignal::new(0u64);
    let kinds = resource(move || changed.get(), |_| list_work_kinds());
    let types = resource(|| (), |_| list_certificate_types());
    let viewer = use_viewer();
    let content = move || {
        Suspend::new(async move {
            let can_manage =
                matches!(viewer.await, Ok(Some(v)) if v.permissions.manage_certification);
            match (kinds.await, types.await) {
                (Ok(kinds), Ok(types)) => {
                    view! { <KindsView kinds types can_manage changed/> }.into_any()
                }
                (Err(e), _) | (_, Err(e)) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Kinds of work"/>
        <p><A href="/agent/certification">"← Contractor certification"</A></p>
        <h1>"Kinds of work"</h1>
        <p class="hint">"A kind of work names the certificates that work needs, e.g. Gas work: gas safety and public liability. Give kinds to contractors on their page; a task of a kind is judged on its certificates only, today and on the day of the work."</p>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn KindsView(
    kinds: Vec<WorkKindRow>,
    types: Vec<CertificateTypeRow>,
    can_manage: bool,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let save = ServerAction::<SaveWorkKind>::new();
    let delete = ServerAction::<DeleteWorkKind>::new();
    reload_on_success(save, changed);
    reload_on_success(delete, changed);
    let save_error = action_error(save);
    let delete_error = action_error(delete);
    // The form edits one kind at a time: None adds a new one.
    let editing = RwSignal::new(None::<i64>);
    let name = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<i64>::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            editing.set(None);
            name.set(String::new());
            chosen.set(Vec::new());
        }
    });
    let rows = if kinds.is_empty() {
        view! {
            <p class="empty-state">"No kinds of work yet. Add one below, e.g. \"Gas work\" needing gas safety and public liability."</p>
        }
        .into_any()
    } else {
        let rows = kinds
            .into_iter()
            .map(|k| {
                let id = k.id;
                let needs = k
                    .types
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let edit_label = format!("Edit {}", k.name);
                let delete_label = format!("Remove {}", k.name);
                let question = format!(
                    "Remove the kind of work \"{}\"? Contractors lose it; their certificates stay required.",
                    k.name
                );
                let kind = StoredValue::new(k.clone());
                let actions = can_manage.then(|| {
                    view! {
                        <button type="button" aria-label=edit_label on:click=move |_| {
                            let k = kind.get_value();
                            editing.set(Some(k.id));
                            name.set(k.name.clone());
                            chosen.set(k.types.iter().map(|(id, _)| *id).collect());
                        }>"Edit"</button>
                        " "
                        <button type="button" class="danger" aria-label=delete_label
                            on:click=move |_| {
                                if confirm(&question) {
                                    delete.dispatch(DeleteWorkKind { id });
                                }
                            }>"Remove"</button>
                    }
                });
                view! {
                    <tr>
                        <th scope="row">{k.name}</th>
                        <td>{needs}</td>
                        <td>{k.contractors}</td>
                        <td>{k.tasks}</td>
                        <td>{actions}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="history" data-testid="work-kinds">
                <caption class="visually-hidden">"Kinds of work"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Kind of work"</th>
                        <th scope="col">"Certificates it needs"</th>
                        <th scope="col">"Contractors"</th>
                        <th scope="col">"Tasks"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let boxes = types
        .into_iter()
        .map(|t| {
            let id = t.id;
            view! {
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|x| *x != id);
                                if on {
                                    c.push(id);
                                }
                            });
                        }/>
                    " " {t.name}
                </label>
            }
        })
        .collect_view();
    let form = can_manage.then(|| {
        view! {
            <section class="panel" aria-labelledby="kind-form-heading">
                <h2 id="kind-form-heading">
                    {move || if editing.get().is_some() { "Change the kind of work" } else { "Add a kind of work" }}
                </h2>
                <ActionForm action=save attr:class="stacked-form">
                    <input type="hidden" name="id"
                        prop:value=move || editing.get().map(|id| id.to_string()).unwrap_or_default()/>
                    <label for="kind-name">"Name"</label>
                    <input id="kind-name" name="name" type="text" required maxlength="60"
                        placeholder="e.g. Gas work" aria-describedby="kind-name-error"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                    <FieldError id="kind-name-error" field="name" error=save_error/>
                    <fieldset>
                        <legend>"Certificates this work needs"</legend>
                        {boxes}
                        // The choice travels as one field of ids, so the form keeps one argument.
                        <input type="hidden" name="certificate_types"
                            prop:value=move || chosen.with(|c| c.iter().map(i64::to_string).collect::<Vec<_>>().join(","))/>
                    </fieldset>
                    <FieldError id="kind-types-error" field="certificate_types" error=save_error/>
                    <FormError error=save_error/>
                    <div class="form-actions">
                        <button type="submit" disabled=move || save.pending().get()>
                            {move || if editing.get().is_some() { "Save changes" } else { "Add kind of work" }}
                        </button>
                        <Show when=move || editing.get().is_some()>
                            <button type="button" on:click=move |_| {
                                editing.set(None);
                                name.set(String::new());
                                chosen.set(Vec::new());
                            }>"Cancel"</button>
                        </Show>
                    </div>
                </ActionForm>
            </section>
        }
    });
    view! {
        <FormError error=delete_error/>
        <FieldError id="kind-delete-error" field="work_kind" error=delete_error/>
        {rows}
        {form}
    }
}
