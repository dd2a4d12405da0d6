//! Requests sent again: a client (a phone that lost its answer, a queue replayed when signal
//! returns, an API client retrying) names each request with an `Idempotency-Key`, and the server
//! answers a repeat with the first answer instead of doing the work twice.

/// The header that names a request.
pub const KEY_HEADER: &str = "idempotency-key";

/// How long a first answer is kept for repeats: longer than any phone stays without signal.
pub const KEPT_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// A key is 8 to 100 visible ASCII characters (a UUID, a ULID, a random string).
pub fn valid_key(key: &str) -> bool {
    (8..=100).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// Only the first answer that says what happened is kept: a server error did not settle the
/// request, so sending it again should do it.
pub fn keeps_answer(status: u16) -> bool {
    status < 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("0b6f1c1e-7f0e-4c8a-9d51-2f7a0c3e9b11"));
        assert!(valid_key("01JEXAMPLE0"));
        assert!(!valid_key("short"));
        assert!(!valid_key("has a space in it"));
        assert!(!valid_key("ключ-на-русском"));
        assert!(!valid_key(&"k".repeat(101)));
    }

    #[test]
    fn server_errors_are_not_kept() {
        assert!(keeps_answer(200));
        assert!(keeps_answer(303));
        assert!(keeps_answer(409));
        assert!(keeps_answer(422));
        assert!(!keeps_answer(500));
        assert!(!keeps_answer(503));
    }
}
