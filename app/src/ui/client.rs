//! Which client a page loads. Most pages hydrate whole, with the full client. The Tech view's
//! pages render on the server and bring only their islands to life, with a client built from the
//! same crate in islands mode (`frontend` with its `islands` feature): a technician's phone
//! downloads the task's code, not the agency's and the office's pages.
//!
//! Both builds write their content-named file names beside the server binary: the full client's
//! in `hash.txt`, the islands client's in [`ISLANDS_HASH_FILE`].

use leptos::config::LeptosOptions;

/// Where the islands client's content-named file names are listed, beside the server binary.
pub const ISLANDS_HASH_FILE: &str = "tech-hash.txt";

/// Whether a page at `path` is served in islands mode: the Tech view's pages, the start and
/// sign-in pages a technician passes on the way there, and the others a technician's navigation
/// leads to (their calendar, their account), so a phone never needs the full client; and the
/// public page a service report's QR code opens, on whoever's phone scans it. And the agency's
/// pages that only show and follow live changes (its dashboard, contractor list, matrix and list
/// of quotes, which load again on a change: `refresh::PageRefresh`), the pages whose forms only
/// send what is typed (`post_form::PostForm`), the import (one lazy island), and the demo's
/// mailbox.
pub fn islands_page(path: &str) -> bool {
    matches!(
        path,
        "/" | "/tech"
            | "/agent"
            | "/agent/tasks"
            | "/agent/contractors"
            | "/agent/certification"
            | "/agent/quotes"
            | "/agent/certificate-types"
            | "/agent/kinds-of-work"
            | "/agent/properties"
            | "/agent/import"
            | "/admin/settings"
            | "/admin/users"
            | "/dev/mailbox"
            | "/calendar"
            | "/account"
            | "/sign-in"
            | "/sign-in/email"
            | "/sign-in/confirm"
            | "/forgot-password"
            | "/reset-password"
    ) || path.starts_with("/tech/")
        || path.starts_with("/verify/")
}

/// Whether a page at `path` is the Tech view's, which a technician may need without signal: its
/// pages carry the script that keeps their open tasks on the phone (`ui/tech_offline.js`).
pub fn tech_view_page(path: &str) -> bool {
    path == "/tech" || path.starts_with("/tech/")
}

/// The options `HydrationScripts` names the islands client's files with.
pub fn islands_options(options: &LeptosOptions) -> LeptosOptions {
    let mut options = options.clone();
    options.hash_file = ISLANDS_HASH_FILE.into();
    options
}

/// Whether the page being rendered is served in islands mode. In the browser the app renders
/// only where the whole page hydrates.
pub fn rendering_islands_page() -> bool {
    rendering(islands_page)
}

/// Whether the page being rendered is the Tech view's ([`tech_view_page`]).
pub fn rendering_tech_view_page() -> bool {
    rendering(tech_view_page)
}

fn rendering(pages: fn(&str) -> bool) -> bool {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .is_some_and(|parts| pages(parts.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = pages;
        false
    }
}

/// Where the whole page hydrates, islands render as plain components, on the server and in the
/// browser alike: no `<leptos-island>` wrapper, which full hydration does not step out of again
/// (tachys 0.2 leaves its cursor inside the wrapper, and the next element fails to hydrate).
/// Leptos leaves the wrapper out inside a region marked as hydrating; this marks the whole app.
pub fn islands_as_components() {
    if !rendering_islands_page() {
        leptos::prelude::provide_context(leptos::reactive::owner::IsHydrating(true));
    }
}

/// Called by the islands client's entry point. The islands' hydration functions are exported
/// from this crate, and a crate the entry point never names may be left out of the build.
#[inline(never)]
pub fn link_islands() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tech_view_every_page_a_technician_reaches_and_the_agencys_read_only_and_form_pages_are_served_in_islands_mode(
    ) {
        assert!(islands_page("/tech"));
        assert!(islands_page("/tech/tasks/12"));
        assert!(islands_page("/"));
        assert!(islands_page("/sign-in"));
        assert!(islands_page("/sign-in/confirm"));
        assert!(islands_page("/reset-password"));
        assert!(!islands_page("/technicians"));
        assert!(!islands_page("/desk/tasks/12"));
        assert!(islands_page("/calendar"));
        assert!(islands_page("/account"));
        assert!(islands_page("/verify/AB12CD34"));
        assert!(!islands_page("/sign-in/elsewhere"));
        assert!(islands_page("/agent"));
        assert!(islands_page("/agent/certification"));
        assert!(islands_page("/agent/tasks"));
        assert!(!islands_page("/agent/tasks/12"));
        assert!(!islands_page("/agent/quotes/3"));
        assert!(islands_page("/agent/properties"));
        assert!(islands_page("/agent/certificate-types"));
        assert!(islands_page("/agent/kinds-of-work"));
        assert!(islands_page("/agent/import"));
        assert!(islands_page("/admin/settings"));
        assert!(islands_page("/admin/users"));
        assert!(!islands_page("/admin/api"));
        assert!(tech_view_page("/tech"));
        assert!(tech_view_page("/tech/tasks/12"));
        assert!(!tech_view_page("/technicians"));
        assert!(!tech_view_page("/calendar"));
    }
}
