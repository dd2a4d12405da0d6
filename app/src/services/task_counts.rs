//! How many of a contractor office's tasks match a Desk dashboard's filters, kept in memory under
//! the contractor's task version (`contractors.task_version`, moved by triggers on every change
//! that can change a count: migration 0030). Counting reads every task of the status with the
//! search applied to each (1.5 ms of a 4 ms page on the benchmark's largest office); the same
//! filters are asked again and again (the page reloads on every change, several people share an
//! office) while the tasks change far less often.
//!
//! The version is read before the count: a change committed in between makes the kept count's
//! version older than the next reader's, which then counts again. Nothing can be served stale;
//! every instance reads the version from the database.

use std::collections::HashMap;
use std::sync::Mutex;

/// The most counts kept; past it the whole cache is emptied (counts are cheap to make again, and
/// a bound matters more than which ones survive).
const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Default)]
pub struct TaskCountCache(Mutex<HashMap<CountKey, Kept>>);

/// The contractor and the count's statement with its values, written out.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CountKey {
    pub contractor_id: i64,
    pub query: String,
}

#[derive(Debug)]
struct Kept {
    version: i64,
    counted: u64,
}

impl TaskCountCache {
    /// The count kept for `key` at `version`, if there is one.
    pub fn get(&self, key: &CountKey, version: i64) -> Option<u64> {
        let kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(key)
            .filter(|k| k.version == version)
            .map(|k| k.counted)
    }

    /// Keeps `counted` for `key`, made at `version` (read before counting).
    pub fn put(&self, key: CountKey, version: i64, counted: u64) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= MAX_ENTRIES && !kept.contains_key(&key) {
            kept.clear();
        }
        kept.insert(key, Kept { version, counted });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(contractor_id: i64, query: &str) -> CountKey {
        CountKey {
            contractor_id,
            query: query.into(),
        }
    }

    #[test]
    fn a_count_is_served_only_at_the_version_it_was_made() {
        let cache = TaskCountCache::default();
        cache.put(key(7, "accepted boiler"), 3, 312);
        assert_eq!(cache.get(&key(7, "accepted boiler"), 3), Some(312));
        assert_eq!(cache.get(&key(7, "accepted boiler"), 4), None);
        assert_eq!(cache.get(&key(8, "accepted boiler"), 3), None);
        assert_eq!(cache.get(&key(7, "accepted"), 3), None);
        cache.put(key(7, "accepted boiler"), 4, 311);
        assert_eq!(cache.get(&key(7, "accepted boiler"), 4), Some(311));
        assert_eq!(cache.get(&key(7, "accepted boiler"), 3), None);
    }

    #[test]
    fn the_cache_stays_within_its_bound() {
        let cache = TaskCountCache::default();
        for n in 0..(MAX_ENTRIES as i64 + 10) {
            cache.put(key(n, "all"), 1, 1);
        }
        assert!(cache.len() <= MAX_ENTRIES);
        assert_eq!(cache.get(&key(MAX_ENTRIES as i64 + 9, "all"), 1), Some(1));
    }
}
