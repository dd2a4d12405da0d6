//! Pages in islands mode show the server's record: when what a page shows changes (its live
//! updates say so), the page loads again, unless something was typed on it that a reload would
//! lose; then it says so and lets the person choose when.

use crate::ui::client::rendering_islands_page;
use crate::ui::live::Live;
use leptos::prelude::*;

/// Loads a page served in islands mode again a moment after what it follows changes
/// (certificates and compliance, requests for quotes, or tasks; one reload for a burst); when
/// something is typed on the page that a reload would lose, says so and lets the person choose
/// when, as the Tech view's task does (`TaskRefresh`). Lazy: the Tech view never shows it. (Its
/// props are flags: a list of an enum put 6.5 KB gzip into the Tech view's main file, for
/// reasons not found.)
#[island(lazy)]
pub fn PageRefresh(certification: bool, quotes: bool, tasks: bool) -> impl IntoView {
    let live = Live::here();
    let stale = RwSignal::new(false);
    Effect::new(move |first_run: Option<()>| {
        if certification {
            live.certification.track();
        }
        if quotes {
            live.quote.track();
        }
        if tasks {
            live.task.track();
        }
        if first_run.is_some() {
            // Whether something is typed is asked when the moment comes: typing may start
            // meanwhile.
            browser::soon(move || {
                if browser::typed() {
                    stale.set(true);
                } else {
                    browser::reload();
                }
            });
        }
    });
    browser::watch_page();
    view! {
        <Show when=move || stale.get()>
            <p class="task-changed" role="status">
                "This page has changed. "
                <button type="button" class="link-button" on:click=|_| browser::reload()>
                    "Show the changes"
                </button>
                " (what you have typed in the forms below is not kept)"
            </p>
        </Show>
    }
}

/// Follows the live updates by loading the page again, where the page is served in islands mode;
/// where the whole page hydrates (the full client's router opened it), its resources follow
/// them themselves.
#[component]
pub fn RefreshOn(
    #[prop(optional)] certification: bool,
    #[prop(optional)] quotes: bool,
    #[prop(optional)] tasks: bool,
) -> impl IntoView {
    rendering_islands_page().then(|| view! { <PageRefresh certification quotes tasks/> })
}

/// What the page's refreshing islands do in the browser: note typing, load the page again.
#[cfg(feature = "hydrate")]
pub mod browser {
    use std::cell::Cell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    thread_local! {
        static TYPED: Cell<bool> = const { Cell::new(false) };
        static WATCHING: Cell<bool> = const { Cell::new(false) };
        static RELOADING: Cell<bool> = const { Cell::new(false) };
        static SOON: Cell<bool> = const { Cell::new(false) };
        /// How many times the page started leaving; 0 once the last time is `LEAVING_MS` ago.
        static LEAVING: Cell<u32> = const { Cell::new(0) };
    }

    /// How long a page that follows many rows waits before loading again (`soon`): changes
    /// come in bursts (a bulk edit, an import, a colleague's busy minute), and one reload shows
    /// them all.
    const SOON_MS: u32 = 1_500;
    /// How long a page that started leaving (a link followed) waits before it reloads after
    /// all: the navigation did not happen (a download) or is still on its way.
    const LEAVING_MS: u32 = 10_000;

    /// Whether anything was typed or chosen in a form on this page that is not kept elsewhere
    /// (the perform form keeps its own: `data-kept`).
    pub fn typed() -> bool {
        TYPED.with(Cell::get)
    }

    /// Notes typing anywhere on the page, and the page starting to leave for another, once
    /// however many islands ask.
    pub fn watch_page() {
        if WATCHING.with(|w| w.replace(true)) {
            return;
        }
        let note = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
            let kept = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| e.closest("[data-kept]").ok().flatten().is_some());
            if !kept {
                TYPED.with(|t| t.set(true));
            }
        });
        let document = leptos::prelude::document();
        for name in ["input", "change"] {
            let _ = document.add_event_listener_with_callback(name, note.as_ref().unchecked_ref());
        }
        // A reload while the browser goes to another page (a link just followed) would cancel
        // that and keep the person here: it waits instead (see `reload`). Safari on iPhones
        // has no `beforeunload`: there a link is noted as it is followed.
        let leaving = Closure::<dyn FnMut()>::new(leave);
        let _ = leptos::prelude::window()
            .add_event_listener_with_callback("beforeunload", leaving.as_ref().unchecked_ref());
        let follow = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
            let link = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| {
                    e.closest("a[href]:not([href^='#']):not([download]):not([target])")
                        .ok()
                        .flatten()
                });
            if link.is_some() && !event.default_prevented() {
                leave();
            }
        });
        let _ = document.add_event_listener_with_callback("click", follow.as_ref().unchecked_ref());
        // They listen as long as the page.
        note.forget();
        leaving.forget();
        follow.forget();
    }

    fn leave() {
        let now = LEAVING.with(|l| {
            l.set(l.get() + 1);
            l.get()
        });
        // Only the last start's timer ends it: an earlier one must not cut a later one short.
        gloo_timers::callback::Timeout::new(LEAVING_MS, move || {
            LEAVING.with(|l| {
                if l.get() == now {
                    l.set(0);
                }
            })
        })
        .forget();
    }

    /// Runs `then` in a moment (`SOON_MS`), once however many changes ask meanwhile.
    pub fn soon(then: impl FnOnce() + 'static) {
        if !SOON.with(|s| s.replace(true)) {
            gloo_timers::callback::Timeout::new(SOON_MS, move || {
                SOON.with(|s| s.set(false));
                then();
            })
            .forget();
        }
    }

    /// Loads the page again, once however many islands ask; while the page is leaving for
    /// another, only if it is still here `LEAVING_MS` later. Until the new page arrives the old
    /// one takes no taps (`body.reloading`): what it would take is gone with it.
    pub fn reload() {
        if LEAVING.with(Cell::get) > 0 {
            gloo_timers::callback::Timeout::new(LEAVING_MS, reload).forget();
            return;
        }
        if !RELOADING.with(|r| r.replace(true)) {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.class_list().add_1("reloading");
                let _ = body.set_attribute("aria-busy", "true");
            }
            let _ = leptos::prelude::window().location().reload();
        }
    }
}

#[cfg(not(feature = "hydrate"))]
pub mod browser {
    pub fn typed() -> bool {
        false
    }
    pub fn watch_page() {}
    pub fn soon(_then: impl FnOnce() + 'static) {}
    pub fn reload() {}
}
