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

/// Records an event; its id.
pub async fn record<'c, E: Executor<'c, Database = Any>>(
    e: E,
    action: &str,
    subject: &str,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO auth_attempts (action, subject, at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(action)
    .bind(subject)
    .bind(now)
    .fetch_one(e)
    .await
}

/// Makes other transactions that lock the same `key` wait until this one ends (see migration
/// 0015); call it first in the transaction.
pub async fn lock<'c, E: Executor<'c, Database = Any>>(
    e: E,
    key: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO throttle_locks (subject, at) VALUES ($1, $2) \
         ON CONFLICT (subject) DO UPDATE SET at = excluded.at",
    )
    .bind(key)
    .bind(now)
    .execute(e)
    .await?;
    Ok(())
}

/// Takes back one event (a reserved attempt that turned out not to count).
pub async fn forget<'c, E: Executor<'c, Database = Any>>(e: E, id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM auth_attempts WHERE id = $1")
        .bind(id)
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

/// Events older than `before` no longer count; the worker removes them, and the lock rows of
/// subjects not seen since.
pub async fn forget_before(pool: &sqlx::AnyPool, before: i64) -> sqlx::Result<u64> {
    sqlx::query("DELETE FROM throttle_locks WHERE at < $1")
        .bind(before)
        .execute(pool)
        .await?;
    Ok(sqlx::query("DELETE FROM auth_attempts WHERE at < $1")
        .bind(before)
        .execute(pool)
        .await?
        .rows_affected())
}
