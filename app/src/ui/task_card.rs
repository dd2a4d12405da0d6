//! A task as a card: reference, title, address, status and dates in the agency's format.

use crate::domain::dates::DateFormat;
use crate::domain::records::TaskSummary;
use crate::domain::tech_day::{maps_url, tel_url};
use leptos::prelude::*;
use leptos_router::components::A;

/// A task's card. On the Tech view (`on_phone`) it sits under a section's heading and offers
/// directions to the address and a call to the contact on site, big enough for a thumb.
pub(crate) fn task_card(
    task: TaskSummary,
    format: DateFormat,
    link_base: &'static str,
    on_phone: bool,
) -> impl IntoView {
    let date = move |label: &'static str, d: Option<chrono::NaiveDate>| {
        d.map(|d| view! { <span class="task-date">{label} " " {format.format(d)}</span> })
    };
    let link = view! { <A href=format!("{link_base}/{}", task.id)>{task.title.clone()}</A> };
    let title = if on_phone {
        view! { <h3 class="task-title">{link}</h3> }.into_any()
    } else {
        view! { <h2 class="task-title">{link}</h2> }.into_any()
    };
    let actions = on_phone.then(|| {
        let call = task.contact_phone.clone().map(|phone| {
            view! {
                <a class="button secondary" href=tel_url(&phone)
                    aria-label=format!("Call {phone}, the contact at {}", task.address)>
                    "Call " {phone.clone()}
                </a>
            }
        });
        view! {
            <p class="task-actions">
                <a class="button secondary" href=maps_url(&task.address) target="_blank" rel="noopener"
                    aria-label=format!("Directions to {}", task.address)>"Directions"</a>
                {call}
            </p>
        }
    });
    view! {
        <li class="task-card card" data-reference=task.reference.clone()>
            <div class="task-head">
                <span class="task-ref">{task.reference.clone()}</span>
                <span class=format!("task-status status-{}", task.status.as_str())>{task.status.label()}</span>
            </div>
            {title}
            <p class="task-address">{task.address.clone()}</p>
            <p class="task-dates">
                {date("Due", task.due_date)}
                {date("Scheduled", task.scheduled_date)}
                {task.archived.then_some(view! { <span class="task-archived">"Archived"</span> })}
            </p>
            {actions}
        </li>
    }
}
