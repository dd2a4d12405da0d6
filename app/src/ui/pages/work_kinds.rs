//! `/agent/kinds-of-work`: the agency's kinds of work (requirement profiles) and the certificates
//! each needs. Tasks of a kind are judged on those certificates, today and on the day of the work.
//! Served in islands mode: the server renders the page (`?edit=ID` opens a kind in the form),
//! whose forms [`PostForm`] sends.

use crate::api::compliance::list_certificate_types;
use crate::api::work_kinds::{list_work_kinds, DeleteWorkKind, SaveWorkKind};
use crate::domain::records::{CertificateTypeRow, WorkKindRow};
use crate::ui::forms::LoadError;
use crate::ui::post_form::{FieldSlot, PostForm};
use crate::ui::resource::resource;
use crate::ui::session::use_viewer;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

/// The page itself, where a saved form leads.
const PAGE: &str = "/agent/kinds-of-work";

#[component]
pub fn WorkKindsPage() -> impl IntoView {
    let kinds = resource(|| (), |_| list_work_kinds());
    let types = resource(|| (), |_| list_certificate_types());
    let viewer = use_viewer();
    let query = use_query_map();
    let content = move || {
        Suspend::new(async move {
            let can_manage =
                matches!(viewer.await, Ok(Some(v)) if v.permissions.manage_certification);
            match (kinds.await, types.await) {
                (Ok(kinds), Ok(types)) => {
                    // The kind being changed, if it is one of the agency's.
                    let editing = query
                        .read()
                        .get("edit")
                        .and_then(|id| id.parse::<i64>().ok())
                        .and_then(|id| kinds.iter().find(|k| k.id == id).cloned());
                    view! {
                        <KindsTable kinds can_manage/>
                        {can_manage.then(|| view! { <KindForm types editing/> })}
                    }
                    .into_any()
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
fn KindsTable(kinds: Vec<WorkKindRow>, can_manage: bool) -> impl IntoView {
    if kinds.is_empty() {
        return view! {
            <p class="empty-state">"No kinds of work yet. Add one below, e.g. \"Gas work\" needing gas safety and public liability."</p>
        }
        .into_any();
    }
    let rows = kinds
        .into_iter()
        .map(|k| {
            let needs = k
                .types
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            let name = k.name.clone();
            let actions = can_manage.then(|| {
                let question = format!(
                    "Remove the kind of work \"{}\"? Contractors lose it; their certificates stay required.",
                    name
                );
                view! {
                    <a href=format!("{PAGE}?edit={}#kind-form", k.id) aria-label=format!("Edit {name}")>
                        "Edit"
                    </a>
                    " "
                    <PostForm action=DeleteWorkKind::url().to_string()
                        done=format!("{name} removed.") confirm=question key=k.id.to_string()
                        class="inline-form".to_string()>
                        <input type="hidden" name="id" value=k.id.to_string()/>
                        <button type="submit" class="danger" aria-label=format!("Remove {name}")>
                            "Remove"
                        </button>
                    </PostForm>
                }
            });
            view! {
                <tr>
                    <th scope="row">{k.name.clone()}</th>
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
}

/// Adds a kind of work, or changes `editing`; once saved, the page opens again without it.
#[component]
fn KindForm(types: Vec<CertificateTypeRow>, editing: Option<WorkKindRow>) -> impl IntoView {
    let chosen: Vec<i64> = editing
        .as_ref()
        .map(|k| k.types.iter().map(|(id, _)| *id).collect())
        .unwrap_or_default();
    let boxes = types
        .into_iter()
        .map(|t| {
            view! {
                <label class="checkbox">
                    <input type="checkbox" data-join="certificate_types" value=t.id.to_string()
                        checked=chosen.contains(&t.id)/>
                    " " {t.name}
                </label>
            }
        })
        .collect_view();
    let shown = chosen
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let is_edit = editing.is_some();
    let (heading, done) = match &editing {
        Some(k) => ("Change the kind of work", format!("{} saved.", k.name)),
        None => ("Add a kind of work", "Kind of work added.".to_string()),
    };
    view! {
        <section class="panel" id="kind-form" aria-labelledby="kind-form-heading">
            <h2 id="kind-form-heading">{heading}</h2>
            <PostForm action=SaveWorkKind::url().to_string() done then=PAGE.to_string()
                class="stacked-form".to_string()>
                {editing.as_ref().map(|k| view! { <input type="hidden" name="id" value=k.id.to_string()/> })}
                <label for="kind-name">"Name"</label>
                <input id="kind-name" name="name" type="text" required maxlength="60"
                    placeholder="e.g. Gas work" aria-describedby="kind-name-error"
                    value=editing.as_ref().map(|k| k.name.clone()).unwrap_or_default()/>
                <FieldSlot id="kind-name-error" field="name"/>
                <fieldset aria-describedby="kind-types-error">
                    <legend>"Certificates this work needs"</legend>
                    {boxes}
                    // The choice travels as one field of ids, so the form keeps one argument.
                    <input type="hidden" name="certificate_types" data-joins="" value=shown/>
                </fieldset>
                <FieldSlot id="kind-types-error" field="certificate_types"/>
                <div class="form-actions">
                    <button type="submit">{if is_edit { "Save changes" } else { "Add kind of work" }}</button>
                    {is_edit.then(|| view! { <a href=PAGE class="button">"Cancel"</a> })}
                </div>
            </PostForm>
        </section>
    }
}
