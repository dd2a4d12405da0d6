//! Emailed link tokens. Only their SHA-256 is stored; using one is a single conditional update,
//! so two clicks racing cannot both succeed.

use sqlx::{Any, Executor, FromRow};

#[derive(Clone, Debug, FromRow)]
pub struct TokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub purpose: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    e: E,
    token_hash: &str,
    user_id: i64,
    purpose: &str,
    now: i64,
    expires_at: i64,
    requested_from: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_tokens (token_hash, user_id, purpose, created_at, expires_at, requested_from) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose)
    .bind(now)
    .bind(expires_at)
    .bind(requested_from)
    .execute(e)
    .await?;
    Ok(())
}

pub async fn find<'c, E: Executor<'c, Database = Any>>(
    e: E,
    token_hash: &str,
) -> sqlx::Result<Option<TokenRecord>> {
    sqlx::query_as(
        "SELECT id, user_id, purpose, expires_at, used_at FROM sign_in_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(e)
    .await
}

/// Marks the token used if it still can be; true when this call used it.
pub async fn use_once<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE sign_in_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(id)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}
