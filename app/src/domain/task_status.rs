//! The statuses a task moves through (seed 002). The transitions come with the Desk view.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskStatus {
    Draft,
    Assigned,
    Accepted,
    Rejected,
    InProgress,
    Revisit,
    PerformedNeedDocs,
    Performed,
    Completed,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 9] = [
        TaskStatus::Draft,
        TaskStatus::Assigned,
        TaskStatus::Accepted,
        TaskStatus::Rejected,
        TaskStatus::InProgress,
        TaskStatus::Revisit,
        TaskStatus::PerformedNeedDocs,
        TaskStatus::Performed,
        TaskStatus::Completed,
    ];

    /// The stored form; the migrations' CHECK constraint lists the same words.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Draft => "draft",
            TaskStatus::Assigned => "assigned",
            TaskStatus::Accepted => "accepted",
            TaskStatus::Rejected => "rejected",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Revisit => "revisit",
            TaskStatus::PerformedNeedDocs => "performed_need_docs",
            TaskStatus::Performed => "performed",
            TaskStatus::Completed => "completed",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == stored)
    }

    /// What users read, in the seed's words.
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Draft => "Draft",
            TaskStatus::Assigned => "Assigned",
            TaskStatus::Accepted => "Accepted",
            TaskStatus::Rejected => "Rejected",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Revisit => "Revisit",
            TaskStatus::PerformedNeedDocs => "Performed (need docs)",
            TaskStatus::Performed => "Performed",
            TaskStatus::Completed => "Completed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(TaskStatus::parse("performed (need docs)"), None);
    }

    #[test]
    fn labels_use_the_seed_words() {
        assert_eq!(
            TaskStatus::PerformedNeedDocs.label(),
            "Performed (need docs)"
        );
        assert_eq!(TaskStatus::InProgress.label(), "In progress");
    }
}
