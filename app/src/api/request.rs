//! What a server function needs from its request: the app context, the session, who is asking,
//! and where the request came from. The one path from a request to an `Actor`.

use super::ApiError;
use crate::domain::identity::LinkProblem;
use crate::services::auth::{self, Actor, Origin};
use crate::services::Context;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use leptos::prelude::use_context;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
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

/// What a page's server functions have read while this page renders, by function and arguments.
/// Rendering on the server may build a part of the page more than once (a reactive closure is
/// run for each pass over a `Suspense`), and each build calls its server functions again: the
/// task page read its task three times per request. The first call reads; the others share its
/// answer. Provided to page requests only: a server function the browser calls always reads.
#[derive(Clone, Default)]
pub struct PageReads(Arc<Mutex<HashMap<String, Arc<Answer>>>>);

type Answer = OnceCell<Arc<dyn Any + Send + Sync>>;

/// `read`'s answer, read once per page request under `key` (the endpoint and its arguments).
pub async fn read_once<T, Fut>(key: String, read: impl FnOnce() -> Fut) -> Result<T, ApiError>
where
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let Some(PageReads(reads)) = use_context::<PageReads>() else {
        return read().await;
    };
    let answer = reads
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(key)
        .or_default()
        .clone();
    let answer = answer
        .get_or_init(|| async { Arc::new(read().await) as Arc<dyn Any + Send + Sync> })
        .await;
    answer
        .downcast_ref::<Result<T, ApiError>>()
        .cloned()
        .unwrap_or_else(|| {
            tracing::error!("one page-read key used for two types of answer");
            Err(ApiError::Server)
        })
}

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
        .is_ok_and(|headers| asks_for_a_page(&headers))
}

/// When the act being requested was done: now, or the phone's time for one the Tech view queued
/// without signal (its header, judged against the clock by the service that records it).
pub async fn acted_at() -> crate::domain::acted_at::ActedAt {
    use crate::domain::acted_at::{ActedAt, HEADER};
    let headers = leptos_axum::extract::<axum::http::HeaderMap>().await.ok();
    let value = headers
        .as_ref()
        .and_then(|h| h.get(HEADER))
        .and_then(|v| v.to_str().ok());
    ActedAt::from_header(value, crate::services::auth::now())
}

/// Browsers ask for HTML when they send a form themselves; the page's client asks for JSON, and
/// API clients for anything (`*/*`).
pub fn asks_for_a_page(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Asks the browser to forget what this site stored on it (the Tech view's saved tasks, its
/// service worker): sent when someone signs out, so a shared phone keeps nothing of theirs.
pub fn clear_site_storage() {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            axum::http::HeaderName::from_static("clear-site-data"),
            axum::http::HeaderValue::from_static("\"storage\""),
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use leptos::prelude::{provide_context, Owner};
    use leptos::reactive::computed::ScopedFuture;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A read that counts how often it ran.
    fn counted(
        reads: &Arc<AtomicUsize>,
    ) -> impl FnOnce() -> std::future::Ready<Result<String, ApiError>> {
        let reads = reads.clone();
        move || {
            reads.fetch_add(1, Ordering::SeqCst);
            std::future::ready(Ok("task 7".to_string()))
        }
    }

    async fn call(owner: &Owner, key: &str, reads: &Arc<AtomicUsize>) -> String {
        let read = read_once(key.to_string(), counted(reads));
        owner.with(|| ScopedFuture::new(read)).await.unwrap()
    }

    #[tokio::test]
    async fn a_page_reads_each_answer_once_and_the_browser_always_reads() {
        let reads = Arc::new(AtomicUsize::new(0));
        let page = Owner::new();
        page.with(|| provide_context(PageReads::default()));
        for _ in 0..3 {
            assert_eq!(call(&page, "tasks/detail/7", &reads).await, "task 7");
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1, "one read for the page");
        call(&page, "tasks/detail/8", &reads).await;
        assert_eq!(
            reads.load(Ordering::SeqCst),
            2,
            "other arguments, another read"
        );
        // A server function the browser calls has no page around it.
        let browser = Owner::new();
        call(&browser, "tasks/detail/7", &reads).await;
        call(&browser, "tasks/detail/7", &reads).await;
        assert_eq!(reads.load(Ordering::SeqCst), 4);
    }
}
