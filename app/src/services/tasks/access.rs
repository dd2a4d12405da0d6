//! The bottom of the task use cases: who may see a task and as what (`TaskAccess`), a status
//! change checked against the lifecycle (`Step`) and recorded with its timeline and audit entries,
//! and the live update that tells open pages. Everything above builds on these; nothing here calls
//! upward.

use crate::db::{audit, Db};
use crate::domain::acted_at::{ActedAt, Judged, PhoneClock};
use crate::domain::dates::to_storage;
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::TaskSummary;
use crate::domain::task_status::{transition, TaskAction, TaskRole, TaskStatus};
use crate::domain::webhooks::EventType;
use crate::events::{Change, Topic};
use crate::services::auth::Actor;
use crate::services::webhooks::{self, Event};
use crate::services::ServiceError;
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

#[derive(FromRow)]
pub(crate) struct TaskRow {
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
    company_name: Option<String>,
    contact_phone: Option<String>,
}

impl TaskRow {
    pub(crate) fn into_summary(self) -> Option<TaskSummary> {
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
            contractor: self.company_name,
            technicians: Vec::new(),
            contact_phone: self.contact_phone,
            overdue: false,
        })
    }
}

/// A [`TaskRow`]'s columns, read `FROM` [`TASK_FROM`]; a statement that reads more columns or
/// joins more tables composes the two.
pub(crate) const TASK_COLUMNS: &str = "t.id, t.reference, t.title, t.status, t.priority, \
     t.due_date, t.scheduled_date, p.address_line1, p.town, p.postcode, t.archived_at, c.company_name, \
     p.contact_phone";

pub(crate) const TASK_FROM: &str = "FROM tasks t JOIN properties p ON p.id = t.property_id \
     LEFT JOIN contractors c ON c.id = t.contractor_id";

/// What a status change records beside the status.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TaskChanges {
    pub scheduled_date: Option<NaiveDate>,
    pub on_site_date: Option<NaiveDate>,
    /// The phone's time of the act, for one queued on a phone without signal.
    pub phone_time: Option<i64>,
}

/// A status change checked against the actor's role and the lifecycle, not yet recorded.
pub(crate) struct Step {
    pub task_id: i64,
    pub contractor_id: Option<i64>,
    pub action: TaskAction,
    pub from: TaskStatus,
    pub to: TaskStatus,
    pub reason: Option<String>,
}

pub(crate) async fn check_step(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    action: TaskAction,
    reason: Option<&str>,
) -> Result<Step, ServiceError> {
    check_signed_step(db, actor, task_id, action, reason, false).await
}

/// [`check_step`] for "I've performed this work", which only `perform::perform_on_site` takes,
/// with the signatures it requires (`signed`).
pub(crate) async fn check_signed_step(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    action: TaskAction,
    reason: Option<&str>,
    signed: bool,
) -> Result<Step, ServiceError> {
    if action == TaskAction::Instruct {
        return Err(ServiceError::Refused(
            "Send works to a contractor from Instruct works, where compliance is checked.".into(),
        ));
    }
    if action == TaskAction::PerformedOnSite && !signed {
        return Err(ServiceError::Refused(
            "Use \"I've performed this work\" with your signature to finish on site.".into(),
        ));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if action.needs_reason() && reason.is_none() {
        return Err(ServiceError::invalid(
            "reason",
            format!("Say why ({}).", action.label()),
        ));
    }
    let task = TaskAccess::load(db, actor, task_id).await?;
    if task.role == TaskRole::Agent {
        actor.require(Permission::InstructWork)?;
    }
    let from = task.status;
    let to = transition(from, action, task.role, task.archived)
        .map_err(|e| ServiceError::Refused(e.to_string()))?;
    Ok(Step {
        task_id,
        contractor_id: task.contractor_id,
        action,
        from,
        to,
        reason: reason.map(str::to_string),
    })
}

/// A line of a task's timeline; results, defects and archiving keep the status (`from == to`).
pub(crate) struct TimelineEvent<'a> {
    pub task_id: i64,
    pub action: &'a str,
    pub from: TaskStatus,
    pub to: TaskStatus,
    pub reason: Option<&'a str>,
}

