//! What every route outside the server functions shares: how a refusal is answered, how a
//! multipart form is read under its limit, and how a stored file is handed back.

use app::api::ApiError;
use app::domain::form_fields::FieldError;
use app::files::StoredFile;
use app::services::auth::Actor;
use app::services::compliance::Upload;
use app::services::mail::escape_html;
use app::services::Context;
use app::services::ServiceError;
use axum::body::Body;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRef, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use std::collections::HashMap;
use std::future::Future;

/// The longest text field a multipart form may carry, in characters.
const MAX_TEXT_CHARS: usize = 2_000;

/// A route's answer instead of success: the `ApiError` a server function would give, in the
/// same JSON, with its own status unless HTTP has a more exact one (413 for a body over its
/// limit).
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    error: ApiError,
}

impl Refusal {
    /// A field the person can correct.
    pub fn field(field: &str, message: impl Into<String>) -> Refusal {
        ApiError::field(field, message).into()
    }

    fn too_large(limit: usize) -> Refusal {
        Refusal {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            error: ApiError::field(
                "file",
                format!(
                    "The file is larger than {} MB. Make it smaller or split it.",
                    limit / 1_048_576
                ),
            ),
        }
    }

    /// The status and the error, for an edge that answers in its own shape (the REST API).
    pub fn into_parts(self) -> (StatusCode, ApiError) {
        (self.status, self.error)
    }

    /// A multipart stream that broke off or ran over the body limit.
    fn interrupted(e: MultipartError, limit: usize) -> Refusal {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return Refusal::too_large(limit);
        }
        Refusal {
            status,
            error: ApiError::field(
                "file",
                format!("The upload was interrupted ({}). Try again.", e.body_text()),
            ),
        }
    }
}

/// Who sent a form with files, and how: the signed-in person, by the page's script (which asks
/// for JSON and shows the answer in the page) or by the browser itself, when the form was sent
/// before the script took it over (a phone on a slow connection). The browser gets pages: the
/// task again after success, or what to correct with a way back. A sender who cannot be told is
/// answered before the body is read: a browser whose session has ended is sent to sign in, and
/// from there back to the page the form was on, to send it again; a script gets the refusal as
/// it is (401).
pub struct FormPost {
    pub actor: Actor,
    from_browser: bool,
}

impl<S> FromRequestParts<S> for FormPost
where
    Context: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let from_browser = app::api::request::asks_for_a_page(&parts.headers);
        match Actor::from_request_parts(parts, state).await {
            Ok(actor) => Ok(FormPost {
                actor,
                from_browser,
            }),
            Err(ApiError::NotSignedIn) if from_browser => {
                // Back to the page the form was sent from (the Referer's path only: whatever the
                // Referer names, the sign-in page sends the person to a page of this site).
                let sent_from = parts
                    .headers
                    .get(header::REFERER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<axum::http::Uri>().ok())
                    .and_then(|uri| uri.path_and_query().map(|p| p.as_str().to_string()))
                    .filter(|path| path.starts_with('/') && !path.starts_with("//"));
                let wanted = sent_from.as_deref().unwrap_or("/");
                Err((
                    StatusCode::SEE_OTHER,
                    [(header::LOCATION, super::auth::sign_in_path(wanted))],
                )
                    .into_response())
            }
            Err(e) => Err(Refusal::from(e).into_response()),
        }
    }
}

impl FormPost {
    /// The outcome of the form: for the script, `json` with `status` or the refusal as it is; for
    /// the browser, the page at `back` (303) or a page saying what to correct.
    pub fn reply(
        &self,
        back: &str,
        status: StatusCode,
        outcome: Result<serde_json::Value, Refusal>,
    ) -> Response {
        match outcome {
            Ok(json) => self.answer(back, status, json),
            Err(refusal) => self.refuse(back, refusal),
        }
    }

    fn answer(&self, back: &str, status: StatusCode, json: serde_json::Value) -> Response {
        if self.from_browser {
            return (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, back.to_string())],
            )
                .into_response();
        }
        (status, axum::Json(json)).into_response()
    }

    /// A short page with the refusal's message and a link back to `back`, under its status.
    fn refuse(&self, back: &str, refusal: Refusal) -> Response {
        if !self.from_browser {
            return refusal.into_response();
        }
        let message = escape_html(&refusal.error.to_string());
        let back = escape_html(back);
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Not sent</title></head><body><main><h1>Not sent</h1>\
             <p role=\"alert\">{message}</p><p><a href=\"{back}\">Back to the task</a></p>\
             </main></body></html>"
        );
        (
            refusal.status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response()
    }
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal {
            status: error.status(),
            error,
        }
    }
}

