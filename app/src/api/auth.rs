//! Signing in and out. Emailed links arrive at `/auth/link/{token}` or `/auth/reset/{token}`
//! (server routes), which keep the token in this browser's session and redirect to a confirmation
//! page: the token never stays in the address bar, and only a POST from that page uses it.

use super::ApiError;
use crate::domain::identity::LinkPurpose;
use crate::domain::records::{LinkPreview, Viewer};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::domain::identity::{next_after_sign_in, LinkProblem, LinkRequestAnswer},
    crate::services::{auth, ServiceError},
};

/// Session keys of a link waiting for its confirmation POST.
#[cfg(feature = "ssr")]
const PENDING_LINK: &str = "pending_link";
#[cfg(feature = "ssr")]
const PENDING_RESET: &str = "pending_reset";

/// Keeps an emailed link's token in the session until the person confirms; returns the page
/// that asks them to.
#[cfg(feature = "ssr")]
pub async fn stash_link(
    session: &tower_sessions::Session,
    purpose: LinkPurpose,
    token: &str,
) -> Result<&'static str, tower_sessions::session::Error> {
    match purpose {
        LinkPurpose::SignIn => {
            session.insert(PENDING_LINK, token).await?;
            Ok("/sign-in/confirm")
        }
        LinkPurpose::PasswordReset | LinkPurpose::Invitation => {
            session.insert(PENDING_RESET, token).await?;
            Ok("/reset-password")
        }
    }
}

#[cfg(feature = "ssr")]
async fn pending(key: &str) -> Result<(tower_sessions::Session, String), ApiError> {
    let session = request::session().await?;
    let token = session
        .get::<String>(key)
        .await
        .ok()
        .flatten()
        .ok_or_else(|| request::link_problem(LinkProblem::Unknown))?;
    Ok((session, token))
}