/// Adds `event` to the task's timeline, by `actor`, in the caller's transaction.
pub(crate) async fn add_to_timeline(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    event: TimelineEvent<'_>,
    now: i64,
) -> Result<(), ServiceError> {
    add_judged_to_timeline(tx, actor, event, ActedAt::server(now).judge(None)).await
}

/// Adds `event` at the judged time of its act, keeping when it arrived and any doubt about the
/// phone's clock beside it.
pub(crate) async fn add_judged_to_timeline(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    event: TimelineEvent<'_>,
    when: Judged,
) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO task_events (agency_id, task_id, actor_user_id, action, from_status, to_status, \
         reason, at, phone_at, received_at, phone_clock) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(actor.agency_id)
    .bind(event.task_id)
    .bind(actor.user_id)
    .bind(event.action)
    .bind(event.from.as_str())
    .bind(event.to.as_str())
    .bind(event.reason)
    .bind(when.at)
    .bind(when.phone)
    .bind(when.phone.map(|_| when.received))
    .bind(when.flag.map(PhoneClock::as_str))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// When a step's act was done: the phone's time for one queued on a phone, judged against the
/// server's clock and the task's previous change.
async fn judge_step_time(
    tx: &mut sqlx::AnyConnection,
    task_id: i64,
    phone_time: Option<i64>,
    now: i64,
) -> Result<Judged, ServiceError> {
    let acted = ActedAt {
        received: now,
        phone: phone_time,
    };
    if phone_time.is_none() {
        return Ok(acted.judge(None));
    }
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(at) FROM task_events WHERE task_id = $1")
            .bind(task_id)
            .fetch_one(&mut *tx)
            .await?;
    Ok(acted.judge(last))
}

/// Records a checked step in the caller's transaction: the status (only if nobody changed it
/// meanwhile), what it carries, the timeline entry and the audit entry. Answers the time the
/// timeline gives the act (the phone's, for one queued on a phone, when it is plausible).
pub(crate) async fn record_step(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    step: &Step,
    changes: TaskChanges,
    now: i64,
) -> Result<i64, ServiceError> {
    let when = judge_step_time(tx, step.task_id, changes.phone_time, now).await?;
    let reference: Option<String> = sqlx::query_scalar(
        "UPDATE tasks SET status = $1, updated_at = $2, \
         scheduled_date = COALESCE($5, scheduled_date), on_site_date = COALESCE($6, on_site_date) \
         WHERE id = $3 AND status = $4 AND archived_at IS NULL RETURNING reference",
    )
    .bind(step.to.as_str())
    .bind(now)
    .bind(step.task_id)
    .bind(step.from.as_str())
    .bind(changes.scheduled_date.map(to_storage))
    .bind(changes.on_site_date.map(to_storage))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(reference) = reference else {
        return Err(ServiceError::Refused(
            "The task was changed meanwhile. Reload it and try again.".into(),
        ));
    };
    let change = json!({
        "task_id": step.task_id,
        "reference": reference,
        "contractor_id": step.contractor_id,
        "from": step.from.as_str(),
        "to": step.to.as_str(),
        "action": step.action.label(),
        "reason": step.reason,
        "by": actor.name,
    });
    if step.action == TaskAction::PerformedOnSite {
        let performed = Event::new(EventType::TaskPerformed, change.clone());
        webhooks::emit(&mut *tx, actor.agency_id, &performed, now).await?;
    }
    let event = Event::new(EventType::TaskStatusChanged, change);
    webhooks::emit(&mut *tx, actor.agency_id, &event, now).await?;
    let event = TimelineEvent {
        task_id: step.task_id,
        action: step.action.label(),
        from: step.from,
        to: step.to,
        reason: step.reason.as_deref(),
    };
    add_judged_to_timeline(&mut *tx, actor, event, when).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "task_status_changed",
        None,
        &format!(
            "task {}: {} → {}",
            step.task_id,
            step.from.label(),
            step.to.label()
        ),
        now,
    )
    .await?;
    Ok(when.at)
}

