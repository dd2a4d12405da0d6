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

/// What the instance holds for a key this minute.
enum Held {
    /// One of its reserved requests, now used.
    Taken,
    /// Nothing, and the minute's limit is reached.
    Spent,
    /// Nothing yet: ask the database.
    Nothing,
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
        match self.held(key_id, window) {
            Held::Taken => return Ok(true),
            Held::Spent => return Ok(false),
            Held::Nothing => {}
        }
        let _asking = self.asking.lock().await;
        match self.held(key_id, window) {
            Held::Taken => return Ok(true),
            Held::Spent => return Ok(false),
            Held::Nothing => {}
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

    fn held(&self, key_id: i64, window: i64) -> Held {
        let mut left = self.left.lock().expect("never held across a panic");
        match left.get_mut(&key_id) {
            Some(r) if r.window_start == window && r.left > 0 => {
                r.left -= 1;
                Held::Taken
            }
            Some(r) if r.window_start == window && r.spent => Held::Spent,
            _ => Held::Nothing,
        }
    }
}
