//! The agency's settings, for administrators. Served in islands mode: the server renders the
//! form, which [`PostForm`] sends.

use crate::api::agency::{load_agency_settings, UpdateAgencySettings};
use crate::domain::dates::DateFormat;
use crate::domain::records::AgencySettings;
use crate::ui::forms::LoadError;
use crate::ui::post_form::{FieldSlot, PostForm};
use crate::ui::resource::resource;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = resource(|| (), |_| load_agency_settings());
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
            <PostForm action=UpdateAgencySettings::url().to_string() done="Settings saved.".to_string()
                class="stack-form".to_string()>
                <label for="name">"Agency name"</label>
                <input id="name" name="settings[name]" required value=s.name.clone() aria-describedby="name-error"/>
                <FieldSlot id="name-error" field="name"/>
                <label for="date_format">"Dates are written as"</label>
                <select id="date_format" name="settings[date_format]">{formats}</select>
                <label for="time_zone">"Time zone"</label>
                <input id="time_zone" name="settings[time_zone]" required value=s.time_zone.clone()
                    aria-describedby="time_zone-hint time_zone-error"/>
                <p class="hint" id="time_zone-hint">"A name such as Europe/London. Expiry is judged by the day in this zone."</p>
                <FieldSlot id="time_zone-error" field="time_zone"/>
                <label for="expiring_soon_days">"A certificate is \"expiring soon\" this many days before its end date"</label>
                <input id="expiring_soon_days" name="settings[expiring_soon_days]" type="number" min="1" max="365" required
                    value=s.expiring_soon_days.to_string() aria-describedby="expiring_soon_days-error"/>
                <FieldSlot id="expiring_soon_days-error" field="expiring_soon_days"/>
                <label for="daily_reminder_hour">"Each person's daily email (tasks to do, certificates awaited, chasing) goes from"</label>
                <select id="daily_reminder_hour" name="settings[daily_reminder_hour]">{hours}</select>
                <FieldSlot id="daily_reminder_hour-error" field="daily_reminder_hour"/>
                <fieldset>
                    <legend>"Chasing an outstanding certificate"</legend>
                    <p class="hint" id="chasing-hint">"Days after a certificate was asked for and not provided, or expired. Each step adds people to the daily email; an upload stops the chasing."</p>
                    <label for="chase_office_days">"The contractor's office address is chased after"</label>
                    <input id="chase_office_days" name="settings[chase_office_days]" type="number" min="0" max="365" required
                        value=s.chasing.office_days.to_string() aria-describedby="chasing-hint chase_office_days-error"/>
                    <FieldSlot id="chase_office_days-error" field="chase_office_days"/>
                    <label for="chase_office_users_days">"All the contractor's office users, after"</label>
                    <input id="chase_office_users_days" name="settings[chase_office_users_days]" type="number" min="0" max="365" required
                        value=s.chasing.office_users_days.to_string() aria-describedby="chase_office_users_days-error"/>
                    <FieldSlot id="chase_office_users_days-error" field="chase_office_users_days"/>
                    <label for="chase_agency_days">"Then the agency's compliance users, after"</label>
                    <input id="chase_agency_days" name="settings[chase_agency_days]" type="number" min="0" max="365" required
                        value=s.chasing.agency_days.to_string() aria-describedby="chase_agency_days-error"/>
                    <FieldSlot id="chase_agency_days-error" field="chase_agency_days"/>
                    <label for="suspend_after_days">"Suspend the contractor for new work after (empty: never)"</label>
                    <input id="suspend_after_days" name="settings[suspend_after_days]" type="number" min="0" max="365"
                        value=s.chasing.suspend_days.map(|d| d.to_string()).unwrap_or_default()
                        aria-describedby="suspend_after_days-hint suspend_after_days-error"/>
                    <p class="hint" id="suspend_after_days-hint">"A suspended contractor can't be given new work without the override; a valid certificate lifts it."</p>
                    <FieldSlot id="suspend_after_days-error" field="suspend_after_days"/>
                </fieldset>
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
                <button type="submit" class="primary">"Save settings"</button>
            </PostForm>
        }
    };
    let content = move || {
        Suspend::new(async move {
            match settings.await {
                Ok(s) => form(s).into_any(),
                Err(e) => view! { <LoadError e/> }.into_any(),
            }
        })
    };
    view! {
        <Title text="Agency settings"/>
        <h1>"Agency settings"</h1>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}
