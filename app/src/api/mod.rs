//! Server functions: thin. Each resolves who is asking, calls a service, returns a typed result.
//! Every endpoint is named (`/rpc/...`) so tests and tools can call it by a stable path; the
//! public REST API has `/api/v1` to itself, so the page's internal calls and the API never mix.

pub mod agency;
pub mod api_keys;
pub mod auth;
pub mod calendar;
pub mod compliance;
pub mod mailbox;
pub mod preferences;
pub mod properties;
pub mod quotes;
pub mod reports;
#[cfg(feature = "ssr")]
pub mod request;
pub mod tasks;
pub mod team;
pub mod users;
pub mod webhooks;
pub mod work_kinds;

use crate::domain::form_fields;
use crate::domain::identity::LinkProblem;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Ids from a comma-separated form field (checkboxes gathered into one value, a select); empty
/// is none.
#[cfg(feature = "ssr")]
pub(crate) fn id_list(field: &str, text: Option<&str>) -> Result<Vec<i64>, ApiError> {
    Ok(form_fields::id_list(field, text.unwrap_or(""))?)
}

/// A date from a date field (`YYYY-MM-DD`); empty is none.
#[cfg(feature = "ssr")]
pub(crate) fn date_field(
    field: &str,
    text: Option<&str>,
) -> Result<Option<chrono::NaiveDate>, ApiError> {
    Ok(form_fields::optional_date(field, text.unwrap_or(""))?)
}

impl From<form_fields::FieldError> for ApiError {
    fn from(e: form_fields::FieldError) -> Self {
        ApiError::Invalid {
            field: e.field,
            message: e.message.into(),
        }
    }
}

/// Whether the server runs the demo (the development mailbox exists only then), given to every
/// request beside the services' `Context`.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug)]
pub struct DemoMode(pub bool);

/// What a server function can answer besides success, as the user reads it. Mapped once from
/// the services' errors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("You are not signed in, or your session has ended. Sign in again.")]
    NotSignedIn,
    #[error("{0}")]
    Forbidden(String),
    #[error("That {0} was not found.")]
    NotFound(String),
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Refused(String),
    #[error("Too many attempts. Try again in {0}.")]
    TooManyAttempts(String),
    #[error("{}", .0.explain())]
    Link(LinkProblem),
    #[error("Something went wrong on our side. Try again in a moment.")]
    Server,
    #[error("The server could not be reached ({0}). Check your connection and try again.")]
    Transport(String),
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    /// In the browser: the request did not get through. On the server: the request could not be
    /// read (a malformed or too large body, arguments of the wrong shape), which is the client's
    /// mistake and gets a 4xx with a plain message, never the decoder's own words.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            request_problem(value)
        }
        #[cfg(not(feature = "ssr"))]
        {
            ApiError::Transport(value.to_string())
        }
    }
}

#[cfg(feature = "ssr")]
fn request_problem(value: ServerFnErrorErr) -> ApiError {
    use axum::http::StatusCode;
    let (status, error) = match &value {
        ServerFnErrorErr::Args(_)
        | ServerFnErrorErr::MissingArg(_)
        | ServerFnErrorErr::Deserialization(_)
        | ServerFnErrorErr::Request(_) => {
            let text = value.to_string();
            if text.contains("length limit exceeded") {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ApiError::Invalid {
                        field: "request".into(),
                        message: "The request is larger than the server takes. Shorten the text, or send files through their own upload.".into(),
                    },
                )
            } else {
                tracing::info!("a server function's request could not be read: {text}");
                (
                    StatusCode::BAD_REQUEST,
                    ApiError::Invalid {
                        field: "request".into(),
                        message: "The request could not be read. Reload the page and try again."
                            .into(),
                    },
                )
            }
        }
        _ => {
            tracing::error!("server function failed: {value}");
            (StatusCode::INTERNAL_SERVER_ERROR, ApiError::Server)
        }
    };
    request::set_status(status);
    error
}

impl ApiError {
    /// The message for a form field, when the error is about that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Invalid { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl ApiError {
    /// The HTTP status that goes with this answer, the same from a server function and from a
    /// multipart or download route.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            ApiError::NotSignedIn => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Refused(_) => StatusCode::CONFLICT,
            ApiError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Link(problem) => match problem {
                LinkProblem::Unknown => StatusCode::NOT_FOUND,
                LinkProblem::Used | LinkProblem::Expired => StatusCode::GONE,
                LinkProblem::AccountDisabled => StatusCode::FORBIDDEN,
            },
            ApiError::Server => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// A field the person can correct, with what to tell them.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Routes outside server functions (multipart uploads, downloads) answer with the same status
/// and the same JSON body a server function would, so the page reads both one way.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        (self.status(), axum::Json(self)).into_response()
    }
}

/// The one mapping from what a service refused to what the person is told; a server function's
/// response gets the status of [`ApiError::status`].
#[cfg(feature = "ssr")]
impl From<crate::services::ServiceError> for ApiError {
    fn from(e: crate::services::ServiceError) -> Self {
        use crate::services::ServiceError as S;
        let error = match e {
            S::NotSignedIn => ApiError::NotSignedIn,
            S::Forbidden(why) => ApiError::Forbidden(format!("Not allowed: {why}.")),
            S::MissingPermission(p) => ApiError::Forbidden(format!(
                "Your role does not allow you to {}. Ask your agency's administrator.",
                p.describe()
            )),
            S::NotFound(what) => ApiError::NotFound(what.to_string()),
            S::Invalid { field, message } => ApiError::Invalid {
                field: field.to_string(),
                message,
            },
            S::Refused(message) => ApiError::Refused(message),
            S::TooManyAttempts { wait_ms } => {
                ApiError::TooManyAttempts(crate::domain::identity::describe_wait(wait_ms))
            }
            other => {
                tracing::error!("a request failed: {other}");
                ApiError::Server
            }
        };
        request::set_status(error.status());
        error
    }
}
