//! The statuses a task moves through (docs/architecture.md, "Tasks"; docs/product.md, "The contractor portal"), and who may move
//! it from one to the next. The server checks every change here; pages offer only `allowed`.

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
    /// A service report exists from "I've performed this work" on.
    pub fn has_report(self) -> bool {
        matches!(
            self,
            TaskStatus::PerformedNeedDocs | TaskStatus::Performed | TaskStatus::Completed
        )
    }

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

    /// What users read, in the portal's words.
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

/// Who is acting on a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskRole {
    Agent,
    /// The contractor's office, in the Desk view.
    Office,
    /// A technician assigned to the task, in the Tech view.
    Technician,
}

/// What can be done to a task's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskAction {
    /// The agency sends the task to a contractor (from draft, or again after a rejection).
    Instruct,
    Accept,
    /// With a reason; the agency is told.
    Reject,
    /// "I'm on site": starts the work, or resumes it after a revisit.
    OnSite,
    /// "Revisit required", with a reason.
    RevisitRequired,
    /// "I've performed this work": notes and signatures; the documents are still to come.
    PerformedOnSite,
    /// Desk "Complete task": reports, invoices, actual on-site date.
    Complete,
    /// The agency accepts the performed work.
    Approve,
    /// The agency sends performed work back, with a reason.
    SendBack,
    /// The office reopens a record signed on site, with a reason: the signatures no longer
    /// stand, and the work can be recorded and signed again.
    Reopen,
}

impl TaskAction {
    pub const ALL: [TaskAction; 10] = [
        TaskAction::Instruct,
        TaskAction::Accept,
        TaskAction::Reject,
        TaskAction::OnSite,
        TaskAction::RevisitRequired,
        TaskAction::PerformedOnSite,
        TaskAction::Complete,
        TaskAction::Approve,
        TaskAction::SendBack,
        TaskAction::Reopen,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TaskAction::Instruct => "Instruct",
            TaskAction::Accept => "Accept",
            TaskAction::Reject => "Reject",
            TaskAction::OnSite => "I'm on site",
            TaskAction::RevisitRequired => "Revisit required",
            TaskAction::PerformedOnSite => "I've performed this work",
            TaskAction::Complete => "Complete task",
            TaskAction::Approve => "Approve",
            TaskAction::SendBack => "Send back",
            TaskAction::Reopen => "Reopen the signed record",
        }
    }

    /// The work on site, which technicians do (and the office, when it does the work itself).
    pub fn done_on_site(self) -> bool {
        matches!(
            self,
            TaskAction::OnSite | TaskAction::RevisitRequired | TaskAction::PerformedOnSite
        )
    }

    /// Actions that must say why.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            TaskAction::Reject
                | TaskAction::RevisitRequired
                | TaskAction::SendBack
                | TaskAction::Reopen
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum TransitionError {
    #[error("\"{action}\" is not possible while the task is {status}.")]
    NotNow { action: String, status: String },
    #[error("Only {who} can {action}.")]
    NotYours { action: String, who: &'static str },
    #[error("Archived tasks can be read but not changed.")]
    Archived,
}

/// Who may take an action, whatever the status.
fn role_may(role: TaskRole, action: TaskAction) -> bool {
    use TaskAction::*;
    match role {
        TaskRole::Agent => matches!(action, Instruct | Approve | SendBack),
        TaskRole::Office => {
            action.done_on_site() || matches!(action, Accept | Reject | Complete | Reopen)
        }
        TaskRole::Technician => action.done_on_site(),
    }
}

fn who_may(action: TaskAction) -> &'static str {
    use TaskAction::*;
    match action {
        Instruct | Approve | SendBack => "the agency",
        Accept | Reject | Complete | Reopen => "the contractor's office",
        OnSite | RevisitRequired | PerformedOnSite => "the contractor",
    }
}

/// Where an action leads from a status, if it may be taken there at all.
pub fn next_status(status: TaskStatus, action: TaskAction) -> Option<TaskStatus> {
    use TaskAction::*;
    use TaskStatus as S;
    match (status, action) {
        (S::Draft | S::Rejected, Instruct) => Some(S::Assigned),
        (S::Assigned, Accept) => Some(S::Accepted),
        (S::Assigned, Reject) => Some(S::Rejected),
        (S::Accepted | S::Revisit, OnSite) => Some(S::InProgress),
        (S::InProgress, RevisitRequired) => Some(S::Revisit),
        (S::InProgress, PerformedOnSite) => Some(S::PerformedNeedDocs),
        (S::Accepted | S::InProgress | S::Revisit | S::PerformedNeedDocs, Complete) => {
            Some(S::Performed)
        }
        (S::Performed, Approve) => Some(S::Completed),
        (S::Performed, SendBack) => Some(S::Accepted),
        (S::PerformedNeedDocs, Reopen) => Some(S::InProgress),
        _ => None,
    }
}

