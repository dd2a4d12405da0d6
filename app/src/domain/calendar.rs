//! Calendar feeds: which feed a person gets, how a task or a certificate expiry reads as a
//! calendar entry, and the shape of a feed's address.

use super::identity::{Permissions, UserKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a person's feed shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedKind {
    /// A technician: the open tasks assigned to them.
    AssignedTasks,
    /// A contractor's office: the company's open tasks.
    CompanyTasks,
    /// An agent who manages certification: when the agency's contractors' certificates expire.
    CertificateExpiries,
}

impl FeedKind {
    /// The feed of a person, if their role has one.
    pub fn of(kind: UserKind, permissions: Permissions) -> Option<FeedKind> {
        match kind {
            UserKind::Technician => Some(FeedKind::AssignedTasks),
            UserKind::Contractor => Some(FeedKind::CompanyTasks),
            UserKind::Agent if permissions.manage_certification => {
                Some(FeedKind::CertificateExpiries)
            }
            UserKind::Agent => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            FeedKind::AssignedTasks => {
                "the open tasks assigned to you, on the day they are scheduled (or due)"
            }
            FeedKind::CompanyTasks => {
                "your company's open tasks, on the day they are scheduled (or due)"
            }
            FeedKind::CertificateExpiries => {
                "the day each contractor's current certificate expires"
            }
        }
    }

    /// The calendar's name in the person's calendar app.
    pub fn calendar_name(self, organisation: &str) -> String {
        match self {
            FeedKind::AssignedTasks => format!("My tasks ({organisation})"),
            FeedKind::CompanyTasks => format!("{organisation} tasks"),
            FeedKind::CertificateExpiries => format!("{organisation} certificate expiries"),
        }
    }
}

/// One all-day entry of a feed. `uid` stays the same while the thing it shows does, so a
/// calendar app moves an entry instead of adding another when a date changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarEntry {
    pub uid: String,
    pub day: NaiveDate,
    pub summary: String,
    pub description: String,
    pub location: Option<String>,
    pub url: String,
}

/// A task as a feed shows it.
pub struct TaskOnCalendar<'a> {
    pub id: i64,
    pub reference: &'a str,
    pub title: &'a str,
    pub status: &'a str,
    pub scheduled: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub address: &'a str,
}

/// A task on the day it is scheduled, or else the day it is due; none without either.
pub fn task_entry(task: &TaskOnCalendar<'_>, url: String) -> Option<CalendarEntry> {
    let (day, when) = match (task.scheduled, task.due) {
        (Some(day), _) => (day, "scheduled"),
        (None, Some(day)) => (day, "due"),
        (None, None) => return None,
    };
    let mut description = format!("{} ({when}). Status: {}.", task.title, task.status);
    if let (Some(_), Some(due)) = (task.scheduled, task.due) {
        description.push_str(&format!(" Due {due}."));
    }
    Some(CalendarEntry {
        uid: format!("task-{}@certidesk", task.id),
        day,
        summary: format!("{} {}", task.reference, task.title),
        description,
        location: Some(task.address.to_string()),
        url,
    })
}

/// A certificate's expiry as a feed shows it.
pub fn expiry_entry(
    document_id: i64,
    company: &str,
    certificate_type: &str,
    end: NaiveDate,
    url: String,
) -> CalendarEntry {
    CalendarEntry {
        uid: format!("certificate-{document_id}@certidesk"),
        day: end,
        summary: format!("{company}: {certificate_type} expires"),
        description: format!(
            "The {certificate_type} certificate of {company} ends on this day. Without a renewal, work cannot be sent to {company} afterwards without an override."
        ),
        location: None,
        url,
    }
}

/// How every feed token begins, so a leaked address is recognisable.
pub const TOKEN_PREFIX: &str = "cal_";

/// Whether a presented token has a feed token's shape (checked before any lookup).
pub fn has_token_shape(text: &str) -> bool {
    text.len() == TOKEN_PREFIX.len() + 43
        && text.starts_with(TOKEN_PREFIX)
        && text[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A person's feed as the Calendar page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarLinkStatus {
    pub kind: FeedKind,
    /// When the current address was made, if there is one.
    pub made: Option<String>,
    /// When a calendar app last read it.
    pub last_read: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task<'a>(scheduled: Option<NaiveDate>, due: Option<NaiveDate>) -> TaskOnCalendar<'a> {
        TaskOnCalendar {
            id: 7,
            reference: "T-01007",
            title: "Boiler service",
            status: "Accepted",
            scheduled,
            due,
            address: "1 High Street, Bristol BS1 1AA",
        }
    }

    #[test]
    fn a_task_is_on_its_scheduled_day_else_its_due_day() {
        let day = |d| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
        let entry = task_entry(&task(Some(day(5)), Some(day(9))), "u".into()).unwrap();
        assert_eq!(entry.day, day(5));
        assert_eq!(entry.uid, "task-7@certidesk");
        assert_eq!(entry.summary, "T-01007 Boiler service");
        assert!(entry.description.contains("(scheduled)"));
        assert!(entry.description.contains("Due 2027-01-09"));
        let entry = task_entry(&task(None, Some(day(9))), "u".into()).unwrap();
        assert_eq!(entry.day, day(9));
        assert!(entry.description.contains("(due)"));
        assert!(task_entry(&task(None, None), "u".into()).is_none());
    }

    #[test]
    fn each_role_has_its_feed() {
        let none = Permissions::default();
        let compliance = Permissions {
            manage_certification: true,
            ..none
        };
        assert_eq!(
            FeedKind::of(UserKind::Technician, none),
            Some(FeedKind::AssignedTasks)
        );
        assert_eq!(
            FeedKind::of(UserKind::Contractor, none),
            Some(FeedKind::CompanyTasks)
        );
        assert_eq!(
            FeedKind::of(UserKind::Agent, compliance),
            Some(FeedKind::CertificateExpiries)
        );
        assert_eq!(FeedKind::of(UserKind::Agent, none), None);
    }

    #[test]
    fn tokens_are_checked_by_shape_first() {
        assert!(has_token_shape(&format!("cal_{}", "a".repeat(43))));
        assert!(!has_token_shape(&format!("cal_{}", "a".repeat(42))));
        assert!(!has_token_shape(&format!("cdk_{}", "a".repeat(43))));
        assert!(!has_token_shape(&format!("cal_{}.", "a".repeat(42))));
    }
}
