//! API keys: stored as a SHA-256 hash of the key, never the key.

use sqlx::{Any, Executor};

/// A key as the Settings > API page lists it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KeyRow {
    pub id: i64,
    pub name: String,
    pub scopes: String,
    pub key_hint: String,
    pub created_by_name: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A key found by its hash, with what a request needs to act through it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PresentedKey {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    pub scopes: String,
    pub created_by: i64,
    pub revoked_at: Option<i64>,
}

pub struct NewKey<'a> {
    pub agency_id: i64,
    pub name: &'a str,
    pub scopes: &'a str,
    pub key_hash: &'a str,
    pub key_hint: &'a str,
    pub created_by: i64,
}

pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    e: E,
    key: &NewKey<'_>,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO api_keys (agency_id, name, scopes, key_hash, key_hint, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(key.agency_id)
    .bind(key.name)
    .bind(key.scopes)
    .bind(key.key_hash)
    .bind(key.key_hint)
    .bind(key.created_by)
    .bind(now)
    .fetch_one(e)
    .await
}

/// The agency's keys, newest first, revoked ones included (their history matters).
pub async fn of_agency<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
) -> sqlx::Result<Vec<KeyRow>> {
    sqlx::query_as(
        "SELECT k.id, k.name, k.scopes, k.key_hint, u.name AS created_by_name, k.created_at, \
         k.last_used_at, k.revoked_at FROM api_keys k LEFT JOIN users u ON u.id = k.created_by \
         WHERE k.agency_id = $1 ORDER BY k.created_at DESC, k.id DESC",
    )
    .bind(agency_id)
    .fetch_all(e)
    .await
}

/// Whether the key is the agency's (revoked or not).
pub async fn is_of_agency<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    id: i64,
) -> sqlx::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM api_keys WHERE id = $1 AND agency_id = $2")
            .bind(id)
            .bind(agency_id)
            .fetch_optional(e)
            .await?;
    Ok(found.is_some())
}

pub async fn by_hash<'c, E: Executor<'c, Database = Any>>(
    e: E,
    key_hash: &str,
) -> sqlx::Result<Option<PresentedKey>> {
    sqlx::query_as(
        "SELECT id, agency_id, name, scopes, created_by, revoked_at FROM api_keys \
         WHERE key_hash = $1",
    )
    .bind(key_hash)
    .fetch_optional(e)
    .await
}

/// Marks the key revoked; false when it is not the agency's or was revoked already.
pub async fn revoke<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    id: i64,
    by: i64,
    now: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = $1, revoked_by = $2 \
         WHERE id = $3 AND agency_id = $4 AND revoked_at IS NULL RETURNING name",
    )
    .bind(now)
    .bind(by)
    .bind(id)
    .bind(agency_id)
    .fetch_optional(e)
    .await
}

/// Reserves `asked` requests in the key's current minute and notes the key as used, in one
/// statement (atomic on both engines, so parallel reservations on several instances count
/// exactly); the count so far in this minute, these included.
pub async fn reserve_requests<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    window_start: i64,
    asked: i64,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "UPDATE api_keys SET last_used_at = $1, \
         window_count = CASE WHEN window_start = $2 THEN window_count ELSE 0 END + $4, \
         window_start = $2 WHERE id = $3 RETURNING window_count",
    )
    .bind(now)
    .bind(window_start)
    .bind(id)
    .bind(asked)
    .fetch_one(e)
    .await
}
