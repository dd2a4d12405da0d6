//! The browser entry point. The full client hydrates the whole server-rendered page; the islands
//! client (feature `islands`, for the Tech view's pages) brings each island to life and leaves
//! the rest of the page as the server rendered it, so it carries only the islands' code.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    #[cfg(not(feature = "islands"))]
    leptos::mount::hydrate_body(app::ui::App);
    #[cfg(feature = "islands")]
    {
        // Links the app crate, whose islands export their hydration functions.
        app::ui::client::link_islands();
        leptos::mount::hydrate_islands();
    }
}