/// The status after `action`, or why it cannot be taken by this role now.
pub fn transition(
    status: TaskStatus,
    action: TaskAction,
    role: TaskRole,
    archived: bool,
) -> Result<TaskStatus, TransitionError> {
    if archived {
        return Err(TransitionError::Archived);
    }
    if !role_may(role, action) {
        return Err(TransitionError::NotYours {
            action: action.label().to_string(),
            who: who_may(action),
        });
    }
    next_status(status, action).ok_or_else(|| TransitionError::NotNow {
        action: action.label().to_string(),
        status: status.label().to_lowercase(),
    })
}

/// The actions a page offers this role now, in the order they read.
pub fn allowed(status: TaskStatus, role: TaskRole, archived: bool) -> Vec<TaskAction> {
    TaskAction::ALL
        .into_iter()
        .filter(|a| transition(status, *a, role, archived).is_ok())
        .collect()
}

/// The agency archives a task once nothing more is to happen on it: completed, rejected and not
/// sent again, or a draft never sent. Archived tasks stay readable to everyone who saw them.
pub fn can_archive(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Completed | TaskStatus::Rejected | TaskStatus::Draft
    )
}

/// The contractor's office assigns its technicians (and schedules) while there is work to do on
/// site: from the moment the task is sent until it is performed.
pub fn can_assign_technicians(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Assigned | TaskStatus::Accepted | TaskStatus::InProgress | TaskStatus::Revisit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use TaskAction as A;
    use TaskStatus as S;

    #[test]
    fn the_lifecycle_the_portal_describes() {
        let steps = [
            (S::Draft, A::Instruct, TaskRole::Agent, S::Assigned),
            (S::Assigned, A::Accept, TaskRole::Office, S::Accepted),
            (S::Accepted, A::OnSite, TaskRole::Technician, S::InProgress),
            (
                S::InProgress,
                A::RevisitRequired,
                TaskRole::Technician,
                S::Revisit,
            ),
            (S::Revisit, A::OnSite, TaskRole::Technician, S::InProgress),
            (
                S::InProgress,
                A::PerformedOnSite,
                TaskRole::Technician,
                S::PerformedNeedDocs,
            ),
            (
                S::PerformedNeedDocs,
                A::Complete,
                TaskRole::Office,
                S::Performed,
            ),
            (S::Performed, A::Approve, TaskRole::Agent, S::Completed),
        ];
        for (from, action, role, to) in steps {
            assert_eq!(
                transition(from, action, role, false),
                Ok(to),
                "{from:?} {action:?}"
            );
        }
        assert_eq!(
            transition(S::Assigned, A::Reject, TaskRole::Office, false),
            Ok(S::Rejected)
        );
        assert_eq!(
            transition(S::Rejected, A::Instruct, TaskRole::Agent, false),
            Ok(S::Assigned)
        );
        assert_eq!(
            transition(S::Performed, A::SendBack, TaskRole::Agent, false),
            Ok(S::Accepted)
        );
        // The office may complete straight from the Desk view without the Tech view.
        assert_eq!(
            transition(S::Accepted, A::Complete, TaskRole::Office, false),
            Ok(S::Performed)
        );
    }

    #[test]
    fn exactly_these_moves_are_allowed_and_every_other_is_refused() {
        use TaskRole::{Agent, Office, Technician};
        // Written out from the portal's description (docs/product.md), not from the code.
        let allowed_moves = [
            (S::Draft, A::Instruct, Agent),
            (S::Rejected, A::Instruct, Agent),
            (S::Performed, A::Approve, Agent),
            (S::Performed, A::SendBack, Agent),
            (S::Assigned, A::Accept, Office),
            (S::Assigned, A::Reject, Office),
            (S::Accepted, A::OnSite, Office),
            (S::Revisit, A::OnSite, Office),
            (S::InProgress, A::RevisitRequired, Office),
            (S::InProgress, A::PerformedOnSite, Office),
            (S::Accepted, A::Complete, Office),
            (S::InProgress, A::Complete, Office),
            (S::Revisit, A::Complete, Office),
            (S::PerformedNeedDocs, A::Complete, Office),
            (S::PerformedNeedDocs, A::Reopen, Office),
            (S::Accepted, A::OnSite, Technician),
            (S::Revisit, A::OnSite, Technician),
            (S::InProgress, A::RevisitRequired, Technician),
            (S::InProgress, A::PerformedOnSite, Technician),
        ];
        let mut seen = 0;
        for status in S::ALL {
            for action in A::ALL {
                for role in [Agent, Office, Technician] {
                    let result = transition(status, action, role, false);
                    if allowed_moves.contains(&(status, action, role)) {
                        assert!(result.is_ok(), "{status:?} {action:?} {role:?}: {result:?}");
                        seen += 1;
                    } else {
                        assert!(
                            result.is_err(),
                            "{status:?} {action:?} {role:?} must be refused"
                        );
                    }
                    assert_eq!(
                        transition(status, action, role, true),
                        Err(TransitionError::Archived)
                    );
                }
            }
        }
        assert_eq!(seen, allowed_moves.len());
    }

    #[test]
    fn roles_keep_to_their_own_actions() {
        assert!(matches!(
            transition(S::Assigned, A::Accept, TaskRole::Agent, false),
            Err(TransitionError::NotYours {
                who: "the contractor's office",
                ..
            })
        ));
        assert!(transition(S::Assigned, A::Accept, TaskRole::Technician, false).is_err());
        assert!(transition(S::Performed, A::Approve, TaskRole::Office, false).is_err());
        assert!(transition(
            S::PerformedNeedDocs,
            A::Complete,
            TaskRole::Technician,
            false
        )
        .is_err());
        assert_eq!(
            transition(S::Completed, A::Reject, TaskRole::Office, false)
                .unwrap_err()
                .to_string(),
            "\"Reject\" is not possible while the task is completed."
        );
    }

    #[test]
    fn a_signed_record_is_reopened_only_by_the_office_with_a_reason() {
        assert_eq!(
            transition(S::PerformedNeedDocs, A::Reopen, TaskRole::Office, false),
            Ok(S::InProgress)
        );
        assert!(A::Reopen.needs_reason());
        assert!(matches!(
            transition(S::PerformedNeedDocs, A::Reopen, TaskRole::Technician, false),
            Err(TransitionError::NotYours { .. })
        ));
        assert!(matches!(
            transition(S::Performed, A::Reopen, TaskRole::Office, false),
            Err(TransitionError::NotNow { .. })
        ));
        assert_eq!(
            allowed(S::PerformedNeedDocs, TaskRole::Office, false),
            [A::Complete, A::Reopen]
        );
    }

    #[test]
    fn pages_offer_only_what_is_allowed() {
        assert_eq!(
            allowed(S::Assigned, TaskRole::Office, false),
            [A::Accept, A::Reject]
        );
        assert_eq!(allowed(S::Assigned, TaskRole::Technician, false), []);
        assert_eq!(
            allowed(S::InProgress, TaskRole::Technician, false),
            [A::RevisitRequired, A::PerformedOnSite]
        );
        assert_eq!(
            allowed(S::InProgress, TaskRole::Office, false),
            [A::RevisitRequired, A::PerformedOnSite, A::Complete]
        );
        assert_eq!(
            allowed(S::Performed, TaskRole::Agent, false),
            [A::Approve, A::SendBack]
        );
        assert_eq!(allowed(S::Completed, TaskRole::Agent, false), []);
        assert_eq!(allowed(S::Performed, TaskRole::Agent, true), []);
        assert!(A::ALL.iter().filter(|a| a.needs_reason()).count() == 4);
    }

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

    #[test]
    fn only_finished_tasks_are_archived() {
        use TaskStatus::*;
        for status in [Completed, Rejected, Draft] {
            assert!(can_archive(status), "{status:?}");
        }
        for status in [
            Assigned,
            Accepted,
            InProgress,
            Revisit,
            PerformedNeedDocs,
            Performed,
        ] {
            assert!(!can_archive(status), "{status:?}");
        }
    }

    #[test]
    fn technicians_are_assigned_only_while_work_on_site_remains() {
        let open: Vec<_> = TaskStatus::ALL
            .into_iter()
            .filter(|s| can_assign_technicians(*s))
            .collect();
        assert_eq!(open, [S::Assigned, S::Accepted, S::InProgress, S::Revisit]);
    }
}
