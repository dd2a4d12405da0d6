//! Tasks: works an agency instructs to a contractor, and everything done on them until they are
//! archived. Imports run downward only:
//!
//! - `access` (bottom): who may see a task and as what, a checked status step recorded with its
//!   timeline and audit entries, the live update;
//! - the use cases: `instruct`, `lifecycle` (accept, reject, status actions, archive), `work`
//!   (documents, messages, completing), `service_work` (results and defects), `perform` ("I've
//!   performed this work" with signatures), `assignment` (technicians), `report` (the service
//!   report);
//! - `detail` (top): the task page and the Tech view's list, which read what the others record.

pub mod access;
pub mod assignment;
pub mod detail;
pub mod instruct;
pub mod lifecycle;
pub mod perform;
pub mod report;
pub mod service_work;
pub mod work;

pub use access::is_assigned;
pub use detail::{task_detail, technician_tasks};
pub use instruct::{instruct, instruct_check, instruct_choices, NewTask, PRIORITIES};
pub use lifecycle::{accept, act, archive};
