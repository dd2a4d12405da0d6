//! Calendar dates as an agency writes them (DD/MM/YYYY by default).

#[cfg(feature = "ssr")]
use chrono::Timelike;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How an agency writes dates. Stored in the agency's settings by its pattern.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateFormat {
    #[default]
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("\"{input}\" is not a date written as {pattern}")]
    Shape {
        input: String,
        pattern: &'static str,
    },
    #[error("\"{input}\" is not a real calendar date")]
    NotACalendarDate { input: String },
    #[error("\"{0}\" is not a known date format (use DD/MM/YYYY, MM/DD/YYYY or YYYY-MM-DD)")]
    UnknownFormat(String),
}

impl DateFormat {
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::DayMonthYear => "DD/MM/YYYY",
            DateFormat::MonthDayYear => "MM/DD/YYYY",
            DateFormat::YearMonthDay => "YYYY-MM-DD",
        }
    }

    pub fn from_pattern(pattern: &str) -> Result<Self, DateError> {
        match pattern.trim() {
            "DD/MM/YYYY" => Ok(DateFormat::DayMonthYear),
            "MM/DD/YYYY" => Ok(DateFormat::MonthDayYear),
            "YYYY-MM-DD" => Ok(DateFormat::YearMonthDay),
            other => Err(DateError::UnknownFormat(other.to_string())),
        }
    }

    /// Written out by hand rather than with chrono's `format`: its pattern parser and formatter
    /// are about 10 KB of the browser's WASM, and a page writes hundreds of dates.
    pub fn format(self, date: NaiveDate) -> String {
        let (year, month, day) = (date.year(), date.month(), date.day());
        match self {
            DateFormat::DayMonthYear => format!("{day:02}/{month:02}/{year:04}"),
            DateFormat::MonthDayYear => format!("{month:02}/{day:02}/{year:04}"),
            DateFormat::YearMonthDay => format!("{year:04}-{month:02}-{day:02}"),
        }
    }

    /// Strict reading: exactly two-digit day and month, four-digit year, the format's separator,
    /// and a date that exists. Nothing is guessed, swapped or rolled over (31/02 is an error).
    pub fn parse(self, input: &str) -> Result<NaiveDate, DateError> {
        let text = input.trim();
        let shape_error = || DateError::Shape {
            input: input.to_string(),
            pattern: self.pattern(),
        };
        let (sep, order): (char, [usize; 3]) = match self {
            // order: the positions of (year, month, day) among the parts
            DateFormat::DayMonthYear => ('/', [2, 1, 0]),
            DateFormat::MonthDayYear => ('/', [2, 0, 1]),
            DateFormat::YearMonthDay => ('-', [0, 1, 2]),
        };
        let parts: Vec<&str> = text.split(sep).collect();
        if parts.len() != 3 {
            return Err(shape_error());
        }
        let widths: [usize; 3] = match self {
            DateFormat::YearMonthDay => [4, 2, 2],
            _ => [2, 2, 4],
        };
        for (part, width) in parts.iter().zip(widths) {
            if part.len() != width || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(shape_error());
            }
        }
        let number = |i: usize| parts[i].parse::<u32>().map_err(|_| shape_error());
        let (year, month, day) = (number(order[0])?, number(order[1])?, number(order[2])?);
        NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(|| {
            DateError::NotACalendarDate {
                input: input.to_string(),
            }
        })
    }
}

/// Reads a stored date (`YYYY-MM-DD`).
pub fn from_storage(text: &str) -> Option<NaiveDate> {
    DateFormat::YearMonthDay.parse(text).ok()
}

/// Writes a date for storage (`YYYY-MM-DD`), the same on both databases and sortable as text.
pub fn to_storage(date: NaiveDate) -> String {
    DateFormat::YearMonthDay.format(date)
}

