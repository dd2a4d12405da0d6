use leptos::prelude::*;
use leptos_router::components::A;

use super::pages::error::ErrorPage;

/// Header, navigation for the three audiences, and the main area.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    // Marks the page as interactive: end-to-end tests wait for it before clicking.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"✓"</span>
                "Certidesk"
            </A>
            <button
                type="button"
                class="menu-toggle"
                aria-controls="main-nav"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| set_menu_open.update(|open| *open = !*open)
            >
                "Menu"
            </button>
            <nav
                id="main-nav"
                class="main-nav"
                class:open=move || menu_open.get()
                aria-label="Main"
                // A followed link closes the phone menu.
                on:click=move |_| set_menu_open.set(false)
            >
                <div class="nav-group">
                    <span class="nav-group-title">"Agency"</span>
                    <A href="/agent" exact=true>"Dashboard"</A>
                    <A href="/agent/contractors">"Contractors"</A>
                    <A href="/agent/certification">"Contractor certification"</A>
                </div>
                <div class="nav-group">
                    <span class="nav-group-title">"Contractor"</span>
                    <A href="/desk">"Desk view"</A>
                </div>
                <div class="nav-group">
                    <span class="nav-group-title">"Technician"</span>
                    <A href="/tech">"Tech view"</A>
                </div>
            </nav>
        </header>
        <main id="main" class="site-main" tabindex="-1">
            <ErrorBoundary fallback=|errors| view! { <ErrorPage errors/> }>{children()}</ErrorBoundary>
        </main>
    }
}
