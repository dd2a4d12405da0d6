//! The audit log: who did what, written in the same transaction as the change.

use sqlx::{Any, Executor};

pub async fn record<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    actor_user_id: Option<i64>,
    action: &str,
    subject_user_id: Option<i64>,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (agency_id, actor_user_id, action, subject_user_id, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(agency_id)
    .bind(actor_user_id)
    .bind(action)
    .bind(subject_user_id)
    .bind(detail)
    .bind(now)
    .execute(e)
    .await?;
    Ok(())
}