/// `#[serde(with = "crate::domain::dates::optional")]` for an `Option<NaiveDate>` field: the same
/// JSON as chrono's (`"2026-12-05"` or `null`), read with the strict parser above, so the browser
/// does not link chrono's general date parser (about 10 KB of its WASM) to read a task.
pub mod optional {
    use super::{DateFormat, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &Option<NaiveDate>, out: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => out.serialize_str(&DateFormat::YearMonthDay.format(*date)),
            None => out.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Option<NaiveDate>, D::Error> {
        let text: Option<String> = Option::deserialize(input)?;
        text.map(|text| DateFormat::YearMonthDay.parse(&text))
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

/// The calendar day at `now_ms` in `time_zone` (an agency's "today"); an unknown zone is UTC.
#[cfg(feature = "ssr")]
pub fn local_today(time_zone: &str, now_ms: i64) -> NaiveDate {
    local_day_and_hour(time_zone, now_ms).0
}

/// The agency's date and hour at an instant (an unknown zone counts as UTC). Server-only: the
/// zone database stays out of the browser's bundle.
#[cfg(feature = "ssr")]
pub fn local_day_and_hour(time_zone: &str, now_ms: i64) -> (NaiveDate, u32) {
    let instant = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => {
            let local = instant.with_timezone(&tz);
            (local.date_naive(), local.hour())
        }
        Err(_) => (instant.date_naive(), instant.hour()),
    }
}

/// Instants as an agency writes them, in its time zone and date format, to the minute:
/// "03/12/2026 14:05".
#[cfg(feature = "ssr")]
pub fn instant_formatter(time_zone: &str, format: DateFormat) -> impl Fn(i64) -> String + use<> {
    let zone = time_zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    move |at: i64| {
        let local = chrono::DateTime::from_timestamp_millis(at)
            .unwrap_or_default()
            .with_timezone(&zone);
        format!(
            "{} {}",
            format.format(local.date_naive()),
            local.format("%H:%M")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn default_is_day_month_year() {
        assert_eq!(DateFormat::default().format(d(2026, 3, 9)), "09/03/2026");
    }

    #[test]
    fn formats_each_pattern() {
        assert_eq!(DateFormat::MonthDayYear.format(d(2026, 3, 9)), "03/09/2026");
        assert_eq!(DateFormat::YearMonthDay.format(d(2026, 3, 9)), "2026-03-09");
    }

    #[test]
    fn parses_day_month_year_without_swapping() {
        assert_eq!(
            DateFormat::DayMonthYear.parse("03/09/2026").unwrap(),
            d(2026, 9, 3)
        );
        assert_eq!(
            DateFormat::MonthDayYear.parse("03/09/2026").unwrap(),
            d(2026, 3, 9)
        );
        assert_eq!(
            DateFormat::YearMonthDay.parse(" 2026-03-09 ").unwrap(),
            d(2026, 3, 9)
        );
    }

    #[test]
    fn refuses_dates_that_do_not_exist() {
        for bad in [
            "31/02/2026",
            "29/02/2025",
            "00/01/2026",
            "32/01/2026",
            "01/13/2026",
        ] {
            assert!(
                matches!(
                    DateFormat::DayMonthYear.parse(bad),
                    Err(DateError::NotACalendarDate { .. })
                ),
                "{bad} should not be a calendar date"
            );
        }
        assert_eq!(
            DateFormat::DayMonthYear.parse("29/02/2028").unwrap(),
            d(2028, 2, 29)
        );
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "1/2/2026",
            "01-02-2026",
            "01/02/26",
            "2026-02-01",
            "",
            "aa/bb/cccc",
            "01/02/2026/1",
        ] {
            assert!(
                matches!(
                    DateFormat::DayMonthYear.parse(bad),
                    Err(DateError::Shape { .. })
                ),
                "{bad:?} should be refused for its shape"
            );
        }
    }

    #[test]
    fn patterns_round_trip() {
        for f in [
            DateFormat::DayMonthYear,
            DateFormat::MonthDayYear,
            DateFormat::YearMonthDay,
        ] {
            assert_eq!(DateFormat::from_pattern(f.pattern()).unwrap(), f);
            let date = d(2027, 12, 31);
            assert_eq!(f.parse(&f.format(date)).unwrap(), date);
        }
        assert!(DateFormat::from_pattern("D/M/Y").is_err());
    }

    #[test]
    fn storage_form_is_iso() {
        assert_eq!(to_storage(d(2026, 1, 5)), "2026-01-05");
        assert_eq!(from_storage("2026-01-05"), Some(d(2026, 1, 5)));
        assert_eq!(from_storage("05/01/2026"), None);
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Dated {
        #[serde(default, with = "optional")]
        due: Option<NaiveDate>,
    }

    #[test]
    fn optional_dates_read_and_write_as_chrono_does() {
        let dated = Dated {
            due: Some(d(2026, 12, 5)),
        };
        let json = serde_json::to_string(&dated).unwrap();
        assert_eq!(json, r#"{"due":"2026-12-05"}"#);
        assert_eq!(
            json,
            serde_json::json!({ "due": d(2026, 12, 5) }).to_string()
        );
        assert_eq!(serde_json::from_str::<Dated>(&json).unwrap(), dated);
        assert_eq!(
            serde_json::from_str::<Dated>(r#"{"due":null}"#)
                .unwrap()
                .due,
            None
        );
        assert_eq!(serde_json::from_str::<Dated>("{}").unwrap().due, None);
        assert_eq!(
            serde_json::to_string(&Dated { due: None }).unwrap(),
            r#"{"due":null}"#
        );
        for bad in [
            r#"{"due":"2026-02-30"}"#,
            r#"{"due":"05/12/2026"}"#,
            r#"{"due":7}"#,
        ] {
            assert!(serde_json::from_str::<Dated>(bad).is_err(), "{bad}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn today_is_the_agencys_day() {
        // 2026-11-22 23:30 UTC is already the 23rd in Auckland and still the 22nd in London.
        let late = NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(local_today("Europe/London", late).to_string(), "2026-11-22");
        assert_eq!(
            local_today("Pacific/Auckland", late).to_string(),
            "2026-11-23"
        );
        assert_eq!(
            local_today("America/New_York", late).to_string(),
            "2026-11-22"
        );
        assert_eq!(local_today("Nowhere/Else", late).to_string(), "2026-11-22");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn instants_are_written_in_the_agencys_zone_and_format() {
        let at = NaiveDate::from_ymd_opt(2026, 7, 3)
            .unwrap()
            .and_hms_opt(13, 5, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let london = instant_formatter("Europe/London", DateFormat::default());
        assert_eq!(london(at), "03/07/2026 14:05");
        let utc = instant_formatter("Nowhere/Else", DateFormat::default());
        assert_eq!(utc(at), "03/07/2026 13:05");
    }
}
