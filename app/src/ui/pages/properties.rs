//! `/agent/properties`: the agency's properties, which tasks are sent for. Agents who instruct
//! works add them and correct an address or access details (`?edit=ID` opens one in the form);
//! the others read them. Served in islands mode: the server renders the page, whose form
//! [`PostForm`] sends.

use crate::api::properties::{list_properties, SaveProperty};
use crate::domain::properties::PropertyDetails;
use crate::domain::records::PropertyRow;
use crate::ui::forms::LoadError;
use crate::ui::post_form::{FieldSlot, PostForm};
use crate::ui::resource::resource;
use crate::ui::session::use_viewer;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The page itself, where a saved form leads.
const PAGE: &str = "/agent/properties";

#[component]
pub fn PropertiesPage() -> impl IntoView {
    let properties = resource(|| (), |_| list_properties());
    let viewer = use_viewer();
    let query = use_query_map();
    let content = move || {
        Suspend::new(async move {
            let can_edit = matches!(viewer.await, Ok(Some(v)) if v.permissions.instruct_work);
            let rows = match properties.await {
                Ok(rows) => rows,
                Err(e) => return view! { <LoadError e/> }.into_any(),
            };
            // The property being corrected, if it is one of the agency's; otherwise the form
            // adds a new one.
            let editing = query
                .read()
                .get("edit")
                .and_then(|id| id.parse::<i64>().ok())
                .and_then(|id| rows.iter().find(|p| p.id == id).cloned());
            let table = if rows.is_empty() {
                view! {
                    <div class="empty-state" role="status"><p>"No properties yet. Add the first one below, then instruct works for it."</p></div>
                }
                .into_any()
            } else {
                view! { <PropertyTable rows can_edit/> }.into_any()
            };
            view! {
                {table}
                {can_edit.then(|| view! { <PropertyForm current=editing/> })}
            }
            .into_any()
        })
    };
    view! {
        <Title text="Properties"/>
        <h1>"Properties"</h1>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}

#[component]
fn PropertyTable(rows: Vec<PropertyRow>, can_edit: bool) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|row| {
            let d = &row.details;
            let address = [
                d.address_line1.as_str(),
                d.address_line2.as_str(),
                d.town.as_str(),
            ]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
            let label = format!("Edit {}", d.address_line1);
            let access = if d.access_details.is_empty() {
                "—".to_string()
            } else {
                d.access_details.clone()
            };
            let postcode = d.postcode.clone();
            let open = row.open_tasks;
            let edit = can_edit.then(|| {
                let href = format!("{PAGE}?edit={}#property-form", row.id);
                view! { <a href=href aria-label=label>"Edit"</a> }
            });
            view! {
                <tr>
                    <th scope="row">{address}</th>
                    <td>{postcode}</td>
                    <td>{access}</td>
                    <td>{open}</td>
                    <td>{edit}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
        <table class="data-table" data-testid="properties">
            <caption class="visually-hidden">"Properties"</caption>
            <thead>
                <tr>
                    <th scope="col">"Address"</th>
                    <th scope="col">"Postcode"</th>
                    <th scope="col">"Access details"</th>
                    <th scope="col">"Open tasks"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
}

/// Adds a property, or corrects `current`; once saved, the page opens again without the one
/// being corrected.
#[component]
fn PropertyForm(current: Option<PropertyRow>) -> impl IntoView {
    let id = current.as_ref().map(|p| p.id);
    let d = current.map(|p| p.details).unwrap_or_default();
    let is_edit = id.is_some();
    let heading = if is_edit {
        format!("Correct {}", d.address_line1)
    } else {
        "Add a property".to_string()
    };
    let done = if is_edit {
        "Property saved. Open tasks show the new details."
    } else {
        "Property added. You can now instruct works for it."
    };
    let PropertyDetails {
        address_line1,
        address_line2,
        town,
        postcode,
        access_details,
        contact_phone,
    } = d;
    view! {
        <section class="panel" id="property-form" aria-labelledby="property-form-heading">
            <h2 id="property-form-heading">{heading}</h2>
            <PostForm action=SaveProperty::url().to_string() done=done.to_string()
                then=PAGE.to_string() class="stacked-form".to_string()>
                {id.map(|id| view! { <input type="hidden" name="id" value=id.to_string()/> })}
                <label for="property-line1">"Address line 1"</label>
                <input id="property-line1" name="property[address_line1]" type="text" required
                    maxlength="120" autocomplete="address-line1" value=address_line1
                    aria-describedby="property-line1-error"/>
                <FieldSlot id="property-line1-error" field="address_line1"/>
                <label for="property-line2">"Address line 2 (optional)"</label>
                <input id="property-line2" name="property[address_line2]" type="text"
                    maxlength="120" autocomplete="address-line2" value=address_line2/>
                <div class="field-row">
                    <div>
                        <label for="property-town">"Town"</label>
                        <input id="property-town" name="property[town]" type="text" required
                            maxlength="80" autocomplete="address-level2" value=town
                            aria-describedby="property-town-error"/>
                        <FieldSlot id="property-town-error" field="town"/>
                    </div>
                    <div>
                        <label for="property-postcode">"Postcode"</label>
                        <input id="property-postcode" name="property[postcode]" type="text" required
                            maxlength="10" autocomplete="postal-code" value=postcode
                            aria-describedby="property-postcode-error"/>
                        <FieldSlot id="property-postcode-error" field="postcode"/>
                    </div>
                </div>
                <label for="property-access">"Access details (optional)"</label>
                <textarea id="property-access" name="property[access_details]" rows="2"
                    maxlength="1000" placeholder="e.g. Key safe by the back door, code from the office"
                    aria-describedby="property-access-error">{access_details}</textarea>
                <FieldSlot id="property-access-error" field="access_details"/>
                <label for="property-contact">"Contact phone on site (optional)"</label>
                <input id="property-contact" name="property[contact_phone]" type="tel"
                    maxlength="30" autocomplete="off" value=contact_phone
                    placeholder="A tenant or key holder; technicians can tap to call"
                    aria-describedby="property-contact-error"/>
                <FieldSlot id="property-contact-error" field="contact_phone"/>
                <div class="form-actions">
                    <button type="submit">{if is_edit { "Save property" } else { "Add property" }}</button>
                    {is_edit.then(|| view! { <a href=PAGE class="button">"Cancel"</a> })}
                </div>
            </PostForm>
        </section>
    }
}
