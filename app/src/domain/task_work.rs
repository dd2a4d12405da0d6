//! Rules for the work on a task between the agency and the contractor: the kinds of documents,
//! what a message may be, and which dates the office may give.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Documents on a task: the client's (the agency's), and the contractor's when completing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentKind {
    Client,
    Report,
    Invoice,
    Quote,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 4] = [
        DocumentKind::Client,
        DocumentKind::Report,
        DocumentKind::Invoice,
        DocumentKind::Quote,
    ];
    /// What the contractor's office uploads with "Complete task".
    pub const COMPLETION: [DocumentKind; 3] = [
        DocumentKind::Report,
        DocumentKind::Invoice,
        DocumentKind::Quote,
    ];

    /// The stored form (and the multipart field name); the migrations' CHECK lists the same.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Client => "client",
            DocumentKind::Report => "report",
            DocumentKind::Invoice => "invoice",
            DocumentKind::Quote => "quote",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Client => "Provided by the client",
            DocumentKind::Report => "Report",
            DocumentKind::Invoice => "Invoice",
            DocumentKind::Quote => "Quote",
        }
    }
}

pub const MAX_MESSAGE_CHARS: usize = 4_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MessageProblem {
    #[error("Write a message first.")]
    Empty,
    #[error("Keep a message under 4,000 characters, or send it in parts.")]
    TooLong,
}

/// The message as it is kept: trimmed, not empty, not too long.
pub fn check_message(body: &str) -> Result<&str, MessageProblem> {
    let body = body.trim();
    if body.is_empty() {
        return Err(MessageProblem::Empty);
    }
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(MessageProblem::TooLong);
    }
    Ok(body)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateProblem {
    #[error("Give the date you were on site.")]
    Missing,
    #[error("The on-site date cannot be in the future.")]
    InFuture,
    #[error("The on-site date is more than a year ago. Check the year.")]
    TooLongAgo,
    #[error("The planned date is in the past. Choose today or a later day.")]
    PlannedInPast,
}

/// The actual on-site date given when completing: required, not after today (in the agency's
/// time zone), and not absurdly old.
pub fn check_on_site_date(
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<NaiveDate, DateProblem> {
    let date = date.ok_or(DateProblem::Missing)?;
    if date > today {
        return Err(DateProblem::InFuture);
    }
    if (today - date).num_days() > 366 {
        return Err(DateProblem::TooLongAgo);
    }
    Ok(date)
}

/// The planned date given when accepting: optional, and not before today.
pub fn check_planned_date(
    date: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, DateProblem> {
    match date {
        Some(d) if d < today => Err(DateProblem::PlannedInPast),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn document_kinds_round_trip_and_completion_excludes_the_client() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(DocumentKind::parse("receipt"), None);
        assert!(!DocumentKind::COMPLETION.contains(&DocumentKind::Client));
    }

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(check_message("  Hello  \n"), Ok("Hello"));
        assert_eq!(check_message(" \n\t "), Err(MessageProblem::Empty));
        let longest = "é".repeat(MAX_MESSAGE_CHARS);
        assert_eq!(check_message(&longest), Ok(longest.as_str()));
        assert_eq!(
            check_message(&format!("{longest}x")),
            Err(MessageProblem::TooLong)
        );
    }

    #[test]
    fn the_on_site_date_is_required_and_not_in_the_future() {
        let today = day(2026, 11, 22);
        assert_eq!(check_on_site_date(None, today), Err(DateProblem::Missing));
        assert_eq!(check_on_site_date(Some(today), today), Ok(today));
        assert_eq!(
            check_on_site_date(Some(day(2026, 11, 23)), today),
            Err(DateProblem::InFuture)
        );
        assert_eq!(
            check_on_site_date(Some(day(2025, 11, 21)), today),
            Ok(day(2025, 11, 21))
        );
        assert_eq!(
            check_on_site_date(Some(day(2025, 11, 20)), today),
            Err(DateProblem::TooLongAgo)
        );
    }

    #[test]
    fn a_planned_date_may_be_today_or_later_or_left_out() {
        let today = day(2026, 11, 22);
        assert_eq!(check_planned_date(None, today), Ok(None));
        assert_eq!(check_planned_date(Some(today), today), Ok(Some(today)));
        assert_eq!(
            check_planned_date(Some(day(2026, 11, 21)), today),
            Err(DateProblem::PlannedInPast)
        );
    }
}
