//! Use cases: each one checks who is asking and owns its transaction.

pub mod agency;
pub mod api_keys;
pub mod api_limit;
pub mod auth;
pub mod calendar;
pub mod certificate_reading;
pub mod certificate_types;
pub mod client_requests;
pub mod compliance;
mod context;
pub mod daily;
pub mod demo;
pub mod escalation;
pub mod heavy;
pub mod import;
pub mod mail;
pub mod preferences;
pub mod properties;
pub mod quotes;
pub mod reminders;
pub mod task_counts;
pub mod task_list;
pub mod tasks;
pub mod team;
pub mod users;
pub mod webhooks;
pub mod work_kinds;

pub use context::Context;

use crate::domain::identity::Permission;

/// What a use case can answer besides success. Expected business outcomes are variants, so the
/// API layer maps each once to what the user sees.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    #[error("missing permission: {}", .0.describe())]
    MissingPermission(Permission),
    /// Also the answer for another tenant's id: it does not exist for the one asking.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("refused: {0}")]
    Refused(String),
    #[error("too many attempts; wait {wait_ms} ms")]
    TooManyAttempts { wait_ms: i64 },
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("internal: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl From<sqlx::Error> for ServiceError {
    fn from(e: sqlx::Error) -> Self {
        ServiceError::Db(e.into())
    }
}