impl From<ServiceError> for Refusal {
    fn from(e: ServiceError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<FieldError> for Refusal {
    fn from(e: FieldError) -> Self {
        ApiError::from(e).into()
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (self.status, self.error).into_response()
    }
}

/// Server functions answer every error 500 unless told otherwise; this gives each the status of
/// the `ApiError` it carries (422 for a field, 404, 403...), so no server function can answer a
/// client's mistake with a 500 by building its error without setting the status. Only 500s that
/// the server-function handler marked are read, and their bodies are a few hundred bytes.
pub async fn server_function_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, ApiError::Server).into_response();
    };
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A request that may change something runs to its end even when its client goes away (a phone
/// losing signal, a closed tab, the 60 s timeout). Dropped half-way, its work would stop wherever
/// it was: between the database's BEGIN and sqlx's record of it (the connection then stays inside
/// a transaction nothing ends), or after the commit but before open pages and webhooks hear of
/// it. Reads (GET, HEAD, OPTIONS; the live event stream) still stop with their client.
///
/// It runs on the writes' own threads ([`writes_runtime`]).
pub async fn writes_run_to_completion(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let write = next.run(request);
    let handle = match writes_runtime() {
        Some(runtime) => runtime.spawn(write),
        None => tokio::spawn(write),
    };
    match handle.await {
        Ok(response) => response,
        // Answered as any panic is, by the layer outside.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, ApiError::Server).into_response(),
    }
}

/// The threads requests that may change something run on, apart from the pages'.
///
/// SQLite lets one transaction write at a time, and the writer holding that turn wakes once per
/// statement (each answer comes back from sqlx's worker thread). On the pages' threads each wake
/// queued behind page rendering: at 52 connections of mixed traffic on two cores a write held
/// its turn 16 ms at the median against 0.24 ms alone, and the writers behind it waited for all
/// of that. On threads of their own the operating system shares the cores between the two
/// kinds of work, and a woken writer runs at once. As many threads as cores, so writes alone
/// go as fast as before. `None` (the writes then share the pages' threads) only if the threads
/// cannot be started.
fn writes_runtime() -> Option<&'static tokio::runtime::Runtime> {
    static WRITES: std::sync::OnceLock<Option<tokio::runtime::Runtime>> =
        std::sync::OnceLock::new();
    WRITES
        .get_or_init(|| {
            let threads = std::thread::available_parallelism().map_or(1, usize::from);
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .thread_name("writes")
                .enable_all()
                .build()
                .inspect_err(|e| tracing::error!("could not start the writes' threads: {e}"))
                .ok()
        })
        .as_ref()
}

/// A multipart form's text fields and its files (by field name, in the order sent).
#[derive(Debug, Default)]
pub struct Form {
    fields: HashMap<String, String>,
    files: Vec<(String, Upload)>,
}

impl Form {
    /// Reads the whole form, refusing a file over `limit` bytes, or files over `limit` bytes
    /// together, as soon as they are, without reading the rest. A file input left empty sends
    /// nothing.
    pub async fn read(mut multipart: Multipart, limit: usize) -> Result<Form, Refusal> {
        let mut form = Form::default();
        let mut total = 0usize;
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|e| Refusal::interrupted(e, limit))?
        {
            let name = field.name().unwrap_or("").to_string();
            if let Some(file_name) = field.file_name().map(str::to_string) {
                let mut bytes = Vec::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| Refusal::interrupted(e, limit))?
                {
                    bytes.extend_from_slice(&chunk);
                    total += chunk.len();
                    if bytes.len() > limit || total > limit {
                        return Err(Refusal::too_large(limit));
                    }
                }
                if !(file_name.is_empty() && bytes.is_empty()) {
                    form.files.push((name, Upload { file_name, bytes }));
                }
            } else {
                let text = field
                    .text()
                    .await
                    .map_err(|e| Refusal::interrupted(e, limit))?;
                // Counted in characters, as the forms' own limits are: 2,000 letters of any
                // alphabet pass, whatever their bytes.
                if text.chars().count() > MAX_TEXT_CHARS {
                    return Err(Refusal::field(&name, "Keep this under 2,000 characters."));
                }
                form.fields.insert(name, text);
            }
        }
        Ok(form)
    }

    /// A text field, trimmed; empty when it was not sent.
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |text| text.trim())
    }

    /// A text field as sent (untrimmed), if it was.
    pub fn raw_text(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }

    /// A checkbox: ticked or not.
    pub fn ticked(&self, name: &str) -> Result<bool, FieldError> {
        app::domain::form_fields::flag(name, self.text(name))
    }

    /// The first file sent in the field `name`, if one was chosen.
    pub fn take_file(&mut self, name: &str) -> Option<Upload> {
        let at = self.files.iter().position(|(field, _)| field == name)?;
        Some(self.files.remove(at).1)
    }

    /// Every file sent, with its field's name, in the order sent.
    pub fn into_files(self) -> Vec<(String, Upload)> {
        self.files
    }
}

