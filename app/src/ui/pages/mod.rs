pub mod account;
pub mod admin;
pub mod agent;
pub mod api_keys;
pub mod calendar;
pub mod certificate_types;
pub mod contractor;
pub mod desk;
pub mod desk_quotes;
pub mod error;
pub mod home;
pub mod import;
pub mod instruct;
pub mod mailbox;
pub mod not_found;
pub mod preferences;
pub mod properties;
pub mod quotes;
pub mod service_work;
pub mod settings;
pub mod sign_in;
pub mod task;
pub mod team;
pub mod tech;
pub mod verify;
pub mod webhooks;
pub mod work_kinds;

use leptos::prelude::*;

/// Says what a page will hold while its feature is being built.
#[component]
pub fn Upcoming(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <p>{what}</p>
        </div>
    }
}
