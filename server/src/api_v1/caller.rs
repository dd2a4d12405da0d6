//! Who is calling the API: the key in `Authorization: Bearer <key>`, counted against its limit.
//! A session cookie never authenticates here, so the API cannot be driven from another site
//! through a signed-in browser.

use super::problem::Problem;
use app::services::api_keys::{self, KeyCaller};
use app::services::{auth, Context, ServiceError};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

/// Requests one key may make per minute (the operator's `API_REQUESTS_PER_MINUTE`).
#[derive(Clone, Copy, Debug)]
pub struct ApiLimit(pub i64);

/// The key's caller: the key's maker narrowed to its scopes.
pub struct Caller(pub KeyCaller);

impl<S> FromRequestParts<S> for Caller
where
    Context: FromRef<S>,
    ApiLimit: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                Problem::unauthorized("Send an API key as `Authorization: Bearer <key>`.")
            })?;
        let ApiLimit(limit) = ApiLimit::from_ref(state);
        match api_keys::authenticate(&Context::from_ref(state), presented, limit, auth::now())
            .await
        {
            Ok(caller) => Ok(Caller(caller)),
            Err(ServiceError::NotSignedIn) => Err(Problem::unauthorized(
                "This API key is not valid: it is unknown, or it was revoked. Ask an administrator for a new one (Settings > API).",
            )),
            Err(ServiceError::TooManyAttempts { wait_ms }) => {
                Err(Problem::too_many((wait_ms + 999) / 1000))
            }
            Err(other) => Err(other.into()),
        }
    }
}