/// The signed-in person, or `None`.
#[server(prefix = "/rpc", endpoint = "viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, ApiError> {
    match request::actor().await {
        Ok((_, actor)) => Ok(Some(actor.viewer())),
        Err(ApiError::NotSignedIn) => {
            // Not an error for this question: nobody is signed in.
            request::set_status(axum::http::StatusCode::OK);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A form the browser sent itself (a tap before its page's client was live) expects a page
/// back, not data: on success the page the answer names, else `back`, the form's own page, which
/// reads from its address that it failed. The error has been converted already (that sets its
/// status, which the redirect replaces).
#[cfg(feature = "ssr")]
async fn answer_plain_form(result: &Result<String, ApiError>, back: impl FnOnce() -> String) {
    if request::plain_form().await {
        match result {
            Ok(path) => leptos_axum::redirect(path),
            Err(_) => leptos_axum::redirect(&back()),
        }
    }
}

/// Email and password. Answers the page to open next.
#[server(prefix = "/rpc", endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, ApiError> {
    let context = request::context()?;
    let origin = request::origin().await;
    let now = auth::now();
    let result: Result<String, ApiError> = async {
        let signed_in =
            auth::sign_in_with_password(&context, &email, &password, &origin, now).await?;
        let session = request::session().await?;
        auth::start_session(&session, &signed_in, now).await?;
        Ok(next_after_sign_in(signed_in.kind, next.as_deref()))
    }
    .await;
    answer_plain_form(&result, || {
        // Back to the form, which says so, keeping where the person was going.
        let next = next.as_deref().filter(|n| !n.is_empty());
        crate::domain::query::with_query("/sign-in", &[("failed", Some("1")), ("next", next)])
    })
    .await;
    result
}

/// Emails a sign-in link or a password reset link. The answer is the same whether or not the
/// address has an account.
#[server(prefix = "/rpc", endpoint = "request_email_link")]
pub async fn request_email_link(email: String, purpose: LinkPurpose) -> Result<String, ApiError> {
    let context = request::context()?;
    let origin = request::origin().await;
    let outcome = auth::request_link(&context, &email, &origin, purpose, auth::now()).await;
    let answer = match &outcome {
        Ok(outcome) => Some(LinkRequestAnswer::Answered(*outcome)),
        Err(ServiceError::Invalid { field: "email", .. }) => Some(LinkRequestAnswer::NotAnAddress),
        Err(ServiceError::TooManyAttempts { wait_ms }) => {
            Some(LinkRequestAnswer::Busy { wait_ms: *wait_ms })
        }
        Err(_) => None,
    };
    // Converted first: that sets an error's status, which a redirect then replaces.
    let result = outcome.map(|o| o.message()).map_err(ApiError::from);
    if let (Some(answer), true) = (answer, request::plain_form().await) {
        // Sent by the browser itself: back to the form's page, which reads the answer from its
        // address (the sign-in pages send no Referer, so Leptos would otherwise open `/`).
        let page = match purpose {
            LinkPurpose::PasswordReset => "/forgot-password",
            _ => "/sign-in/email",
        };
        let query = crate::domain::query::query_string(&answer.query());
        leptos_axum::redirect(&format!("{page}?{query}"));
    }
    result
}

/// Whom the link waiting in this browser would sign in.
#[server(prefix = "/rpc", endpoint = "pending_sign_in_link")]
pub async fn pending_sign_in_link() -> Result<LinkPreview, ApiError> {
    let context = request::context()?;
    let (_, token) = pending(PENDING_LINK).await?;
    auth::preview_link(&context, &token, &[LinkPurpose::SignIn], auth::now())
        .await?
        .map_err(request::link_problem)
}

/// Uses the waiting link (once) and signs in. Answers the page to open next.
#[server(prefix = "/rpc", endpoint = "confirm_sign_in_link")]
pub async fn confirm_sign_in_link() -> Result<String, ApiError> {
    let context = request::context()?;
    let result: Result<String, ApiError> = async {
        let (session, token) = pending(PENDING_LINK).await?;
        let now = auth::now();
        let signed_in = auth::use_sign_in_link(&context, &token, now)
            .await?
            .map_err(request::link_problem)?;
        auth::start_session(&session, &signed_in, now).await?;
        Ok(signed_in.kind.home_path().to_string())
    }
    .await;
    // The confirmation page says why a link cannot be used.
    answer_plain_form(&result, || "/sign-in/confirm".to_string()).await;
    result
}

#[server(prefix = "/rpc", endpoint = "pending_password_reset")]
pub async fn pending_password_reset() -> Result<LinkPreview, ApiError> {
    let context = request::context()?;
    let (_, token) = pending(PENDING_RESET).await?;
    let purposes = [LinkPurpose::PasswordReset, LinkPurpose::Invitation];
    auth::preview_link(&context, &token, &purposes, auth::now())
        .await?
        .map_err(request::link_problem)
}

/// Sets the password from the waiting reset or invitation link and signs in.
#[server(prefix = "/rpc", endpoint = "reset_password")]
pub async fn reset_password(password: String, confirm: String) -> Result<String, ApiError> {
    let context = request::context()?;
    let result: Result<String, ApiError> = async {
        if password != confirm {
            return Err(ApiError::Invalid {
                field: "confirm".into(),
                message: "The two passwords are not the same.".into(),
            });
        }
        let (session, token) = pending(PENDING_RESET).await?;
        let now = auth::now();
        let signed_in = auth::reset_password(&context, &token, &password, now)
            .await?
            .map_err(request::link_problem)?;
        auth::start_session(&session, &signed_in, now).await?;
        Ok(signed_in.kind.home_path().to_string())
    }
    .await;
    // The page says why a link cannot be used, and, with `failed`, that the passwords were not
    // accepted.
    answer_plain_form(&result, || "/reset-password?failed=1".to_string()).await;
    result
}

#[server(prefix = "/rpc", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), ApiError> {
    request::clear_site_storage();
    let session = request::session().await?;
    session.flush().await.map_err(|e| {
        tracing::error!("sign out: {e}");
        ApiError::Server
    })
}

/// Ends this user's sessions on every device, this one included.
#[server(prefix = "/rpc", endpoint = "sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    auth::sign_out_everywhere(&context, &actor).await?;
    request::clear_site_storage();
    let session = request::session().await?;
    let _ = session.flush().await;
    Ok(())
}
