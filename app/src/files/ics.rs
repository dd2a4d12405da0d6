//! Calendar feeds written as iCalendar (RFC 5545) with the `icalendar` crate: escaping, line
//! folding and the required properties are its job, not ours.

use crate::domain::calendar::CalendarEntry;
use icalendar::{Calendar, Component, Event, EventLike};

/// A feed: its name, the agency's time zone (for the calendar app's display; entries are whole
/// days, which have no zone), and its entries. `stamp_ms` is when it was written.
pub fn feed(name: &str, time_zone: &str, entries: &[CalendarEntry], stamp_ms: i64) -> String {
    let stamp = chrono::DateTime::from_timestamp_millis(stamp_ms).unwrap_or_default();
    let mut calendar = Calendar::new();
    calendar.name(name).timezone(time_zone);
    for entry in entries {
        let mut event = Event::new();
        event
            .uid(&entry.uid)
            .timestamp(stamp)
            .all_day(entry.day)
            .summary(&entry.summary)
            .description(&entry.description)
            .url(&entry.url);
        if let Some(location) = &entry.location {
            event.location(location);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn entries_are_whole_days_with_stable_ids() {
        let entry = CalendarEntry {
            uid: "task-7@certidesk".into(),
            day: NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
            summary: "T-01007 Boiler service, flat 2; gas".into(),
            description: "A long description that goes on and on past the seventy-five octets a line may hold in iCalendar".into(),
            location: Some("1 High Street, Bristol".into()),
            url: "https://certidesk.example/tech/tasks/7".into(),
        };
        let text = feed("My tasks", "Europe/London", &[entry], 0);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.contains("UID:task-7@certidesk\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20270105\r\n"));
        assert!(text.contains("SUMMARY:T-01007 Boiler service\\, flat 2\\; gas\r\n"));
        assert!(text.contains("X-WR-CALNAME:My tasks\r\n"));
        assert!(text.contains("X-WR-TIMEZONE:Europe/London\r\n"));
        assert!(text.lines().all(|line| line.len() <= 75), "{text}");
        assert!(text.trim_end().ends_with("END:VCALENDAR"));
    }
}
