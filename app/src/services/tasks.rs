//! Task lists as each kind of user may see them: a contractor's office sees its company's tasks
//! from the agency; a technician sees only the tasks assigned to them.

use super::auth::Actor;
use super::ServiceError;
use crate::db::Db;
use crate::domain::records::TaskSummary;
use crate::domain::task_status::TaskStatus;
use sqlx::FromRow;

#[derive(FromRow)]
struct TaskRow {
    id: i64,
    reference: String,
    title: String,
    status: String,
    priority: String,
    due_date: Option<String>,
    scheduled_date: Option<String>,
    address_line1: String,
    town: String,
    postcode: String,
    archived_at: Option<i64>,
}

impl TaskRow {
    fn into_summary(self) -> Option<TaskSummary> {
        use crate::domain::dates::from_storage;
        Some(TaskSummary {
            id: self.id,
            reference: self.reference,
            title: self.title,
            status: TaskStatus::parse(&self.status)?,
            priority: self.priority,
            due_date: self.due_date.as_deref().and_then(from_storage),
            scheduled_date: self.scheduled_date.as_deref().and_then(from_storage),
            address: format!("{}, {} {}", self.address_line1, self.town, self.postcode),
            archived: self.archived_at.is_some(),
        })
    }
}

const SELECT_TASK: &str = "SELECT t.id, t.reference, t.title, t.status, t.priority, t.due_date, \
     t.scheduled_date, p.address_line1, p.town, p.postcode, t.archived_at \
     FROM tasks t JOIN properties p ON p.id = t.property_id";

/// The Desk view's list: every task the agency gave this contractor, archived ones included.
pub async fn desk_tasks(db: &Db, actor: &Actor) -> Result<Vec<TaskSummary>, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let rows: Vec<TaskRow> = sqlx::query_as(&format!(
        "{SELECT_TASK} WHERE t.agency_id = $1 AND t.contractor_id = $2 AND t.status <> 'draft' \
         ORDER BY t.due_date IS NULL, t.due_date, t.reference"
    ))
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().filter_map(TaskRow::into_summary).collect())
}

/// The Tech view's list: open tasks assigned to this technician.
pub async fn technician_tasks(db: &Db, actor: &Actor) -> Result<Vec<TaskSummary>, ServiceError> {
    actor.require_technician()?;
    let rows: Vec<TaskRow> = sqlx::query_as(&format!(
        "{SELECT_TASK} JOIN task_technicians tt ON tt.task_id = t.id \
         WHERE t.agency_id = $1 AND tt.technician_id = $2 AND t.contractor_id = $3 \
         AND t.archived_at IS NULL AND t.status NOT IN ('draft', 'rejected', 'completed') \
         ORDER BY t.scheduled_date IS NULL, t.scheduled_date, t.due_date, t.reference"
    ))
    .bind(actor.agency_id)
    .bind(actor.user_id)
    .bind(actor.contractor_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().filter_map(TaskRow::into_summary).collect())
}
