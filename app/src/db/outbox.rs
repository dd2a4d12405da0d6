//! The mail outbox. Rows are written inside the transaction of the change that causes them and
//! claimed by a worker with a lease, so several server instances never send the same row at the
//! same time, and a worker that dies mid-send leaves the row to be picked up when the lease ends.

use super::leases::Queue;
use sqlx::{Any, Executor, FromRow};

const QUEUE: Queue = Queue {
    table: "outbox_emails",
    done: "sent_at",
};

#[derive(Clone, Debug, FromRow)]
pub struct OutboxEmail {
    pub id: i64,
    pub agency_id: Option<i64>,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: i64,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub gave_up_at: Option<i64>,
    pub last_error: Option<String>,
}

const COLUMNS: &str = "id, agency_id, to_address, subject, body_text, body_html, created_at, \
     attempts, sent_at, gave_up_at, last_error";

/// Adds a message; a repeated idempotency key adds nothing (returns false).
#[allow(clippy::too_many_arguments)]
pub async fn enqueue<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: Option<i64>,
    to: &str,
    subject: &str,
    body_text: &str,
    body_html: &str,
    idempotency_key: Option<&str>,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO outbox_emails (agency_id, to_address, subject, body_text, body_html, \
         idempotency_key, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(agency_id)
    .bind(to)
    .bind(subject)
    .bind(body_text)
    .bind(body_html)
    .bind(idempotency_key)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ids of messages due now and not leased by another worker.
pub async fn due<'c, E: Executor<'c, Database = Any>>(
    e: E,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    QUEUE.due(e, now, limit).await
}

/// Takes a lease on one message; true when this worker has it.
pub async fn claim<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    now: i64,
    lease_until: i64,
) -> sqlx::Result<bool> {
    QUEUE.claim(e, id, now, lease_until).await
}

pub async fn get<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
) -> sqlx::Result<Option<OutboxEmail>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox_emails WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(e)
    .await
}

pub async fn mark_sent<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox_emails SET sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(e)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
pub async fn mark_failed<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox_emails SET locked_until = NULL, last_error = $2, \
         next_attempt_at = COALESCE($3, next_attempt_at), \
         gave_up_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .execute(e)
    .await?;
    Ok(())
}

/// The newest messages first, for the development mailbox.
pub async fn latest<'c, E: Executor<'c, Database = Any>>(
    e: E,
    limit: i64,
) -> sqlx::Result<Vec<OutboxEmail>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox_emails ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(e)
    .await
}
