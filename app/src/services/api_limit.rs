//! The API's limit per minute per key, counted in the database so it holds across instances,
//! and reserved there a block at a time so that most API requests read and do not write.

use crate::db::{api_keys, Db};
use crate::domain::api_keys as rules;
use crate::services::ServiceError;
use std::collections::HashMap;

/// The requests each key may still make in the current minute that this instance has reserved in
/// the database and not used. A key's count moves once per reservation
/// ([`rules::reservation_size`]), not once per request: an API read is then not a write, which
/// on SQLite would wait its turn behind every other writer. The limit still holds across
/// instances, as only reserved requests are served; an instance's unused reservations lapse with
/// the minute (or a restart), and `last_used_at` is the time of the key's last reservation. Once
/// the database has no more for a key this minute, the instance refuses the key's requests
/// without asking again: a client past its limit costs no writes.
#[derive(Debug, Default)]
pub struct Reservations {
    left: std::sync::Mutex<HashMap<i64, Reserved>>,
    /// Held while a reservation is asked for and recorded, so a request never finds the map
    /// empty while another's reservation is on its way into it (the limit would refuse it early).
    asking: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Reserved {
    window_start: i64,
    left: i64,
    /// The minute's limit is reached in the database: what is left here is the last of it.
    spent: bool,
}

impl Reservations {
    /// Whether one more request of the key fits in its limit this minute (and counts it).
    pub(crate) async fn take(
        &self,
        db: &Db,
        key_id: i64,
        limit: i64,
        now: i64,
    ) -> Result<bool, ServiceError> {
        let window = rules::window_start(now);
        if let Some(answer) = self.answer_held(key_id, window) {
            return Ok(answer);
        }
        let _asking = self.asking.lock().await;
        if let Some(answer) = self.answer_held(key_id, window) {
            return Ok(answer);
        }
        let asked = rules::reservation_size(limit);
        let count = {
            let mut tx = db.begin_write().await?;
            let count = api_keys::reserve_requests(&mut *tx, key_id, window, asked, now).await?;
            tx.commit().await?;
            count
        };
        let reserved = rules::reserved_within(limit, count, asked);
        self.left.lock().expect("never held across a panic").insert(
            key_id,
            Reserved {
                window_start: window,
                left: (reserved - 1).max(0),
                spent: count >= limit,
            },
        );
        Ok(reserved > 0)
    }

    /// The answer from what this instance holds for the key this minute: yes with one of its
    /// reserved requests (now used), no once the minute is spent, `None` when the database must
    /// be asked.
    fn answer_held(&self, key_id: i64, window: i64) -> Option<bool> {
        let mut left = self.left.lock().expect("never held across a panic");
        match left.get_mut(&key_id) {
            Some(r) if r.window_start == window && r.left > 0 => {
                r.left -= 1;
                Some(true)
            }
            Some(r) if r.window_start == window && r.spent => Some(false),
            _ => None,
        }
    }
}
