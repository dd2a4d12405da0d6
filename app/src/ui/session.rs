//! The signed-in person as the pages see them, and full-page navigation after signing in or out
//! (so the header and every resource start again as the new person).

use crate::api::auth::current_viewer;
use crate::api::ApiError;
use crate::domain::records::Viewer;
use crate::ui::resource::{blocking_resource, Loaded};
use leptos::prelude::*;

pub type ViewerResource = Loaded<Result<Option<Viewer>, ApiError>>;

/// Loads the viewer once per page load, before the page is sent, and shares it.
pub fn provide_viewer() -> ViewerResource {
    let viewer = blocking_resource(|| (), |_| current_viewer());
    provide_context(viewer);
    viewer
}

pub fn use_viewer() -> ViewerResource {
    expect_context::<ViewerResource>()
}

/// How the viewer's agency writes dates (DD/MM/YYYY when nobody is signed in).
pub async fn date_format(viewer: ViewerResource) -> crate::domain::dates::DateFormat {
    viewer
        .await
        .ok()
        .flatten()
        .map(|v| v.date_format)
        .unwrap_or_default()
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

/// The page's `:id` as a number; 0 (no record's id) when it is missing or not a number, so the
/// server answers "not found".
pub fn use_id_param() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    }
}
