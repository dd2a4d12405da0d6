//! When a failed email is tried again, and when the outbox gives up on it.

const MINUTE: i64 = 60_000;

/// Waits after the 1st, 2nd, ... failed attempt. After the last, the message is given up and
/// shown as failed: roughly a day of trying covers a mail server's maintenance window.
const BACKOFF_MS: [i64; 7] = [
    MINUTE,
    5 * MINUTE,
    15 * MINUTE,
    60 * MINUTE,
    3 * 60 * MINUTE,
    6 * 60 * MINUTE,
    12 * 60 * MINUTE,
];

/// `attempts` counts the attempt that just failed (1 for the first). `None`: give up.
pub fn retry_at(attempts: i64, failed_at: i64) -> Option<i64> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    BACKOFF_MS.get(index).map(|wait| failed_at + wait)
}

/// How long a worker may hold a message before another may take it over.
pub const LEASE_MS: i64 = 2 * MINUTE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_then_the_outbox_gives_up() {
        assert_eq!(retry_at(1, 1_000), Some(1_000 + MINUTE));
        assert_eq!(retry_at(2, 0), Some(5 * MINUTE));
        let waits: Vec<i64> = (1..=7).map(|n| retry_at(n, 0).unwrap()).collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(retry_at(8, 0), None);
        assert_eq!(retry_at(0, 0), None);
    }
}
