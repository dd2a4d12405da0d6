//! Requests named with an `Idempotency-Key` (see `domain::client_requests`): the first sending
//! is recorded before it is done, its answer kept after; a repeat gets that answer.
//!
//! The record and the work are separate transactions: a crash after the work committed but
//! before its answer was kept leaves the key "still being answered", so a repeat is refused
//! rather than done twice.

use super::auth::Actor;
use super::{Context, ServiceError};
use crate::db::client_requests;

/// A first sending's answer as kept (the row of `db::client_requests`).
pub use crate::db::client_requests::ClientRequest as KeptAnswer;
use crate::domain::client_requests::KEPT_MS;

/// What a request with a key is, when it arrives.
#[derive(Debug)]
pub enum Sending {
    /// The first: do it, then [`keep`] its answer.
    First,
    /// A repeat of a request already answered: give this answer.
    Repeat(KeptAnswer),
    /// A repeat while the first is still being answered.
    StillAnswering,
    /// The key was used for a request to another address.
    KeyUsedElsewhere,
}

pub async fn arrive(
    cx: &Context,
    actor: &Actor,
    key: &str,
    path: &str,
    now: i64,
) -> Result<Sending, ServiceError> {
    let mut tx = cx.db.begin_write().await?;
    client_requests::forget_older(&mut *tx, actor.user_id, now - KEPT_MS).await?;
    let first = client_requests::reserve(&mut *tx, actor.user_id, key, path, now).await?;
    let sending = if first {
        Sending::First
    } else {
        match client_requests::find(&mut *tx, actor.user_id, key).await? {
            Some(kept) if kept.path != path => Sending::KeyUsedElsewhere,
            Some(kept) if kept.status.is_none() => Sending::StillAnswering,
            Some(kept) => Sending::Repeat(kept),
            // Forgotten since (its first sending failed on the server's side): sent again, it
            // will be recorded and done.
            None => Sending::StillAnswering,
        }
    };
    tx.commit().await?;
    Ok(sending)
}

/// Keeps the first answer; `None` forgets the key, so the request may be sent again.
pub async fn keep(
    cx: &Context,
    actor: &Actor,
    key: &str,
    answer: Option<&KeptAnswer>,
) -> Result<(), ServiceError> {
    let mut tx = cx.db.begin_write().await?;
    match answer {
        Some(answer) => client_requests::answer(&mut *tx, actor.user_id, key, answer).await?,
        None => client_requests::forget(&mut *tx, actor.user_id, key).await?,
    }
    tx.commit().await?;
    Ok(())
}