/// How a stored file is shown: downloaded, or in the page (photos, signatures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    Attachment,
    Inline,
}

/// A stored file for the signed-in person, if the service `find` allows it (see
/// [`file_answer`]).
pub async fn download<F>(
    actor: Result<Actor, ApiError>,
    disposition: Disposition,
    find: impl FnOnce(Actor) -> F,
) -> Response
where
    F: Future<Output = Result<StoredFile, ServiceError>>,
{
    let file = match actor {
        Ok(actor) => find(actor).await.map_err(ApiError::from),
        Err(error) => Err(error),
    };
    file_answer(file, disposition)
}

/// A stored file for those the service allowed, with the type it was checked to be, never
/// sniffed by the browser nor kept in a cache. A refusal is read by a person in a browser tab
/// (a download is a navigation), so it is the same status and message as text.
pub fn file_answer(result: Result<StoredFile, ApiError>, disposition: Disposition) -> Response {
    let file = match result {
        Ok(file) => file,
        Err(error) => return (error.status(), error.to_string()).into_response(),
    };
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if disposition == Disposition::Attachment {
        // safe_file_name keeps names to ASCII letters, digits and ._- and spaces.
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.name))
        {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use tower::ServiceExt;

    /// A route whose handler takes 50 ms, then says it finished.
    fn slow_route(finished: Arc<AtomicBool>) -> Router {
        let handler = move || {
            let finished = finished.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                finished.store(true, Ordering::SeqCst);
            }
        };
        Router::new()
            .route("/work", get(handler.clone()).post(handler))
            .layer(axum::middleware::from_fn(writes_run_to_completion))
    }

    /// The request as a client that leaves after 10 ms.
    async fn leave_early(router: Router, method: Method) {
        let request = Request::builder()
            .method(method)
            .uri("/work")
            .body(Body::empty())
            .unwrap();
        let answer = tokio::time::timeout(Duration::from_millis(10), router.oneshot(request)).await;
        assert!(answer.is_err(), "the client left before the answer");
    }

    #[tokio::test]
    async fn a_write_finishes_after_its_client_leaves() {
        let finished = Arc::new(AtomicBool::new(false));
        leave_early(slow_route(finished.clone()), Method::POST).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(finished.load(Ordering::SeqCst), "the write ran to its end");
    }

    #[tokio::test]
    async fn a_read_stops_with_its_client() {
        let finished = Arc::new(AtomicBool::new(false));
        leave_early(slow_route(finished.clone()), Method::GET).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(!finished.load(Ordering::SeqCst), "the read was dropped");
    }

    #[tokio::test]
    async fn writes_run_on_their_own_threads_and_reads_on_the_pages() {
        let thread = || async { std::thread::current().name().unwrap_or("").to_string() };
        let router = Router::new()
            .route("/thread", get(thread).post(thread))
            .layer(axum::middleware::from_fn(writes_run_to_completion));
        let mut ran_on = Vec::new();
        for method in [Method::GET, Method::POST] {
            let request = Request::builder()
                .method(method)
                .uri("/thread")
                .body(Body::empty())
                .unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            ran_on.push(String::from_utf8(body.to_vec()).unwrap());
        }
        assert_ne!(ran_on[0], "writes", "a read stays on the caller's thread");
        assert_eq!(ran_on[1], "writes", "a write runs on the writes' threads");
    }
}
