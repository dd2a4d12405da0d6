//! What a server function needs from its request: the app context, the session, who is asking,
//! and where the request came from. The one path from a request to an `Actor`.

use super::ApiError;
use crate::domain::identity::LinkProblem;
use crate::services::auth::{self, Actor, Origin};
use crate::services::Context;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use leptos::prelude::use_context;
use std::net::SocketAddr;
use tower_sessions::Session;

pub fn context() -> Result<Context, ApiError> {
    use_context::<Context>().ok_or_else(|| {
        tracing::error!("Context missing from a server function's context");
        ApiError::Server
    })
}

pub async fn session() -> Result<Session, ApiError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!("no session layer: {e}");
        ApiError::Server
    })
}

/// The actor the sign-in check of a page already resolved for this request, put in the
/// request's extensions so that the page's server functions, run while it renders, do not each
/// read the session and the user again.
#[derive(Clone, Debug)]
pub struct ResolvedActor(pub Actor);

/// Who is asking, or `NotSignedIn`.
pub async fn actor() -> Result<(Context, Actor), ApiError> {
    let context = context()?;
    let mut parts = use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from a server function's context");
        ApiError::Server
    })?;
    let actor = actor_of(&context, &mut parts).await?;
    Ok((context, actor))
}

/// Who is asking: the actor the page gate already resolved for this request, or the session's.
async fn actor_of(context: &Context, parts: &mut Parts) -> Result<Actor, ApiError> {
    if let Some(ResolvedActor(actor)) = parts.extensions.get::<ResolvedActor>() {
        return Ok(actor.clone());
    }
    let session = parts.extensions.get::<Session>().cloned().ok_or_else(|| {
        tracing::error!("no session layer in front of a signed-in route");
        ApiError::Server
    })?;
    Ok(auth::resolve(context, &session, auth::now()).await?)
}

/// The signed-in person as an axum extractor, for the routes outside server functions (uploads,
/// downloads, the event stream): refused with the same answer a server function gives.
impl<S> FromRequestParts<S> for Actor
where
    Context: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        actor_of(&Context::from_ref(state), parts).await
    }
}

/// The network address of the request, for throttling. Behind a reverse proxy this is the
/// proxy's address unless the proxy is made to pass the client's on; see the README.
pub async fn origin() -> Origin {
    let address = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".to_string());
    Origin { address }
}

/// Whether the request is a browser's own form submission (the page's client had not loaded
/// yet: autofill and a quick tap, a slow phone), which expects a page back rather than data.
pub async fn plain_form() -> bool {
    leptos_axum::extract::<axum::http::HeaderMap>()
        .await
        .ok()
        .and_then(|headers| {
            headers
                .get(axum::http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|accept| accept.contains("text/html"))
        })
        .unwrap_or(false)
}

/// A link problem as the answer, with a status that says so.
pub fn link_problem(problem: LinkProblem) -> ApiError {
    set_link_status(problem);
    ApiError::Link(problem)
}

/// The response status for a link that cannot be used (pages and server functions alike).
pub fn set_link_status(problem: LinkProblem) {
    set_status(ApiError::Link(problem).status());
}

/// The status of what is being answered: a page rendered on the server takes the status of the
/// error its data met (another tenant's task is a 404 page), and a server function the status of
/// its error. (`routes::edge::server_function_status` also reads the status from the error of a
/// server function that answered 500, for errors built without this.)
pub fn set_status(status: axum::http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
