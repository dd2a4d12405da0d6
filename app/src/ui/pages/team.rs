//! `/desk/team`: the contractor's office manages its technicians (who sign in by emailed link)
//! and uploads their accreditations, which tasks may require.

use crate::api::team::{load_team, AddTechnician, UpdateTechnician};
use crate::domain::dates::DateFormat;
use crate::domain::records::{Team, TeamMember};
use crate::ui::forms::{action_error, reload_on_success, FieldError, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::send_form::{sending_form, SendProgress};
use crate::ui::session::{confirm, date_format, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TeamPage() -> impl IntoView {
    let changed = RwSignal::new(0u64);
    let team = resource(move || changed.get(), |_| load_team());
    let viewer = use_viewer();
    let content = move || {
        Suspend::new(async move {
            let format = date_format(viewer).await;
            match team.await {
                Ok(team) => view! { <TeamView team format changed/> }.into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Team"/>
        <h1>"Team"</h1>
        <p class="hint">"Your technicians sign in from their phones with a link emailed to them; they never need a password."</p>
        <Transition fallback=|| view! { <p role="status">"Loading the team…"</p> }>{content}</Transition>
        <AddTechnicianForm changed/>
    }
}

#[component]
fn TeamView(team: Team, format: DateFormat, changed: RwSignal<u64>) -> impl IntoView {
    let update = ServerAction::<UpdateTechnician>::new();
    reload_on_success(update, changed);
    let update_error = action_error(update);
    let uploadable = !team.members.iter().all(|m| !m.active) && !team.technician_types.is_empty();
    let upload = uploadable.then(|| {
        view! {
            <AccreditationForm members=team.members.clone() types=team.technician_types.clone() changed/>
        }
    });
    let no_types = team.technician_types.is_empty().then(|| view! {
        <p class="hint">"The agency has not asked for any accreditations of technicians yet."</p>
    });
    let table = if team.members.is_empty() {
        view! {
            <div class="empty-state" role="status"><p>"No technicians yet. Add the first one below."</p></div>
        }
        .into_any()
    } else {
        let rows = team
            .members
            .into_iter()
            .map(|m| member_row(m, format, update))
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="data-table" data-testid="team">
                    <caption class="visually-hidden">"Technicians"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Technician"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Mobile"</th>
                            <th scope="col">"Accreditations"</th>
                            <th scope="col">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <FormError error=update_error/>
        {table}
        {no_types}
        {upload}
    }
}

fn member_row(
    m: TeamMember,
    format: DateFormat,
    update: ServerAction<UpdateTechnician>,
) -> impl IntoView {
    let accreditations = if m.accreditations.is_empty() {
        view! { <span class="hint">"None uploaded"</span> }.into_any()
    } else {
        let items = m
            .accreditations
            .iter()
            .map(|a| {
                let until = a
                    .end_date
                    .map(|d| format!(" until {}", format.format(d)))
                    .unwrap_or_default();
                let name = if a.has_file {
                    view! { <a href=format!("/files/accreditations/{}", a.id) download="">{a.type_name.clone()}</a> }.into_any()
                } else {
                    a.type_name.clone().into_any()
                };
                view! {
                    <li>
                        {name}
                        {until}
                        {a.expired.then_some(view! { " " <strong class="status-expired">"Expired"</strong> })}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list">{items}</ul> }.into_any()
    };
    let id = m.id;
    let name = m.name.clone();
    let mobile = m.mobile.clone().unwrap_or_default();
    let active = m.active;
    let toggle = move |_| {
        if active
            && !confirm(&format!(
                "Make {name} inactive? They are signed out at once and cannot be assigned tasks."
            ))
        {
            return;
        }
        update.dispatch(UpdateTechnician {
            technician_id: id,
            name: name.clone(),
            mobile: mobile.clone(),
            active: !active,
        });
    };
    view! {
        <tr class:inactive=!m.active>
            <th scope="row">{m.name.clone()}</th>
            <td>{m.email}</td>
            <td>{m.mobile.unwrap_or_default()}</td>
            <td>{accreditations}</td>
            <td>
                {if m.active { "Active" } else { "Inactive" }} " "
                <button type="button" class="link-button" on:click=toggle
                    aria-label=format!("{} {}", if m.active { "Make inactive:" } else { "Make active:" }, m.name)>
                    {if m.active { "Make inactive" } else { "Make active" }}
                </button>
            </td>
        </tr>
    }
}

#[component]
fn AddTechnicianForm(changed: RwSignal<u64>) -> impl IntoView {
    let add = ServerAction::<AddTechnician>::new();
    reload_on_success(add, changed);
    let error = action_error(add);
    let added = move || {
        matches!(add.value().get(), Some(Ok(_))).then(|| {
            view! { <p class="form-success" role="status">"Technician added. Assign them tasks from the Desk view."</p> }
        })
    };
    view! {
        <section class="panel" aria-labelledby="add-technician-heading">
            <h2 id="add-technician-heading">"Add a technician"</h2>
            <ActionForm action=add attr:class="stacked-form">
                <label for="technician-name">"Name"</label>
                <input id="technician-name" name="technician[name]" type="text" required maxlength="100"
                    autocomplete="off" aria-describedby="technician-name-error"/>
                <FieldError id="technician-name-error" field="name" error/>
                <label for="technician-email">"Email (their sign-in links go here)"</label>
                <input id="technician-email" name="technician[email]" type="email" required
                    autocomplete="off" aria-describedby="technician-email-error"/>
                <FieldError id="technician-email-error" field="email" error/>
                <label for="technician-mobile">"Mobile (optional)"</label>
                <input id="technician-mobile" name="technician[mobile]" type="tel" maxlength="30"
                    autocomplete="off" aria-describedby="technician-mobile-error"/>
                <FieldError id="technician-mobile-error" field="mobile" error/>
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" disabled=move || add.pending().get()>"Add technician"</button>
                    {added}
                </div>
            </ActionForm>
        </section>
    }
}

/// Uploads an accreditation for one of the active technicians.
#[component]
fn AccreditationForm(
    members: Vec<TeamMember>,
    types: Vec<(i64, String)>,
    changed: RwSignal<u64>,
) -> impl IntoView {
    let technician = RwSignal::new(
        members
            .iter()
            .find(|m| m.active)
            .map(|m| m.id)
            .unwrap_or_default(),
    );
    let uploaded = RwSignal::new(0u64);
    // The address depends on the technician chosen, so the handler is made per choice.
    Effect::new(move |_| {
        if uploaded.get() > 0 {
            changed.update(|v| *v += 1);
        }
    });
    let people = members
        .into_iter()
        .filter(|m| m.active)
        .map(|m| view! { <option value=m.id.to_string()>{m.name}</option> })
        .collect_view();
    // Options are made afresh each time the form is (a type-erased view is not Clone).
    let type_options = move || {
        types
            .iter()
            .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
            .collect_view()
    };
    let form = move || {
        let (state, error, on_submit) = sending_form(
            format!("/files/technicians/{}/accreditations", technician.get()),
            uploaded,
        );
        view! {
            <form class="stacked-form upload-form" method="post" enctype="multipart/form-data"
                action=format!("/files/technicians/{}/accreditations", technician.get_untracked())
                on:submit=on_submit>
                <label for="accreditation-type">"Certificate type"</label>
                <select id="accreditation-type" name="certificate_type_id">{type_options()}</select>
                <FieldError id="accreditation-type-error" field="certificate_type_id" error/>
                <div class="field-row">
                    <div>
                        <label for="accreditation-start">"Start date"</label>
                        <input id="accreditation-start" type="date" name="start_date"/>
                        <FieldError id="accreditation-start-error" field="start_date" error/>
                    </div>
                    <div>
                        <label for="accreditation-end">"End date"</label>
                        <input id="accreditation-end" type="date" name="end_date"/>
                        <FieldError id="accreditation-end-error" field="end_date" error/>
                    </div>
                </div>
                <label for="accreditation-file">"File (PDF, JPEG, PNG or HEIC, up to 10 MB)"</label>
                <input id="accreditation-file" type="file" name="file" required
                    accept=".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/*"/>
                <FieldError id="accreditation-file-error" field="file" error/>
                <FormError error/>
                <SendProgress state/>
                <div class="form-actions">
                    <button type="submit" disabled=move || state.get().busy()>"Upload accreditation"</button>
                </div>
            </form>
        }
    };
    view! {
        <section class="panel" aria-labelledby="accreditation-heading">
            <h2 id="accreditation-heading">"Upload an accreditation"</h2>
            <label for="accreditation-technician">"Technician"</label>
            <select id="accreditation-technician"
                on:change=move |ev| technician.set(event_target_value(&ev).parse().unwrap_or_default())>
                {people}
            </select>
            {form}
        </section>
    }
}
