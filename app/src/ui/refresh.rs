//! Pages in islands mode show the server's record: when what a page shows changes (its live
//! updates say so), the page loads again, unless something was typed on it that a reload would
//! lose; then it says so and lets the person choose when.

use crate::ui::client::rendering_islands_page;
use crate::ui::live::Live;
use leptos::prelude::*;

/// Loads a page served in islands mode again when what it follows changes (certificates and
/// compliance, requests for quotes, or tasks); when something is typed on the page that a reload
/// would lose, says so and lets the person choose when, as the Tech view's task does
/// (`TaskRefresh`). Lazy: the Tech view never shows it. (Its props are flags: a list of an enum
/// put 6.5 KB gzip into the Tech view's main file, for reasons not found.)
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
            if browser::typed() {
                stale.set(true);
            } else {
                browser::reload();
            }
        }
    });
    browser::watch_typing();
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
    }

    /// Whether anything was typed or chosen in a form on this page that is not kept elsewhere
    /// (the perform form keeps its own: `data-kept`).
    pub fn typed() -> bool {
        TYPED.with(Cell::get)
    }

    /// Notes typing anywhere on the page, once however many islands ask.
    pub fn watch_typing() {
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
        // Listens as long as the page.
        note.forget();
    }

    /// Loads the page again, once however many islands ask. Until the new page arrives the old
    /// one takes no taps (`body.reloading`): what it would take is gone with it.
    pub fn reload() {
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
    pub fn watch_typing() {}
    pub fn reload() {}
}
