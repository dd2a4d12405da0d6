//! Errors as RFC 9457 problem details (`application/problem+json`), mapped once from the
//! server functions' `ApiError` so the API and the pages say the same thing; and the request
//! readers whose rejections answer in that shape.

use crate::routes::edge::Refusal;
use app::api::ApiError;
use app::services::ServiceError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::Request;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

/// What went wrong, for a developer to act on.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status's name, such as "Not Found".
    pub title: &'static str,
    pub status: u16,
    /// What to do about it.
    pub detail: String,
    /// The request field that is wrong, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds until the key may call again (429 only; also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<i64>,
    /// When works were refused because the contractor is not compliant (409): each certificate
    /// at fault, as "Gas safety: expired".
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub certificates_at_fault: Option<Box<[String]>>,
    /// With `certificates_at_fault`: whether this key may override the block (its maker's role
    /// allows it and `tasks:write`), by sending `override_reason`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_override: Option<bool>,
}

/// The refusals every operation may answer with, for the OpenAPI document.
#[derive(IntoResponses)]
#[allow(dead_code)] // only described, never built: handlers answer with `Problem`
pub enum Refusals {
    #[response(
        status = 400,
        description = "A parameter or the body cannot be read",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(
        status = 401,
        description = "No valid API key (unknown, revoked, or its maker is no longer an administrator)",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The key lacks the operation's scope, or its maker's role does not allow it",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "No such record in the key's agency",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 429,
        description = "Too many requests this minute; see Retry-After",
        content_type = "application/problem+json"
    )]
    TooManyRequests(Problem),
}

/// What a request with a body (JSON, or an upload) may also be refused for.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyRefusals {
    #[response(
        status = 413,
        description = "The body, or a file in it, is over its limit",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    #[response(
        status = 415,
        description = "The body is not in the operation's content type (JSON; multipart/form-data for uploads)",
        content_type = "application/problem+json"
    )]
    NotJson(Problem),
    #[response(
        status = 422,
        description = "A field is wrong; `field` names it",
        content_type = "application/problem+json"
    )]
    Unprocessable(Problem),
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            retry_after: None,
            certificates_at_fault: None,
            can_override: None,
        }
    }

    pub fn field(status: StatusCode, field: &str, detail: impl Into<String>) -> Problem {
        Problem {
            field: Some(field.into()),
            ..Problem::new(status, detail)
        }
    }

    pub fn unauthorized(detail: &str) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, detail)
    }

    pub fn too_many(retry_after: i64) -> Problem {
        Problem {
            retry_after: Some(retry_after),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "This API key has made too many requests this minute. Try again in {retry_after} s."
                ),
            )
        }
    }
}

impl From<ApiError> for Problem {
    fn from(e: ApiError) -> Self {
        let status = e.status();
        match e {
            ApiError::Invalid { field, message } => Problem::field(status, &field, message),
            ApiError::NotSignedIn => {
                Problem::unauthorized("Send a valid API key as `Authorization: Bearer <key>`.")
            }
            other => Problem::new(status, other.to_string()),
        }
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Self {
        Problem::from(ApiError::from(e))
    }
}

/// A multipart upload's refusal (a field, a file over its limit, a broken stream), with the
/// status the page's upload would answer.
impl From<Refusal> for Problem {
    fn from(refusal: Refusal) -> Self {
        let (status, error) = refusal.into_parts();
        Problem {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            ..Problem::from(error)
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<JsonRejection> for Problem {
    fn from(e: JsonRejection) -> Self {
        let status = match e {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JsonRejection::BytesRejection(_) => StatusCode::PAYLOAD_TOO_LARGE,
            JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        Problem::field(status, "body", e.body_text())
    }
}

impl From<QueryRejection> for Problem {
    fn from(e: QueryRejection) -> Self {
        Problem::field(StatusCode::BAD_REQUEST, "query", e.body_text())
    }
}

impl From<PathRejection> for Problem {
    fn from(e: PathRejection) -> Self {
        Problem::field(StatusCode::BAD_REQUEST, "path", e.body_text())
    }
}

impl From<MultipartRejection> for Problem {
    fn from(e: MultipartRejection) -> Self {
        let status = match e.status() {
            StatusCode::BAD_REQUEST => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            other => other,
        };
        Problem::field(
            status,
            "body",
            format!(
                "Send the document as multipart/form-data ({}).",
                e.body_text()
            ),
        )
    }
}

/// A multipart form (file uploads); a request that is not one answers with a problem.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        axum::extract::Multipart::from_request(request, state)
            .await
            .map(Multipart)
            .map_err(Problem::from)
    }
}

/// A JSON body; a body that cannot be read answers with a problem.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Problem))]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters; ones that cannot be read answer with a problem.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Problem))]
pub struct Query<T>(pub T);

/// Path parameters (ids); one that is not a number answers with a problem.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Problem))]
pub struct Path<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_names_the_field_and_keeps_the_message() {
        let p = Problem::from(ApiError::field("certificate_type_id", "Choose a type."));
        assert_eq!(p.status, 422);
        assert_eq!(p.field.as_deref(), Some("certificate_type_id"));
        assert_eq!(p.detail, "Choose a type.");
        assert_eq!(p.title, "Unprocessable Entity");
    }

    #[test]
    fn too_many_carries_retry_after_in_the_header() {
        let response = Problem::too_many(12).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "12");
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }

    #[test]
    fn not_signed_in_asks_for_a_bearer_key() {
        let response = Problem::from(ApiError::NotSignedIn).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
    }
}
