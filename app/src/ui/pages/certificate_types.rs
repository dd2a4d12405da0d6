//! `/agent/certificate-types`: the built-in certificate types and the agency's own; agents who
//! manage certification add types and say which also apply to technicians.

use crate::api::compliance::{
    list_certificate_types, CreateCertificateType, SetMinimumCover, SetTypeAppliesToTechnicians,
};
use crate::domain::certificate_reading::pounds;
use crate::domain::records::CertificateTypeRow;
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::session::use_viewer;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn CertificateTypesPage() -> impl IntoView {
    let create = ServerAction::<CreateCertificateType>::new();
    let toggle = ServerAction::<SetTypeAppliesToTechnicians>::new();
    let cover = ServerAction::<SetMinimumCover>::new();
    let types = resource(
        move || {
            (
                create.version().get(),
                toggle.version().get(),
                cover.version().get(),
            )
        },
        |_| list_certificate_types(),
    );
    let viewer = use_viewer();
    let create_error = action_error(create);
    let toggle_error = action_error(toggle);
    let cover_error = action_error(cover);
    let content = move || {
        Suspend::new(async move {
            let can_manage =
                matches!(viewer.await, Ok(Some(v)) if v.permissions.manage_certification);
            match types.await {
                Ok(rows) => view! { <TypesTable rows can_manage toggle cover/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    let created = move || {
        matches!(create.value().get(), Some(Ok(())))
            .then(|| view! { <p class="form-success" role="status">"Certificate type added."</p> })
    };
    view! {
        <Title text="Certificate types"/>
        <p><A href="/agent/certification">"← Contractor certification"</A></p>
        <h1>"Certificate types"</h1>
        <FormError error=toggle_error/>
        <FormError error=cover_error/>
        <p class="hint">"A minimum cover (e.g. £5,000,000 for public liability, £10,000,000 for employers' liability) makes a document recording less count as not compliant."</p>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
        <section class="panel" aria-labelledby="new-type-heading">
            <h2 id="new-type-heading">"Add a certificate type"</h2>
            <ActionForm action=create attr:class="stacked-form">
                <label for="type-name">"Name"</label>
                <input id="type-name" name="name" type="text" required maxlength="80"
                    placeholder="e.g. Gas Safe registration"
                    aria-describedby="type-name-error"/>
                <FieldError id="type-name-error" field="name" error=create_error/>
                <label class="checkbox">
                    <input type="checkbox" name="applies_to_technicians"/>
                    " Also asked of technicians (accreditation)"
                </label>
                <FormError error=create_error/>
                <div class="form-actions">
                    <button type="submit" disabled=move || create.pending().get()>"Add type"</button>
                    {created}
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn TypesTable(
    rows: Vec<CertificateTypeRow>,
    can_manage: bool,
    toggle: ServerAction<SetTypeAppliesToTechnicians>,
    cover: ServerAction<SetMinimumCover>,
) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|t| {
            let id = t.id;
            let name = t.name.clone();
            view! {
                <tr>
                    <th scope="row">{t.name.clone()}</th>
                    <td>{if t.built_in { "Built in" } else { "Your agency's" }}</td>
                    <td>{t.required_of}</td>
                    <td>
                        <input type="checkbox" prop:checked=t.applies_to_technicians
                            disabled=!can_manage
                            aria-label=format!("{name}: also asked of technicians")
                            on:change=move |ev| {
                                toggle.dispatch(SetTypeAppliesToTechnicians {
                                    certificate_type_id: id,
                                    applies: event_target_checked(&ev),
                                });
                            }/>
                    </td>
                    <td>{minimum_cover(&t, can_manage, cover)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="history">
            <caption class="visually-hidden">"Certificate types"</caption>
            <thead>
                <tr>
                    <th scope="col">"Certificate type"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"Required of contractors"</th>
                    <th scope="col">"Technicians"</th>
                    <th scope="col">"Minimum cover"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The type's minimum cover: a small form for those who manage certification.
fn minimum_cover(
    t: &CertificateTypeRow,
    can_manage: bool,
    cover: ServerAction<SetMinimumCover>,
) -> impl IntoView {
    let shown = t.minimum_cover.map(pounds);
    if !can_manage {
        return view! { <span>{shown.unwrap_or_else(|| "None".into())}</span> }.into_any();
    }
    let input_id = format!("minimum-cover-{}", t.id);
    let type_id = t.id.to_string();
    let label = format!("{}: minimum cover", t.name);
    let save = format!("Save the minimum cover of {}", t.name);
    let value = t.minimum_cover.map(|m| m.to_string()).unwrap_or_default();
    view! {
        <ActionForm action=cover attr:class="inline-form">
            <input type="hidden" name="certificate_type_id" value=type_id/>
            <label for=input_id.clone() class="visually-hidden">{label}</label>
            <input id=input_id name="minimum" type="text" inputmode="decimal" size="12"
                placeholder="None" value=value/>
            <button type="submit" aria-label=save>"Save"</button>
        </ActionForm>
    }
    .into_any()
}
