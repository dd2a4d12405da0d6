//! When a technician's act was done. Work done on a phone without signal reaches the server
//! later, carrying the phone's time of the act. That time is what the record shows when the
//! server's clock makes it plausible; otherwise the record shows when it arrived, and says why
//! the phone's time was not used. The time it arrived is kept beside it either way.

use serde::{Deserialize, Serialize};

/// The header a queued act carries its phone time in, in milliseconds since the epoch.
pub const HEADER: &str = "x-certidesk-acted-at";
/// A phone's clock may run this far ahead of the server's and still be believed (clocks drift).
pub const AHEAD_MS: i64 = 2 * 60 * 1000;
/// Work kept on a phone longer than this (a week without signal) is recorded when it arrives.
pub const OLDEST_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// When an act reached the server, and the phone's time of it when it came from a phone's queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActedAt {
    pub received: i64,
    pub phone: Option<i64>,
}

/// Why a phone's time was not used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhoneClock {
    /// Later than the server's clock allows.
    Ahead,
    /// Older than [`OLDEST_MS`].
    TooOld,
    /// Before the task's previous change, which cannot have come after it.
    BeforeLastChange,
}

/// The time to record, when it arrived, the phone's time, and what was wrong with the phone's
/// clock, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judged {
    pub at: i64,
    pub received: i64,
    pub phone: Option<i64>,
    pub flag: Option<PhoneClock>,
}

impl ActedAt {
    /// An act done on the server's side (a page with signal, the office, the API).
    pub fn server(now: i64) -> Self {
        ActedAt {
            received: now,
            phone: None,
        }
    }

    /// An act done on a phone at `phone` (its clock), reaching the server at `received`.
    pub fn from_phone(phone: i64, received: i64) -> Self {
        ActedAt {
            received,
            phone: Some(phone),
        }
    }

    /// From the header's value, if any. A value that is not a whole number of milliseconds is
    /// not a phone time.
    pub fn from_header(value: Option<&str>, received: i64) -> Self {
        ActedAt {
            received,
            phone: value.and_then(|v| v.trim().parse::<i64>().ok()),
        }
    }

    /// The time to record: the phone's when it is no later than the server's clock allows, no
    /// older than a week, and not before the task's last change (`last_change`); otherwise when
    /// it arrived, flagged.
    pub fn judge(self, last_change: Option<i64>) -> Judged {
        let received = self.received;
        let Some(phone) = self.phone else {
            return Judged {
                at: received,
                received,
                phone: None,
                flag: None,
            };
        };
        let flag = if phone > received + AHEAD_MS {
            Some(PhoneClock::Ahead)
        } else if phone < received - OLDEST_MS {
            Some(PhoneClock::TooOld)
        } else if last_change.is_some_and(|last| phone < last) {
            Some(PhoneClock::BeforeLastChange)
        } else {
            None
        };
        Judged {
            // A clock a little ahead is believed, but the record never runs ahead of the server.
            at: if flag.is_some() {
                received
            } else {
                phone.min(received)
            },
            received,
            phone: Some(phone),
            flag,
        }
    }
}

/// An act done now, on the server's side.
impl From<i64> for ActedAt {
    fn from(now: i64) -> Self {
        ActedAt::server(now)
    }
}

impl PhoneClock {
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneClock::Ahead => "ahead",
            PhoneClock::TooOld => "too_old",
            PhoneClock::BeforeLastChange => "before_last_change",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "ahead" => Some(PhoneClock::Ahead),
            "too_old" => Some(PhoneClock::TooOld),
            "before_last_change" => Some(PhoneClock::BeforeLastChange),
            _ => None,
        }
    }

    /// Why the time shown is when it arrived, as the timeline says it.
    pub fn explain(self) -> &'static str {
        match self {
            PhoneClock::Ahead => "the phone's clock was ahead of the server's",
            PhoneClock::TooOld => "the phone's time was more than a week before it arrived",
            PhoneClock::BeforeLastChange => {
                "the phone's time was before the task's previous change"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const MINUTE: i64 = 60 * 1000;

    fn judge(phone: i64, last: Option<i64>) -> Judged {
        ActedAt::from_phone(phone, NOW).judge(last)
    }

    #[test]
    fn an_act_done_with_signal_is_recorded_when_it_arrived() {
        let judged = ActedAt::server(NOW).judge(Some(NOW - MINUTE));
        assert_eq!((judged.at, judged.received, judged.flag), (NOW, NOW, None));
    }

    #[test]
    fn a_queued_act_is_recorded_at_the_phones_time() {
        let pressed = NOW - 90 * MINUTE;
        let judged = judge(pressed, Some(NOW - 3 * 60 * MINUTE));
        assert_eq!(
            (judged.at, judged.received, judged.flag),
            (pressed, NOW, None)
        );
    }

    #[test]
    fn a_clock_a_little_ahead_is_believed_but_never_past_the_server() {
        assert_eq!(judge(NOW + MINUTE, None).at, NOW);
        assert_eq!(judge(NOW + MINUTE, None).flag, None);
        assert_eq!(judge(NOW + AHEAD_MS, None).flag, None);
    }

    #[test]
    fn a_clock_far_ahead_is_flagged_and_the_arrival_time_used() {
        let judged = judge(NOW + AHEAD_MS + 1, None);
        assert_eq!((judged.at, judged.flag), (NOW, Some(PhoneClock::Ahead)));
    }

    #[test]
    fn a_time_older_than_a_week_is_flagged() {
        assert_eq!(judge(NOW - OLDEST_MS, None).flag, None);
        let judged = judge(NOW - OLDEST_MS - 1, None);
        assert_eq!((judged.at, judged.flag), (NOW, Some(PhoneClock::TooOld)));
    }

    #[test]
    fn a_time_before_the_tasks_last_change_is_flagged() {
        let judged = judge(NOW - 10 * MINUTE, Some(NOW - 5 * MINUTE));
        assert_eq!(
            (judged.at, judged.flag),
            (NOW, Some(PhoneClock::BeforeLastChange))
        );
        assert_eq!(judge(NOW - 5 * MINUTE, Some(NOW - 5 * MINUTE)).flag, None);
    }

    #[test]
    fn the_header_is_whole_milliseconds_or_nothing() {
        assert_eq!(ActedAt::from_header(Some(" 1700 "), NOW).phone, Some(1700));
        assert_eq!(ActedAt::from_header(Some("14:05"), NOW).phone, None);
        assert_eq!(ActedAt::from_header(None, NOW).phone, None);
    }

    #[test]
    fn flags_read_back_as_written() {
        for flag in [
            PhoneClock::Ahead,
            PhoneClock::TooOld,
            PhoneClock::BeforeLastChange,
        ] {
            assert_eq!(PhoneClock::parse(flag.as_str()), Some(flag));
        }
        assert_eq!(PhoneClock::parse("late"), None);
    }
}
