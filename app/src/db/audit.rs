//! The audit log: who did what, written in the same transaction as the change.

use sqlx::{Any, Executor};

/// Who did it: a person, a person's API key, or nobody (the product itself: chasing, expiry).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct By {
    pub user_id: Option<i64>,
    pub api_key_id: Option<i64>,
}

impl From<Option<i64>> for By {
    fn from(user_id: Option<i64>) -> Self {
        By {
            user_id,
            api_key_id: None,
        }
    }
}

pub async fn record<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    by: impl Into<By>,
    action: &str,
    subject_user_id: Option<i64>,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    insert(
        e,
        agency_id,
        by.into(),
        action,
        subject_user_id,
        None,
        detail,
        now,
    )
    .await
}

/// An entry about a contractor, shown in its history.
pub async fn record_for_contractor<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    by: impl Into<By>,
    action: &str,
    contractor_id: i64,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    insert(
        e,
        agency_id,
        by.into(),
        action,
        None,
        Some(contractor_id),
        detail,
        now,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn insert<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    by: By,
    action: &str,
    subject_user_id: Option<i64>,
    contractor_id: Option<i64>,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (agency_id, actor_user_id, api_key_id, action, subject_user_id, \
         contractor_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(agency_id)
    .bind(by.user_id)
    .bind(by.api_key_id)
    .bind(action)
    .bind(subject_user_id)
    .bind(contractor_id)
    .bind(detail)
    .bind(now)
    .execute(e)
    .await?;
    Ok(())
}

/// One line of a contractor's history, newest first.
#[derive(Debug, sqlx::FromRow)]
pub struct HistoryRow {
    pub at: i64,
    pub action: String,
    pub actor_name: Option<String>,
    pub detail: String,
}

pub async fn contractor_history<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    contractor_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as(
        "SELECT a.at, a.action, CASE WHEN k.id IS NULL THEN u.name \
         ELSE u.name || ' through the API key ' || k.name END AS actor_name, a.detail \
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
         LEFT JOIN api_keys k ON k.id = a.api_key_id \
         WHERE a.agency_id = $1 AND a.contractor_id = $2 ORDER BY a.at DESC, a.id DESC LIMIT $3",
    )
    .bind(agency_id)
    .bind(contractor_id)
    .bind(limit)
    .fetch_all(e)
    .await
}

/// One change made through an API key, newest first.
#[derive(Debug, sqlx::FromRow)]
pub struct KeyActivityRow {
    pub at: i64,
    pub action: String,
    pub detail: String,
    pub company_name: Option<String>,
}

pub async fn of_api_key<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    api_key_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<KeyActivityRow>> {
    sqlx::query_as(
        "SELECT a.at, a.action, a.detail, c.company_name FROM audit_log a \
         LEFT JOIN contractors c ON c.id = a.contractor_id \
         WHERE a.agency_id = $1 AND a.api_key_id = $2 ORDER BY a.at DESC, a.id DESC LIMIT $3",
    )
    .bind(agency_id)
    .bind(api_key_id)
    .bind(limit)
    .fetch_all(e)
    .await
}
