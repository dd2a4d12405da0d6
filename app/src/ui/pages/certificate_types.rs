//! `/agent/certificate-types`: the built-in certificate types and the agency's own; agents who
//! manage certification add types and say which also apply to technicians. Served in islands
//! mode: the server renders the page, whose forms [`PostForm`] sends.

use crate::api::compliance::{
    list_certificate_types, CreateCertificateType, SetMinimumCover, SetTypeAppliesToTechnicians,
};
use crate::domain::certificate_reading::pounds;
use crate::domain::records::CertificateTypeRow;
use crate::ui::forms::LoadError;
use crate::ui::post_form::{FieldSlot, PostForm};
use crate::ui::resource::resource;
use crate::ui::session::use_viewer;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn CertificateTypesPage() -> impl IntoView {
    let types = resource(|| (), |_| list_certificate_types());
    let viewer = use_viewer();
    let content = move || {
        Suspend::new(async move {
            let can_manage =
                matches!(viewer.await, Ok(Some(v)) if v.permissions.manage_certification);
            match types.await {
                Ok(rows) => view! { <TypesTable rows can_manage/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Certificate types"/>
        <p><A href="/agent/certification">"← Contractor certification"</A></p>
        <h1>"Certificate types"</h1>
        <p class="hint">"A minimum cover (e.g. £5,000,000 for public liability, £10,000,000 for employers' liability) makes a document recording less count as not compliant."</p>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
        <section class="panel" aria-labelledby="new-type-heading">
            <h2 id="new-type-heading">"Add a certificate type"</h2>
            <PostForm action=CreateCertificateType::url().to_string()
                done="Certificate type added.".to_string() class="stacked-form".to_string()>
                <label for="type-name">"Name"</label>
                <input id="type-name" name="name" type="text" required maxlength="80"
                    placeholder="e.g. Gas Safe registration"
                    aria-describedby="type-name-error"/>
                <FieldSlot id="type-name-error" field="name"/>
                <label class="checkbox">
                    <input type="checkbox" name="applies_to_technicians"/>
                    " Also asked of technicians (accreditation)"
                </label>
                <div class="form-actions">
                    <button type="submit">"Add type"</button>
                </div>
            </PostForm>
        </section>
    }
}

#[component]
fn TypesTable(rows: Vec<CertificateTypeRow>, can_manage: bool) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|t| {
            view! {
                <tr>
                    <th scope="row">{t.name.clone()}</th>
                    <td>{if t.built_in { "Built in" } else { "Your agency's" }}</td>
                    <td>{t.required_of}</td>
                    <td>{applies_to_technicians(&t, can_manage)}</td>
                    <td>{minimum_cover(&t, can_manage)}</td>
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

/// Whether the type is also asked of technicians: a checkbox that saves as soon as it is
/// changed, for those who manage certification. The form sends the opposite of what the page
/// shows (the box itself has no name), so what it saves is what the box shows once ticked.
fn applies_to_technicians(t: &CertificateTypeRow, can_manage: bool) -> impl IntoView {
    let label = format!("{}: also asked of technicians", t.name);
    let applies = t.applies_to_technicians;
    let checkbox = move || {
        view! {
            <input type="checkbox" checked=applies disabled=!can_manage aria-label=label.clone()/>
        }
    };
    if !can_manage {
        return checkbox().into_any();
    }
    let done = if applies {
        format!("{} is no longer asked of technicians.", t.name)
    } else {
        format!("{} is now asked of technicians.", t.name)
    };
    let type_id = t.id.to_string();
    view! {
        <PostForm action=SetTypeAppliesToTechnicians::url().to_string() done auto=true
            key=type_id.clone() class="inline-form".to_string()>
            <input type="hidden" name="certificate_type_id" value=type_id/>
            <input type="hidden" name="applies" value=(!applies).to_string()/>
            {checkbox()}
        </PostForm>
    }
    .into_any()
}

/// The type's minimum cover: a small form for those who manage certification.
fn minimum_cover(t: &CertificateTypeRow, can_manage: bool) -> impl IntoView {
    let shown = t.minimum_cover.map(pounds);
    if !can_manage {
        return view! { <span>{shown.unwrap_or_else(|| "None".into())}</span> }.into_any();
    }
    let input_id = format!("minimum-cover-{}", t.id);
    let type_id = t.id.to_string();
    let label = format!("{}: minimum cover", t.name);
    let save = format!("Save the minimum cover of {}", t.name);
    let done = format!("Minimum cover of {} saved.", t.name);
    let value = t.minimum_cover.map(|m| m.to_string()).unwrap_or_default();
    let error_id = format!("{input_id}-error");
    view! {
        <PostForm action=SetMinimumCover::url().to_string() done key=type_id.clone()
            class="inline-form".to_string()>
            <input type="hidden" name="certificate_type_id" value=type_id/>
            <label for=input_id.clone() class="visually-hidden">{label}</label>
            <input id=input_id name="minimum" type="text" inputmode="decimal" size="12"
                placeholder="None" value=value aria-describedby=error_id.clone()/>
            <button type="submit" aria-label=save>"Save"</button>
            <FieldSlot id=error_id field="minimum_cover"/>
        </PostForm>
    }
    .into_any()
}
