//! `Idempotency-Key` on a signed-in person's POSTs to server functions and file routes: the
//! first answer is kept and given again to a repeat, so a request sent again after its answer
//! was lost (a phone losing signal as the answer came, work queued offline and replayed) is not
//! done twice. Requests without the header are untouched.

use crate::routes::edge::Refusal;
use app::api::ApiError;
use app::domain::client_requests::{keeps_answer, valid_key, KEY_HEADER};
use app::services::auth::{self, Actor};
use app::services::client_requests::{self, KeptAnswer, Sending};
use app::services::Context;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A kept answer is at most this long; larger ones (none of the routes it covers answer that
/// much) are refused as a server error and not kept.
const MAX_KEPT_BODY: usize = 1024 * 1024;

/// Says that an answer is the kept answer of an earlier sending.
const REPLAYED_HEADER: &str = "idempotent-replayed";

pub async fn answer_once(State(context): State<Context>, request: Request, next: Next) -> Response {
    let covered = request.method() == Method::POST
        && (request.uri().path().starts_with("/rpc/")
            || request.uri().path().starts_with("/files/"));
    let Some(key) = request.headers().get(KEY_HEADER).filter(|_| covered) else {
        return next.run(request).await;
    };
    let Some(key) = key
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_string)
    else {
        return Refusal::from(ApiError::Invalid {
            field: KEY_HEADER.into(),
            message: "An Idempotency-Key is 8 to 100 visible ASCII characters.".into(),
        })
        .into_response();
    };
    let path = request.uri().path().to_string();
    let (mut parts, body) = request.into_parts();
    // Someone not signed in is refused by the route itself, with its own answer.
    let Ok(actor) = Actor::from_request_parts(&mut parts, &context).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let request = Request::from_parts(parts, body);
    match client_requests::arrive(&context, &actor, &key, &path, auth::now()).await {
        Ok(Sending::First) => {}
        Ok(Sending::Repeat(kept)) => return replay(kept),
        Ok(Sending::StillAnswering) => {
            return Refusal::from(ApiError::Refused(
                "This request is still being answered. Send it again in a moment.".into(),
            ))
            .into_response()
        }
        Ok(Sending::KeyUsedElsewhere) => {
            return Refusal::from(ApiError::Invalid {
                field: KEY_HEADER.into(),
                message: "This Idempotency-Key was already used for another request.".into(),
            })
            .into_response()
        }
        Err(e) => return Refusal::from(ApiError::from(e)).into_response(),
    }
    let response = next.run(request).await;
    keep(&context, &actor, &key, response).await
}

/// Keeps the answer of a first sending (reading its body) and gives it on.
async fn keep(context: &Context, actor: &Actor, key: &str, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    if !keeps_answer(parts.status.as_u16()) {
        forget(context, actor, key).await;
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_BODY).await else {
        forget(context, actor, key).await;
        return Refusal::from(ApiError::Server).into_response();
    };
    let header_text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let kept = KeptAnswer {
        path: String::new(),
        status: Some(i64::from(parts.status.as_u16())),
        content_type: header_text(header::CONTENT_TYPE),
        location: header_text(header::LOCATION),
        body: Some(bytes.to_vec()),
    };
    if let Err(e) = client_requests::keep(context, actor, key, Some(&kept)).await {
        // The work is done and its answer goes out; a repeat will be told it is still being
        // answered rather than do it again.
        tracing::error!("keeping the answer of an Idempotency-Key: {e}");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A server error, or an answer too long to keep: the request may be sent again.
async fn forget(context: &Context, actor: &Actor, key: &str) {
    if let Err(e) = client_requests::keep(context, actor, key, None).await {
        tracing::error!("forgetting an Idempotency-Key: {e}");
    }
}

/// The kept answer, marked as such.
fn replay(kept: KeptAnswer) -> Response {
    let status = kept
        .status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = Response::new(Body::from(kept.body.unwrap_or_default()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    for (name, value) in [
        (header::CONTENT_TYPE, kept.content_type),
        (header::LOCATION, kept.location),
    ] {
        if let Some(value) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(name, value);
        }
    }
    response
}
