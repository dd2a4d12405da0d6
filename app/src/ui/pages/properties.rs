//! `/agent/properties`: the agency's properties, which tasks are sent for. Agents who instruct
//! works add them and correct an address or access details; the others read them.

use crate::api::properties::{list_properties, SaveProperty};
use crate::domain::properties::PropertyDetails;
use crate::domain::records::PropertyRow;
use crate::ui::forms::{action_error, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::session::use_viewer;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PropertiesPage() -> impl IntoView {
    let saved = RwSignal::new(0u64);
    // The property being corrected; none: the form adds a new one.
    let editing = RwSignal::new(None::<PropertyRow>);
    let notice = RwSignal::new(None::<String>);
    let properties = resource(move || saved.get(), |_| list_properties());
    let viewer = use_viewer();
    let content = move || {
        Suspend::new(async move {
            let can_edit = matches!(viewer.await, Ok(Some(v)) if v.permissions.instruct_work);
            match properties.await {
                Ok(rows) if rows.is_empty() => view! {
                    <div class="empty-state" role="status"><p>"No properties yet. Add the first one below, then instruct works for it."</p></div>
                }
                .into_any(),
                Ok(rows) => view! { <PropertyTable rows can_edit editing/> }.into_any(),
                Err(e) => {
                    view! { <LoadError e/> }.into_any()
                }
            }
        })
    };
    let form = move || {
        Suspend::new(async move {
            let can_edit = matches!(viewer.await, Ok(Some(v)) if v.permissions.instruct_work);
            // A new form each time the property changes, so its fields start from that one.
            can_edit.then_some(
                move || view! { <PropertyForm current=editing.get() editing saved notice/> },
            )
        })
    };
    view! {
        <Title text="Properties"/>
        <h1>"Properties"</h1>
        {move || notice.get().map(|n| view! { <p class="form-success" role="status">{n}</p> })}
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
        <Transition fallback=|| ()>{form}</Transition>
    }
}

#[component]
fn PropertyTable(
    rows: Vec<PropertyRow>,
    can_edit: bool,
    editing: RwSignal<Option<PropertyRow>>,
) -> impl IntoView {
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
                let row = row.clone();
                view! {
                    <button type="button" class="link-button" aria-label=label
                        on:click=move |_| editing.set(Some(row.clone()))>"Edit"</button>
                }
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

#[component]
fn PropertyForm(
    current: Option<PropertyRow>,
    editing: RwSignal<Option<PropertyRow>>,
    saved: RwSignal<u64>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let save = ServerAction::<SaveProperty>::new();
    let error = action_error(save);
    let id = current.as_ref().map(|p| p.id);
    let d = current.map(|p| p.details).unwrap_or_default();
    let heading = if id.is_some() {
        format!("Correct {}", d.address_line1)
    } else {
        "Add a property".to_string()
    };
    let is_edit = id.is_some();
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            notice.set(Some(if is_edit {
                "Property saved. Open tasks show the new details.".into()
            } else {
                "Property added. You can now instruct works for it.".into()
            }));
            editing.set(None);
            saved.update(|v| *v += 1);
        }
    });
    let PropertyDetails {
        address_line1,
        address_line2,
        town,
        postcode,
        access_details,
        contact_phone,
    } = d;
    view! {
        <section class="panel" aria-labelledby="property-form-heading">
            <h2 id="property-form-heading">{heading}</h2>
            <ActionForm action=save attr:class="stacked-form">
                {id.map(|id| view! { <input type="hidden" name="id" value=id.to_string()/> })}
                <label for="property-line1">"Address line 1"</label>
                <input id="property-line1" name="property[address_line1]" type="text" required
                    maxlength="120" autocomplete="address-line1" value=address_line1
                    aria-describedby="property-line1-error"/>
                <FieldError id="property-line1-error" field="address_line1" error/>
                <label for="property-line2">"Address line 2 (optional)"</label>
                <input id="property-line2" name="property[address_line2]" type="text"
                    maxlength="120" autocomplete="address-line2" value=address_line2/>
                <div class="field-row">
                    <div>
                        <label for="property-town">"Town"</label>
                        <input id="property-town" name="property[town]" type="text" required
                            maxlength="80" autocomplete="address-level2" value=town
                            aria-describedby="property-town-error"/>
                        <FieldError id="property-town-error" field="town" error/>
                    </div>
                    <div>
                        <label for="property-postcode">"Postcode"</label>
                        <input id="property-postcode" name="property[postcode]" type="text" required
                            maxlength="10" autocomplete="postal-code" value=postcode
                            aria-describedby="property-postcode-error"/>
                        <FieldError id="property-postcode-error" field="postcode" error/>
                    </div>
                </div>
                <label for="property-access">"Access details (optional)"</label>
                <textarea id="property-access" name="property[access_details]" rows="2"
                    maxlength="1000" placeholder="e.g. Key safe by the back door, code from the office"
                    aria-describedby="property-access-error">{access_details}</textarea>
                <FieldError id="property-access-error" field="access_details" error/>
                <label for="property-contact">"Contact phone on site (optional)"</label>
                <input id="property-contact" name="property[contact_phone]" type="tel"
                    maxlength="30" autocomplete="off" value=contact_phone
                    placeholder="A tenant or key holder; technicians can tap to call"
                    aria-describedby="property-contact-error"/>
                <FieldError id="property-contact-error" field="contact_phone" error/>
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" disabled=move || save.pending().get()>
                        {move || match (save.pending().get(), is_edit) {
                            (true, _) => "Saving…",
                            (false, true) => "Save property",
                            (false, false) => "Add property",
                        }}
                    </button>
                    {is_edit.then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| editing.set(None)>
                            "Cancel"
                        </button>
                    })}
                </div>
            </ActionForm>
        </section>
    }
}
