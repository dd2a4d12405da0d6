//! tower-sessions records in the database, shared by every server instance. The user id is kept
//! in its own column so every session of a user can be ended at once.

use super::Db;
use async_trait::async_trait;
use sqlx::{Any, Executor};
use time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// The session key that holds the signed-in user's id.
pub const USER_ID_KEY: &str = "user_id";

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> Self {
        DbSessionStore { db }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn parts(record: &Record) -> session_store::Result<(String, Option<i64>, String, i64)> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    let user_id = record.data.get(USER_ID_KEY).and_then(|v| v.as_i64());
    let expires_at = (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64;
    Ok((record.id.to_string(), user_id, data, expires_at))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let (id, user_id, data, expires_at) = parts(record)?;
            let done = sqlx::query(
                "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(user_id)
            .bind(data)
            .bind(expires_at)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
            if done.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Updates only: a session ended elsewhere (sign out everywhere, a disabled user) is not
    /// brought back by a request that was already in flight.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (id, user_id, data, expires_at) = parts(record)?;
        sqlx::query("UPDATE sessions SET user_id = $2, data = $3, expires_at = $4 WHERE id = $1")
            .bind(id)
            .bind(user_id)
            .bind(data)
            .bind(expires_at)
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
        )
        .bind(id.to_string())
        .bind(super::now_ms())
        .fetch_optional(self.db.pool())
        .await
        .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_at) * 1_000_000)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.to_string())
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Ends every session of a user (sign out everywhere, password changed, user disabled).
pub async fn end_all_for_user<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(e)
        .await?
        .rows_affected())
}

pub async fn count_for_user<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(e)
        .await
}

pub async fn delete_expired<'c, E: Executor<'c, Database = Any>>(
    e: E,
    now: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(e)
        .await?
        .rows_affected())
}
