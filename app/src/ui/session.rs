//! The signed-in person as the pages see them, and full-page navigation after signing in or out
//! (so the header and every resource start again as the new person).

use crate::api::auth::current_viewer;
use crate::api::ApiError;
use crate::domain::records::Viewer;
use leptos::prelude::*;

pub type ViewerResource = Resource<Result<Option<Viewer>, ApiError>>;

/// Loads the viewer once per page load, before the page is sent, and shares it.
pub fn provide_viewer() -> ViewerResource {
    let viewer = Resource::new_blocking(|| (), |_| current_viewer());
    provide_context(viewer);
    viewer
}

pub fn use_viewer() -> ViewerResource {
    expect_context::<ViewerResource>()
}

/// Opens `path` as a fresh page load.
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Asks before a destructive act; on the server (never reached there) it answers no.
pub fn confirm(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        window().confirm_with_message(question).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        false
    }
}
