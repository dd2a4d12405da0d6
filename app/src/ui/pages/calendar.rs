//! `/calendar`: a person's private calendar address (ICS) for the calendar app on their phone or
//! computer. The address is shown once when made; making another stops the old one.
//!
//! Served in islands mode (a technician's phone reaches it from the Tech view).

use crate::api::calendar::{calendar_status, MakeCalendarLink, StopCalendarLink};
use crate::ui::forms::{action_error, FormError, LoadError};
use crate::ui::resource::resource;
use crate::ui::session::confirm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CalendarPage() -> impl IntoView {
    view! {
        <Title text="Calendar"/>
        <h1>"Calendar"</h1>
        <CalendarAddress/>
    }
}

/// The address, its state, and making or stopping it: the whole page but its title. Lazy: the
/// Tech view's pages do not show it. (Tried: the state given as props by the server-rendered
/// page, loaded again after a change. Its own file weighed 11.8 KB on the wire instead of 36.3,
/// but the islands client every Tech view page loads grew by 3.9 KB gzip; cause not found.)
#[island(lazy)]
fn CalendarAddress() -> impl IntoView {
    let make = ServerAction::<MakeCalendarLink>::new();
    let stop = ServerAction::<StopCalendarLink>::new();
    let status = resource(
        move || (make.version().get(), stop.version().get()),
        |_| calendar_status(),
    );
    let make_error = action_error(make);
    let stop_error = action_error(stop);
    // The address just made, until it is stopped.
    let shown = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(url)) = make.value().get() {
            shown.set(Some(url));
        }
    });
    let content = move || {
        Suspend::new(async move {
            let s = match status.await {
                Ok(s) => s,
                Err(e) => return view! { <LoadError e/> }.into_any(),
            };
            let has = s.made.is_some();
            view! {
                <p>{format!("Your calendar shows {}. Entries are whole days; your calendar app reads the address again every few hours.", s.kind.describe())}</p>
                <p data-testid="calendar-status">{match (&s.made, &s.last_read) {
                    (Some(made), Some(read)) => format!("Your address was made {made} and last read {read}."),
                    (Some(made), None) => format!("Your address was made {made}; no calendar has read it yet."),
                    _ => "You have no calendar address.".to_string(),
                }}</p>
                <div class="button-row">
                    <button type="button" class="primary" disabled=move || make.pending().get()
                        on:click=move |_| {
                            if !has || confirm("Make a new address? The one you have stops working, so calendars that use it stop updating.") {
                                make.dispatch(MakeCalendarLink {});
                            }
                        }>
                        {if has { "Make a new address" } else { "Make my calendar address" }}
                    </button>
                    {has.then(|| view! {
                        <button type="button" class="danger" on:click=move |_| {
                            if confirm("Stop your calendar address? Calendars that use it stop updating.") {
                                shown.set(None);
                                stop.dispatch(StopCalendarLink {});
                            }
                        }>"Stop my address"</button>
                    })}
                </div>
            }
            .into_any()
        })
    };
    view! {
        {move || shown.get().map(|url| {
            let subscribe = url.replacen("https://", "webcal://", 1).replacen("http://", "webcal://", 1);
            view! {
                <section class="form-success" role="status" aria-labelledby="calendar-made">
                    <h2 id="calendar-made">"Your calendar address"</h2>
                    <p>"Add it to your calendar app as a subscription. Copy it now: it is not shown again. Anyone with it can read these entries, so keep it to yourself."</p>
                    <label for="calendar-url">"Address"</label>
                    <input id="calendar-url" data-testid="calendar-url" readonly value=url.clone()
                        on:focus=|ev| { event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); }/>
                    <p><a href=subscribe>"Add to my calendar"</a></p>
                </section>
            }
        })}
        <FormError error=make_error/>
        <FormError error=stop_error/>
        <Transition fallback=|| view! { <p role="status">"Loading…"</p> }>{content}</Transition>
    }
}
