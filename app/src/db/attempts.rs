//! Throttled events (failed passwords, link requests), counted per subject: an email address or
//! a network address. Shared by every server instance because it lives in the database.

use sqlx::{Any, Executor};

pub async fn recent<'c, E: Executor<'c, Database = Any>>(
    e: E,
    action: &str,
    subject: &str,
    since: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT at FROM auth_attempts WHERE action = $1 AND subject = $2 AND at > $3 ORDER BY at",
    )
    .bind(action)
    .bind(subject)
    .bind(since)
    .fetch_all(e)
    .await
}

pub async fn record<'c, E: Executor<'c, Database = Any>>(
    e: E,
    action: &str,
    subject: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO auth_attempts (action, subject, at) VALUES ($1, $2, $3)")
        .bind(action)
        .bind(subject)
        .bind(now)
        .execute(e)
        .await?;
    Ok(())
}

pub async fn clear<'c, E: Executor<'c, Database = Any>>(
    e: E,
    action: &str,
    subject: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM auth_attempts WHERE action = $1 AND subject = $2")
        .bind(action)
        .bind(subject)
        .execute(e)
        .await?;
    Ok(())
}

/// Events older than `before` no longer count; the worker removes them.
pub async fn forget_before<'c, E: Executor<'c, Database = Any>>(
    e: E,
    before: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM auth_attempts WHERE at < $1")
        .bind(before)
        .execute(e)
        .await?
        .rows_affected())
}
