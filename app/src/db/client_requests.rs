//! Requests sent with an `Idempotency-Key`, and their first answers, per person.

use sqlx::{Any, Executor, FromRow};

/// A request as recorded: `status` is `None` while its first sending is being answered.
#[derive(Debug, FromRow)]
pub struct ClientRequest {
    pub path: String,
    pub status: Option<i64>,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Option<Vec<u8>>,
}

/// Records the first sending of `key` by `user_id`; `false` when the key was already recorded.
pub async fn reserve<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
    key: &str,
    path: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO client_requests (user_id, request_key, path, received_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, request_key) DO NOTHING",
    )
    .bind(user_id)
    .bind(key)
    .bind(path)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
    key: &str,
) -> sqlx::Result<Option<ClientRequest>> {
    sqlx::query_as(
        "SELECT path, status, content_type, location, body FROM client_requests \
         WHERE user_id = $1 AND request_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(e)
    .await
}

/// Keeps the first answer.
pub async fn answer<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
    key: &str,
    answer: &ClientRequest,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE client_requests SET status = $3, content_type = $4, location = $5, body = $6 \
         WHERE user_id = $1 AND request_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .bind(answer.status)
    .bind(answer.content_type.as_deref())
    .bind(answer.location.as_deref())
    .bind(answer.body.as_deref())
    .execute(e)
    .await?;
    Ok(())
}

/// Forgets a key: its request may be sent again and done (the first sending failed on the
/// server's side, and did nothing).
pub async fn forget<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
    key: &str,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM client_requests WHERE user_id = $1 AND request_key = $2")
        .bind(user_id)
        .bind(key)
        .execute(e)
        .await?;
    Ok(())
}

/// Forgets a person's keys recorded before `before`.
pub async fn forget_older<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
    before: i64,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM client_requests WHERE user_id = $1 AND received_at < $2")
        .bind(user_id)
        .bind(before)
        .execute(e)
        .await?;
    Ok(())
}
