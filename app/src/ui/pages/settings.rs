//! The agency's settings, for administrators.

use crate::api::agency::{load_agency_settings, UpdateAgencySettings};
use crate::domain::dates::DateFormat;
use crate::domain::records::AgencySettings;
use crate::ui::forms::{action_error, FieldError, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let save = ServerAction::<UpdateAgencySettings>::new();
    let settings = Resource::new(move || save.version().get(), |_| load_agency_settings());
    let error = action_error(save);
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    let form = move |s: AgencySettings| {
        let formats = [
            DateFormat::DayMonthYear,
            DateFormat::MonthDayYear,
            DateFormat::YearMonthDay,
        ]
        .into_iter()
        .map(|f| {
            view! { <option value=f.pattern() selected=f == s.date_format>{f.pattern()}</option> }
        })
        .collect_view();
        let hours = (0..24)
            .map(|h: i64| {
                view! {
                    <option value=h.to_string() selected=h == s.daily_reminder_hour>
                        {format!("{h:02}:00")}
                    </option>
                }
            })
            .collect_view();
        view! {
            <ActionForm action=save attr:class="stack-form">
                <label for="name">"Agency name"</label>
                <input id="name" name="settings[name]" required value=s.name.clone() aria-describedby="name-error"/>
                <FieldError id="name-error" field="name" error/>
                <label for="date_format">"Dates are written as"</label>
                <select id="date_format" name="settings[date_format]">{formats}</select>
                <label for="time_zone">"Time zone"</label>
                <input id="time_zone" name="settings[time_zone]" required value=s.time_zone.clone()
                    aria-describedby="time_zone-hint time_zone-error"/>
                <p class="hint" id="time_zone-hint">"A name such as Europe/London. Expiry is judged by the day in this zone."</p>
                <FieldError id="time_zone-error" field="time_zone" error/>
                <label for="expiring_soon_days">"A certificate is \"expiring soon\" this many days before its end date"</label>
                <input id="expiring_soon_days" name="settings[expiring_soon_days]" type="number" min="1" max="365" required
                    value=s.expiring_soon_days.to_string() aria-describedby="expiring_soon_days-error"/>
                <FieldError id="expiring_soon_days-error" field="expiring_soon_days" error/>
                <label for="daily_reminder_hour">"Contractors and technicians with open work get their \"Tasks to do\" email each day from"</label>
                <select id="daily_reminder_hour" name="settings[daily_reminder_hour]">{hours}</select>
                <FieldError id="daily_reminder_hour-error" field="daily_reminder_hour" error/>
                <fieldset>
                    <legend>"The email a contractor receives for a new task adds"</legend>
                    <label class="checkbox">
                        <input type="checkbox" name="settings[email_description]" checked=s.email_description/>
                        " the task's description"
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="settings[email_access_details]" checked=s.email_access_details/>
                        " the property's access details"
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="settings[email_purchase_order]" checked=s.email_purchase_order/>
                        " the purchase order"
                    </label>
                    <p class="hint">"It always has the reference, title, address, due date and a link to the task, and lists any certificates the contractor still owes you."</p>
                </fieldset>
                <FormError error/>
                <button type="submit" class="primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
                </button>
            </ActionForm>
        }
    };
    let content = move || {
        Suspend::new(async move {
            match settings.await {
                Ok(s) => form(s).into_any(),
                Err(e) => {
                    view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any()
                }
            }
        })
    };
    view! {
        <Title text="Agency settings"/>
        <h1>"Agency settings"</h1>
        <Show when=saved>
            <p class="form-success" role="status">"Settings saved."</p>
        </Show>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}
