//! The routes an emailed link points at, and the gate in front of signed-in pages.

use app::api::auth::stash_link;
use app::api::request::ResolvedActor;
use app::domain::identity::{page_audience, LinkPurpose};
use app::services::Context;
use app::services::{auth, ServiceError};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::{Expiry, Session};

/// `GET /auth/link/{token}`: keeps the token in this browser's session and opens the
/// confirmation page. A GET changes nothing else, so a mail scanner following it spends nothing.
pub async fn open_sign_in_link(
    State(context): State<Context>,
    session: Session,
    Path(token): Path<String>,
) -> Response {
    stash(&context, session, LinkPurpose::SignIn, &token).await
}

/// `GET /auth/reset/{token}`: the same for password reset and invitation links.
pub async fn open_reset_link(
    State(context): State<Context>,
    session: Session,
    Path(token): Path<String>,
) -> Response {
    stash(&context, session, LinkPurpose::PasswordReset, &token).await
}

/// How long a browser that is not signed in keeps a link it opened: enough to confirm it.
const PENDING_LINK_LIFE: time::Duration = time::Duration::minutes(30);

/// Only a link that was issued is kept, in a short session when nobody is signed in: anyone
/// can send made-up links, and each kept one would be a stored session. A made-up link goes to
/// the same page, which finds nothing waiting and says the link is not valid.
async fn stash(context: &Context, session: Session, purpose: LinkPurpose, token: &str) -> Response {
    let page = match purpose {
        LinkPurpose::SignIn => "/sign-in/confirm",
        LinkPurpose::PasswordReset | LinkPurpose::Invitation => "/reset-password",
    };
    let no_store = |mut response: Response| {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    };
    let issued = token.len() <= 100 && auth::is_issued_link(context, token).await.unwrap_or(false);
    if !issued {
        return no_store(Redirect::to(page).into_response());
    }
    if session.is_empty().await {
        session.set_expiry(Some(Expiry::OnInactivity(PENDING_LINK_LIFE)));
    }
    match stash_link(&session, purpose, token).await {
        Ok(page) => no_store(Redirect::to(page).into_response()),
        Err(e) => {
            tracing::error!("cannot keep a link in the session: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Try the link again in a moment.",
            )
                .into_response()
        }
    }
}

/// Pages of a view need someone of that view signed in: others are sent to sign in (and back
/// afterwards) or to their own view. Server functions check for themselves.
pub async fn require_sign_in(
    State(context): State<Context>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let Some(audience) = page_audience(request.uri().path()) else {
        return next.run(request).await;
    };
    match auth::resolve(&context, &session, auth::now()).await {
        Ok(actor) => match audience {
            audience if !audience.admits(actor.kind) => {
                Redirect::to(actor.kind.home_path()).into_response()
            }
            _ => {
                let mut request = request;
                request.extensions_mut().insert(ResolvedActor(actor));
                next.run(request).await
            }
        },
        Err(ServiceError::NotSignedIn) => {
            let wanted = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&sign_in_path(wanted)).into_response()
        }
        Err(e) => {
            tracing::error!("cannot check the session: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "Try again in a moment.").into_response()
        }
    }
}

/// The sign-in page, which opens `wanted` (a path on this site) once the person is signed in.
pub fn sign_in_path(wanted: &str) -> String {
    format!("/sign-in?next={}", encode_query_value(wanted))
}

fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_pages_are_encoded_for_the_query() {
        assert_eq!(encode_query_value("/tech"), "/tech");
        assert_eq!(
            encode_query_value("/agent?light=red&x=1"),
            "/agent%3Flight%3Dred%26x%3D1"
        );
    }
}