pub(crate) async fn publish_task_change(
    db: &Db,
    agency_id: i64,
    contractor_id: Option<i64>,
    task_id: i64,
    topic: Topic,
) {
    db.publish(Change {
        agency_id,
        contractor_id,
        topic,
        task_id: Some(task_id),
    })
    .await;
}

/// A task as this actor may see it, loaded once per use case: whose it is, where it stands in
/// its lifecycle, and the actor's role on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TaskAccess {
    pub task_id: i64,
    pub contractor_id: Option<i64>,
    pub status: TaskStatus,
    pub archived: bool,
    pub role: TaskRole,
}

#[derive(FromRow)]
struct AccessRow {
    contractor_id: Option<i64>,
    status: String,
    archived_at: Option<i64>,
}

impl TaskAccess {
    /// Agents see their agency's tasks, the office its company's, a technician those assigned
    /// to them; for anyone else the task does not exist.
    pub(crate) async fn load(
        db: &Db,
        actor: &Actor,
        task_id: i64,
    ) -> Result<TaskAccess, ServiceError> {
        Self::load_on(&mut *db.pool().acquire().await?, actor, task_id).await
    }

    /// [`TaskAccess::load`] on a connection the caller holds for more of its reads (every
    /// statement on a pooled connection of its own costs a round trip more as it goes back).
    pub(crate) async fn load_on(
        conn: &mut AnyConnection,
        actor: &Actor,
        task_id: i64,
    ) -> Result<TaskAccess, ServiceError> {
        let row: AccessRow = sqlx::query_as(
            "SELECT contractor_id, status, archived_at FROM tasks WHERE id = $1 AND agency_id = $2",
        )
        .bind(task_id)
        .bind(actor.agency_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(ServiceError::NotFound("task"))?;
        let own_company = row.contractor_id.is_some() && row.contractor_id == actor.contractor_id;
        let role = match actor.kind {
            UserKind::Agent => TaskRole::Agent,
            UserKind::Contractor if own_company => TaskRole::Office,
            UserKind::Technician if own_company => {
                if !is_assigned(&mut *conn, actor.user_id, task_id).await? {
                    return Err(ServiceError::NotFound("task"));
                }
                TaskRole::Technician
            }
            _ => return Err(ServiceError::NotFound("task")),
        };
        let status = TaskStatus::parse(&row.status).ok_or_else(|| {
            ServiceError::Internal(format!("task {task_id}: unknown status {}", row.status))
        })?;
        Ok(TaskAccess {
            task_id,
            contractor_id: row.contractor_id,
            status,
            archived: row.archived_at.is_some(),
            role,
        })
    }

    /// [`TaskAccess::load`] for something of a task (a document, a photo): someone who may not
    /// see the task is told that thing does not exist.
    pub(crate) async fn load_for(
        db: &Db,
        actor: &Actor,
        task_id: i64,
        thing: &'static str,
    ) -> Result<TaskAccess, ServiceError> {
        TaskAccess::load(db, actor, task_id)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound(_) => ServiceError::NotFound(thing),
                other => other,
            })
    }
}

/// Whether a technician is assigned to a task (what their live updates are limited to).
pub async fn is_assigned<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    executor: E,
    technician_id: i64,
    task_id: i64,
) -> Result<bool, ServiceError> {
    let assigned: Option<i64> = sqlx::query_scalar(
        "SELECT task_id FROM task_technicians WHERE task_id = $1 AND technician_id = $2",
    )
    .bind(task_id)
    .bind(technician_id)
    .fetch_optional(executor)
    .await?;
    Ok(assigned.is_some())
}
