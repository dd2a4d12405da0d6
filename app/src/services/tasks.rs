//! Task lists as each kind of user may see them: a contractor's office sees its company's tasks
//! from the agency; a technician sees only the tasks assigned to them.

use super::auth::Actor;
use super::compliance::{check_instruction, contractor_lights, Instruction, WorkToJudge};
use super::ServiceError;
use crate::db::{audit, Db};
use crate::domain::compliance::TrafficLight;
use crate::domain::dates::to_storage;
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{InstructChoices, InstructOutcome, TaskSummary, TechTasks};
use crate::domain::task_status::{
    allowed, can_archive, can_assign_technicians, transition, TaskAction, TaskRole, TaskStatus,
};
use crate::domain::task_work::check_planned_date;
use crate::domain::work_date::day_of_work;
use crate::events::{Change, Topic};
use chrono::NaiveDate;
use sqlx::FromRow;

#[derive(FromRow)]
pub(super) struct TaskRow {
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
    pub(super) fn into_summary(self) -> Option<TaskSummary> {
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

pub(super) const SELECT_TASK: &str = "SELECT t.id, t.reference, t.title, t.status, t.priority, \
     t.due_date, t.scheduled_date, p.address_line1, p.town, p.postcode, t.archived_at, c.company_name, \
     p.contact_phone FROM tasks t JOIN properties p ON p.id = t.property_id \
     LEFT JOIN contractors c ON c.id = t.contractor_id";

/// The Tech view's list: open tasks assigned to this technician, in the order of their day
/// (the agency's today).
pub async fn technician_tasks(db: &Db, actor: &Actor) -> Result<TechTasks, ServiceError> {
    actor.require_technician()?;
    let today = super::agency::today(db, actor.agency_id, crate::db::now_ms()).await?;
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
    let tasks = rows.into_iter().filter_map(TaskRow::into_summary).collect();
    Ok(crate::domain::tech_day::arrange(tasks, today))
}

/// Works an agent sends to a contractor.
#[derive(Clone, Debug, Default)]
pub struct NewTask {
    pub property_id: i64,
    pub contractor_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub priority: String,
    pub purchase_order: Option<String>,
    /// Given by an agent with the override permission to instruct a red contractor anyway.
    pub override_reason: Option<String>,
    /// Checked by `domain::service_tasks::parse_service_tasks`.
    pub service_tasks: Vec<(String, crate::domain::service_tasks::ResultKind)>,
    /// Certificate types (that apply to technicians) its technicians must hold.
    pub required_type_ids: Vec<i64>,
    /// The kind of work: the contractor is judged on that kind's certificate types only.
    pub work_kind_id: Option<i64>,
}

pub const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];

/// What the "Instruct works" form offers: the agency's properties, and its contractors with
/// their compliance lights.
pub async fn instruct_choices(
    db: &Db,
    actor: &Actor,
    now: i64,
) -> Result<InstructChoices, ServiceError> {
    actor.require(Permission::InstructWork)?;
    let properties: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT id, address_line1, town, postcode FROM properties WHERE agency_id = $1 \
         ORDER BY lower(address_line1), id",
    )
    .bind(actor.agency_id)
    .fetch_all(db.pool())
    .await?;
    Ok(InstructChoices {
        properties: properties
            .into_iter()
            .map(|(id, line, town, postcode)| (id, format!("{line}, {town} {postcode}")))
            .collect(),
        contractors: contractor_lights(db, actor, now).await?,
        can_override: actor.permissions.allows(Permission::OverrideCompliance),
        technician_types: technician_types(db, actor.agency_id).await?,
        work_kinds: sqlx::query_as(
            "SELECT id, name FROM work_kinds WHERE agency_id = $1 ORDER BY lower(name), id",
        )
        .bind(actor.agency_id)
        .fetch_all(db.pool())
        .await?,
    })
}

/// The verdict the instruct rule will give on this work, before the form is sent: nothing is
/// written (an override is recorded only when the works are sent).
pub async fn instruct_check(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
    work: WorkToJudge,
    now: i64,
) -> Result<crate::domain::records::WorkCheck, ServiceError> {
    actor.require(Permission::InstructWork)?;
    super::compliance::visible_contractor(db, actor, contractor_id).await?;
    let mut conn = db.pool().acquire().await?;
    let judgement =
        super::compliance::judge_work(db, &mut conn, actor.agency_id, contractor_id, work, now)
            .await?;
    Ok(crate::domain::records::WorkCheck {
        light: judgement.light(),
        problems: judgement.problems(actor.date_format),
        can_override: actor.permissions.allows(Permission::OverrideCompliance),
    })
}

/// The agency's certificate types that apply to technicians, by name.
async fn technician_types(db: &Db, agency_id: i64) -> Result<Vec<(i64, String)>, ServiceError> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM certificate_types WHERE agency_id = $1 AND applies_to_technicians = 1 \
         ORDER BY lower(name), id",
    )
    .bind(agency_id)
    .fetch_all(db.pool())
    .await?)
}

/// Instructs works: the task is created as Assigned to the contractor, unless the compliance rule
/// blocks it, which is an answer (with the certificates at fault and compliant alternatives),
/// not an error. The check, the override's audit entry and the task share one transaction.
pub async fn instruct(
    db: &Db,
    actor: &Actor,
    task: NewTask,
    public_url: &str,
    now: i64,
) -> Result<InstructOutcome, ServiceError> {
    let prepared = prepare_instruction(db, actor, task, now).await?;
    let mut tx = db.begin_write().await?;
    match write_instruction(db, &mut tx, actor, &prepared, public_url, now).await? {
        Written::Task(instructed) => {
            tx.commit().await?;
            instructed.publish(db, actor).await;
            Ok(instructed.outcome())
        }
        Written::Blocked {
            problems,
            can_override,
        } => {
            drop(tx);
            blocked_outcome(db, actor, &prepared, problems, can_override, now).await
        }
    }
}

/// Works checked and ready to write: what [`write_instruction`] needs besides the transaction.
pub(super) struct PreparedTask {
    task: NewTask,
    company_name: String,
    trade: Option<String>,
    address: String,
    access: Option<String>,
    required_types: Vec<i64>,
    outstanding: Vec<String>,
}

/// Checks the works before any write: the title, priority and purchase order, that the property
/// and contractor are the agency's, and the certificate types asked of technicians.
pub(super) async fn prepare_instruction(
    db: &Db,
    actor: &Actor,
    task: NewTask,
    now: i64,
) -> Result<PreparedTask, ServiceError> {
    actor.require(Permission::InstructWork)?;
    let title = task.title.trim();
    if title.is_empty() {
        return Err(ServiceError::invalid("title", "Give the works a title."));
    }
    if title.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "title",
            "Keep the title under 200 characters.",
        ));
    }
    if !PRIORITIES.contains(&task.priority.as_str()) {
        return Err(ServiceError::invalid(
            "priority",
            "Choose low, normal, high or urgent.",
        ));
    }
    let purchase_order = optional_text(task.purchase_order.as_deref());
    if purchase_order.is_some_and(|po| po.chars().count() > 50) {
        return Err(ServiceError::invalid(
            "purchase_order",
            "Keep the purchase order under 50 characters.",
        ));
    }
    let property: Option<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT address_line1, town, postcode, access_details FROM properties \
         WHERE id = $1 AND agency_id = $2",
    )
    .bind(task.property_id)
    .bind(actor.agency_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((line1, town, postcode, access)) = property else {
        return Err(ServiceError::invalid("property_id", "Choose a property."));
    };
    let (company_name, trade): (String, Option<String>) = sqlx::query_as(
        "SELECT company_name, trade FROM contractors WHERE id = $1 AND agency_id = $2",
    )
    .bind(task.contractor_id)
    .bind(actor.agency_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(ServiceError::NotFound("contractor"))?;

    let allowed_types = technician_types(db, actor.agency_id).await?;
    let mut required_types = Vec::new();
    for id in &task.required_type_ids {
        if !allowed_types.iter().any(|(allowed, _)| allowed == id) {
            return Err(ServiceError::invalid(
                "required_types",
                "Choose certificate types the agency asks of technicians.",
            ));
        }
        if !required_types.contains(id) {
            required_types.push(*id);
        }
    }
    let outstanding =
        super::compliance::outstanding_certificates(db, actor.agency_id, task.contractor_id, now)
            .await?;
    Ok(PreparedTask {
        task,
        company_name,
        trade,
        address: format!("{line1}, {town} {postcode}"),
        access,
        required_types,
        outstanding,
    })
}

/// A task written in the caller's transaction, to announce once it commits.
pub(super) struct Instructed {
    pub task_id: i64,
    pub reference: String,
    pub contractor_id: i64,
    pub overridden: bool,
}

impl Instructed {
    pub(super) async fn publish(&self, db: &Db, actor: &Actor) {
        publish_task_change(
            db,
            actor.agency_id,
            Some(self.contractor_id),
            self.task_id,
            Topic::Task,
        )
        .await;
    }

    pub(super) fn outcome(self) -> InstructOutcome {
        InstructOutcome::Instructed {
            task_id: self.task_id,
            reference: self.reference,
            overridden: self.overridden,
        }
    }
}

pub(super) enum Written {
    Task(Instructed),
    /// The compliance rule refused; nothing was written and the caller rolls back.
    Blocked {
        problems: Vec<String>,
        can_override: bool,
    },
}

/// Writes the task in the caller's transaction: the compliance check (and an override's audit
/// entry), the task, its timeline, service tasks, required types, the contractor's email and the
/// audit entry.
pub(super) async fn write_instruction(
    db: &Db,
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    prepared: &PreparedTask,
    public_url: &str,
    now: i64,
) -> Result<Written, ServiceError> {
    let task = &prepared.task;
    let title = task.title.trim();
    let purchase_order = optional_text(task.purchase_order.as_deref());
    // Task references count the agency's tasks, so instructions of one agency take turns: this
    // write, first in the transaction, locks the agency's row (PostgreSQL) or the database
    // (SQLite) until commit, and the count below cannot be read by two at once.
    sqlx::query("UPDATE agencies SET created_at = created_at WHERE id = $1")
        .bind(actor.agency_id)
        .execute(&mut *tx)
        .await?;
    let reason = task.override_reason.as_deref();
    let work = WorkToJudge {
        work_kind_id: task.work_kind_id,
        day: task.due_date,
    };
    let overridden = match check_instruction(
        db,
        &mut *tx,
        actor,
        task.contractor_id,
        work,
        reason,
        now,
    )
    .await?
    {
        Instruction::Allowed => false,
        Instruction::Overridden => true,
        Instruction::Blocked {
            problems,
            can_override,
        } => {
            return Ok(Written::Blocked {
                problems,
                can_override,
            })
        }
    };
    let next: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE agency_id = $1")
        .bind(actor.agency_id)
        .fetch_one(&mut *tx)
        .await?;
    let reference = format!("T-{:05}", 1001 + next);
    let description = optional_text(task.description.as_deref());
    let task_id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (agency_id, reference, property_id, contractor_id, title, description, \
         status, priority, due_date, purchase_order, instructed_by, created_at, updated_at, \
         work_kind_id) \
         VALUES ($1, $2, $3, $4, $5, $6, 'assigned', $7, $8, $9, $10, $11, $11, $12) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(&reference)
    .bind(task.property_id)
    .bind(task.contractor_id)
    .bind(title)
    .bind(description)
    .bind(&task.priority)
    .bind(task.due_date.map(to_storage))
    .bind(purchase_order)
    .bind(actor.user_id)
    .bind(now)
    .bind(task.work_kind_id)
    .fetch_one(&mut *tx)
    .await?;
    let event = TimelineEvent {
        task_id,
        action: TaskAction::Instruct.label(),
        from: TaskStatus::Draft,
        to: TaskStatus::Assigned,
        reason: reason.filter(|_| overridden),
    };
    add_to_timeline(&mut *tx, actor, event, now).await?;
    super::service_tasks::insert(&mut *tx, actor.agency_id, task_id, &task.service_tasks).await?;
    for type_id in &prepared.required_types {
        sqlx::query(
            "INSERT INTO task_required_types (task_id, certificate_type_id) VALUES ($1, $2)",
        )
        .bind(task_id)
        .bind(type_id)
        .execute(&mut *tx)
        .await?;
    }
    // The contractor hears of it with the task's essentials, what the agency chose to add, and
    // any certificates it still waits for (one email instead of two).
    let (with_description, with_access, with_po): (i64, i64, i64) = sqlx::query_as(
        "SELECT assignment_email_description, assignment_email_access, \
         assignment_email_purchase_order FROM agencies WHERE id = $1",
    )
    .bind(actor.agency_id)
    .fetch_one(&mut *tx)
    .await?;
    let mut details = Vec::new();
    if let (1, Some(d)) = (with_description, description) {
        details.push(d.to_string());
    }
    if let (1, Some(a)) = (
        with_access,
        prepared
            .access
            .as_deref()
            .and_then(|a| optional_text(Some(a))),
    ) {
        details.push(format!("Access: {a}"));
    }
    if let (1, Some(po)) = (with_po, purchase_order) {
        details.push(format!("Purchase order: {po}"));
    }
    let url = super::task_work::task_url(public_url, TaskRole::Office, task_id);
    let email = crate::services::mail::task_assigned(&crate::services::mail::TaskAssigned {
        company: &prepared.company_name,
        agency: &actor.agency_name,
        reference: &reference,
        title,
        address: &prepared.address,
        due: task.due_date.map(|d| actor.date_format.format(d)),
        priority: &task.priority,
        details,
        outstanding_certificates: prepared.outstanding.clone(),
        url: &url,
    });
    for to in super::compliance::contractor_recipients(&mut *tx, task.contractor_id).await? {
        let key = format!("task-assigned:{task_id}:{to}");
        crate::services::mail::enqueue(
            &mut *tx,
            Some(actor.agency_id),
            &to,
            &email,
            Some(&key),
            now,
        )
        .await?;
    }
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        "task_instructed",
        task.contractor_id,
        &format!("{reference}: {title}"),
        now,
    )
    .await?;
    Ok(Written::Task(Instructed {
        task_id,
        reference,
        contractor_id: task.contractor_id,
        overridden,
    }))
}

/// The refusal with compliant alternatives of the same trade.
pub(super) async fn blocked_outcome(
    db: &Db,
    actor: &Actor,
    prepared: &PreparedTask,
    problems: Vec<String>,
    can_override: bool,
    now: i64,
) -> Result<InstructOutcome, ServiceError> {
    let alternatives = contractor_lights(db, actor, now)
        .await?
        .into_iter()
        .filter(|c| {
            c.id != prepared.task.contractor_id
                && c.light == TrafficLight::Green
                && (prepared.trade.is_none() || c.trade == prepared.trade)
        })
        .take(5)
        .collect();
    Ok(InstructOutcome::Blocked {
        company_name: prepared.company_name.clone(),
        problems,
        can_override,
        alternatives,
    })
}

fn optional_text(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Moves a task on by one action of the lifecycle (`domain::task_status`), as the actor's role
/// may: agents on their agency's tasks, the office on its company's, a technician on tasks
/// assigned to them; anyone else's task does not exist for them. The change, its timeline entry
/// and the audit entry share one transaction, and a task changed meanwhile is not overwritten.
/// Accepting with a planned date is [`accept`]; completing, with its documents, is
/// `task_work::complete`.
pub async fn act(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    action: TaskAction,
    reason: Option<&str>,
    public_url: &str,
    now: i64,
) -> Result<TaskStatus, ServiceError> {
    act_with(
        db,
        actor,
        task_id,
        action,
        reason,
        TaskChanges::default(),
        public_url,
        now,
    )
    .await
}

/// The contractor's office accepts, optionally with the date it plans to go on site and the
/// technicians who will go (each emailed; accreditation gaps recorded), all in one transaction.
pub async fn accept(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    planned_date: Option<NaiveDate>,
    technician_ids: &[i64],
    public_url: &str,
    now: i64,
) -> Result<TaskStatus, ServiceError> {
    let today = super::agency::today(db, actor.agency_id, now).await?;
    let planned = check_planned_date(planned_date, today)
        .map_err(|e| ServiceError::invalid("planned_date", e.to_string()))?;
    let changes = TaskChanges {
        scheduled_date: planned,
        ..TaskChanges::default()
    };
    let step = check_step(db, actor, task_id, TaskAction::Accept, None).await?;
    let lapses = match (planned, step.contractor_id) {
        (Some(day), Some(contractor_id)) => {
            lapses_on(db, actor, task_id, contractor_id, day, now).await?
        }
        _ => Vec::new(),
    };
    let mut tx = db.begin_write().await?;
    record_step(&mut tx, actor, &step, changes, now).await?;
    if !lapses.is_empty() {
        // Accepting is the office's to decide; the planned day's gaps go in the timeline, which
        // the agent reads, and stay on the task page until the certificates are renewed.
        let reason = lapses.join("; ");
        let event = TimelineEvent {
            task_id,
            action: "Planned after a certificate ends",
            from: step.to,
            to: step.to,
            reason: Some(&reason),
        };
        add_to_timeline(&mut tx, actor, event, now).await?;
    }
    if !technician_ids.is_empty() {
        let assignment = super::assignment::Assignment {
            task_ids: vec![task_id],
            technician_ids: technician_ids.to_vec(),
            scheduled_date: None,
        };
        super::assignment::assign_in(&mut tx, actor, &assignment, public_url, today, now).await?;
    }
    tx.commit().await?;
    publish_task_change(
        db,
        actor.agency_id,
        step.contractor_id,
        task_id,
        Topic::Task,
    )
    .await;
    Ok(step.to)
}

#[allow(clippy::too_many_arguments)]
async fn act_with(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    action: TaskAction,
    reason: Option<&str>,
    changes: TaskChanges,
    public_url: &str,
    now: i64,
) -> Result<TaskStatus, ServiceError> {
    let step = check_step(db, actor, task_id, action, reason).await?;
    if action == TaskAction::Complete && changes.on_site_date.is_none() {
        return Err(ServiceError::invalid(
            "on_site_date",
            "Give the date you were on site (Complete task).",
        ));
    }
    let mut tx = db.begin_write().await?;
    record_step(&mut tx, actor, &step, changes, now).await?;
    if action == TaskAction::Reopen {
        // The record changes again: what was signed no longer stands as signed.
        sqlx::query(
            "UPDATE signatures SET withdrawn_at = $1 WHERE task_id = $2 AND withdrawn_at IS NULL",
        )
        .bind(now)
        .bind(task_id)
        .execute(&mut *tx)
        .await?;
    }
    if action == TaskAction::Reject {
        super::task_work::tell_agency_of_rejection(&mut tx, actor, &step, public_url, now).await?;
    }
    tx.commit().await?;
    publish_task_change(
        db,
        actor.agency_id,
        step.contractor_id,
        step.task_id,
        Topic::Task,
    )
    .await;
    Ok(step.to)
}

/// What a status change records beside the status.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TaskChanges {
    pub scheduled_date: Option<NaiveDate>,
    pub on_site_date: Option<NaiveDate>,
}

/// A status change checked against the actor's role and the lifecycle, not yet recorded.
pub(super) struct Step {
    pub task_id: i64,
    pub contractor_id: Option<i64>,
    pub action: TaskAction,
    pub from: TaskStatus,
    pub to: TaskStatus,
    pub reason: Option<String>,
}

pub(super) async fn check_step(
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
pub(super) async fn check_signed_step(
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
    let (contractor_id, stored, archived_at, role) = role_on_task(db, actor, task_id).await?;
    if role == TaskRole::Agent {
        actor.require(Permission::InstructWork)?;
    }
    let from = TaskStatus::parse(&stored).ok_or_else(|| {
        ServiceError::Internal(format!("task {task_id}: unknown status {stored}"))
    })?;
    let to = transition(from, action, role, archived_at.is_some())
        .map_err(|e| ServiceError::Refused(e.to_string()))?;
    Ok(Step {
        task_id,
        contractor_id,
        action,
        from,
        to,
        reason: reason.map(str::to_string),
    })
}

/// A line of a task's timeline; results, defects and archiving keep the status (`from == to`).
pub(super) struct TimelineEvent<'a> {
    pub task_id: i64,
    pub action: &'a str,
    pub from: TaskStatus,
    pub to: TaskStatus,
    pub reason: Option<&'a str>,
}

/// Adds `event` to the task's timeline, by `actor`, in the caller's transaction.
pub(super) async fn add_to_timeline(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    event: TimelineEvent<'_>,
    now: i64,
) -> Result<(), ServiceError> {
    sqlx::query(
        "INSERT INTO task_events (agency_id, task_id, actor_user_id, action, from_status, to_status, \
         reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(actor.agency_id)
    .bind(event.task_id)
    .bind(actor.user_id)
    .bind(event.action)
    .bind(event.from.as_str())
    .bind(event.to.as_str())
    .bind(event.reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records a checked step in the caller's transaction: the status (only if nobody changed it
/// meanwhile), what it carries, the timeline entry and the audit entry.
pub(super) async fn record_step(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    step: &Step,
    changes: TaskChanges,
    now: i64,
) -> Result<(), ServiceError> {
    let changed = sqlx::query(
        "UPDATE tasks SET status = $1, updated_at = $2, \
         scheduled_date = COALESCE($5, scheduled_date), on_site_date = COALESCE($6, on_site_date) \
         WHERE id = $3 AND status = $4 AND archived_at IS NULL",
    )
    .bind(step.to.as_str())
    .bind(now)
    .bind(step.task_id)
    .bind(step.from.as_str())
    .bind(changes.scheduled_date.map(to_storage))
    .bind(changes.on_site_date.map(to_storage))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ServiceError::Refused(
            "The task was changed meanwhile. Reload it and try again.".into(),
        ));
    }
    let event = TimelineEvent {
        task_id: step.task_id,
        action: step.action.label(),
        from: step.from,
        to: step.to,
        reason: step.reason.as_deref(),
    };
    add_to_timeline(&mut *tx, actor, event, now).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
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
    Ok(())
}

pub(super) async fn publish_task_change(
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

/// The task as this actor may see it: (contractor, status, archived at, the actor's role on it).
/// Agents see their agency's tasks, the office its company's, a technician those assigned to
/// them; for anyone else the task does not exist.
pub(super) async fn role_on_task(
    db: &Db,
    actor: &Actor,
    task_id: i64,
) -> Result<(Option<i64>, String, Option<i64>, TaskRole), ServiceError> {
    let found: Option<(Option<i64>, String, Option<i64>)> = sqlx::query_as(
        "SELECT contractor_id, status, archived_at FROM tasks WHERE id = $1 AND agency_id = $2",
    )
    .bind(task_id)
    .bind(actor.agency_id)
    .fetch_optional(db.pool())
    .await?;
    let (contractor_id, stored, archived_at) = found.ok_or(ServiceError::NotFound("task"))?;
    let own_company = contractor_id.is_some() && contractor_id == actor.contractor_id;
    let role = match actor.kind {
        UserKind::Agent => TaskRole::Agent,
        UserKind::Contractor if own_company => TaskRole::Office,
        UserKind::Technician if own_company => {
            if !is_assigned(db, actor.user_id, task_id).await? {
                return Err(ServiceError::NotFound("task"));
            }
            TaskRole::Technician
        }
        _ => return Err(ServiceError::NotFound("task")),
    };
    Ok((contractor_id, stored, archived_at, role))
}

/// The agency archives a finished task: it leaves the working lists' attention but stays readable
/// to everyone who could read it, and nothing on it changes any more.
pub async fn archive(db: &Db, actor: &Actor, task_id: i64, now: i64) -> Result<(), ServiceError> {
    let (contractor_id, status, archived_at, role) = role_on_task(db, actor, task_id).await?;
    if role != TaskRole::Agent {
        return Err(ServiceError::Forbidden("only the agency archives tasks"));
    }
    actor.require(Permission::InstructWork)?;
    if archived_at.is_some() {
        return Err(ServiceError::Refused(
            "This task is already archived.".into(),
        ));
    }
    let status = TaskStatus::parse(&status)
        .ok_or_else(|| ServiceError::Internal(format!("task {task_id}: unknown status")))?;
    if !can_archive(status) {
        return Err(ServiceError::Refused(format!(
            "Only completed, rejected or draft tasks are archived; this one is {}.",
            status.label()
        )));
    }
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE tasks SET archived_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = $3 AND archived_at IS NULL",
    )
    .bind(now)
    .bind(task_id)
    .bind(status.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ServiceError::Refused(
            "The task was changed meanwhile. Reload it and try again.".into(),
        ));
    }
    let event = TimelineEvent {
        task_id,
        action: "Archive",
        from: status,
        to: status,
        reason: None,
    };
    add_to_timeline(&mut tx, actor, event, now).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        "task_archived",
        None,
        &format!("task {task_id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    publish_task_change(db, actor.agency_id, contractor_id, task_id, Topic::Task).await;
    Ok(())
}

/// One task with the actions the actor may take now and its timeline.
pub async fn task_detail(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    now: i64,
) -> Result<crate::domain::records::TaskDetail, ServiceError> {
    use crate::domain::records::{AssignedTechnician, TaskDetail, TimelineEntry};
    let (_, _, archived_at, role) = role_on_task(db, actor, task_id).await?;
    #[derive(FromRow)]
    struct Extra {
        description: Option<String>,
        purchase_order: Option<String>,
        access_details: Option<String>,
        company_name: Option<String>,
        on_site_date: Option<String>,
        contractor_id: Option<i64>,
        work_kind_id: Option<i64>,
        work_kind: Option<String>,
    }
    let row: TaskRow = sqlx::query_as(&format!("{SELECT_TASK} WHERE t.id = $1"))
        .bind(task_id)
        .fetch_one(db.pool())
        .await?;
    let extra: Extra = sqlx::query_as(
        "SELECT t.description, t.purchase_order, p.access_details, c.company_name, t.on_site_date, \
         t.contractor_id, t.work_kind_id, k.name AS work_kind \
         FROM tasks t \
         JOIN properties p ON p.id = t.property_id LEFT JOIN contractors c ON c.id = t.contractor_id \
         LEFT JOIN work_kinds k ON k.id = t.work_kind_id \
         WHERE t.id = $1",
    )
    .bind(task_id)
    .fetch_one(db.pool())
    .await?;
    let summary = row
        .into_summary()
        .ok_or_else(|| ServiceError::Internal(format!("task {task_id}: unknown status")))?;
    let may_act = role != TaskRole::Agent || actor.permissions.allows(Permission::InstructWork);
    let actions = if may_act {
        allowed(summary.status, role, archived_at.is_some())
            .into_iter()
            .filter(|a| *a != TaskAction::Instruct)
            .collect()
    } else {
        Vec::new()
    };
    let when = super::agency::instant_format(db, actor).await?;
    #[derive(FromRow)]
    struct Event {
        at: i64,
        name: Option<String>,
        action: String,
        from_status: String,
        to_status: String,
        reason: Option<String>,
    }
    let events: Vec<Event> = sqlx::query_as(
        "SELECT e.at, u.name, e.action, e.from_status, e.to_status, e.reason FROM task_events e \
         LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.task_id = $1 ORDER BY e.at DESC, e.id DESC",
    )
    .bind(task_id)
    .fetch_all(db.pool())
    .await?;
    let timeline = events
        .into_iter()
        .map(|e| TimelineEntry {
            when: when(e.at),
            who: e.name.unwrap_or_else(|| "Certidesk".into()),
            // Results and defects leave the status as it was.
            what: if e.from_status == e.to_status {
                e.action
            } else {
                format!(
                    "{}: now {}",
                    e.action,
                    TaskStatus::parse(&e.to_status)
                        .map(TaskStatus::label)
                        .unwrap_or("?")
                )
            },
            reason: e.reason,
        })
        .collect();
    let documents = super::task_work::documents(db, actor, task_id, &when).await?;
    let (service_tasks, defects) =
        super::service_tasks::service_work(db, actor, task_id, &when).await?;
    let can_record_work = role != TaskRole::Agent
        && archived_at.is_none()
        && crate::domain::service_tasks::can_record_work(summary.status);
    let may_instruct = actor.permissions.allows(Permission::InstructWork);
    let required_types: Vec<String> = sqlx::query_scalar(
        "SELECT c.name FROM task_required_types r JOIN certificate_types c \
         ON c.id = r.certificate_type_id WHERE r.task_id = $1 ORDER BY lower(c.name)",
    )
    .bind(task_id)
    .fetch_all(db.pool())
    .await?;
    let technicians = sqlx::query_as::<_, (i64, String, Option<String>)>(
        "SELECT u.id, u.name, tt.accreditation_gaps FROM task_technicians tt \
         JOIN users u ON u.id = tt.technician_id WHERE tt.task_id = $1 ORDER BY lower(u.name)",
    )
    .bind(task_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(id, name, accreditation_gaps)| AssignedTechnician {
        id,
        name,
        accreditation_gaps,
    })
    .collect();
    let can_assign =
        role == TaskRole::Office && archived_at.is_none() && can_assign_technicians(summary.status);
    let technician_choices = if can_assign {
        super::assignment::technician_choices(db, actor, &[task_id], now).await?
    } else {
        Vec::new()
    };
    let performed_notes: Option<String> =
        sqlx::query_scalar("SELECT performed_notes FROM tasks WHERE id = $1")
            .bind(task_id)
            .fetch_one(db.pool())
            .await?;
    let signatures = sqlx::query_as::<_, (i64, String, String, i64)>(
        "SELECT id, role, signer_name, signed_at FROM signatures \
         WHERE task_id = $1 AND withdrawn_at IS NULL ORDER BY id",
    )
    .bind(task_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(
        |(id, role, name, at)| crate::domain::records::SignatureEntry {
            id,
            role: if role == "client" {
                "Client"
            } else {
                "Contractor"
            }
            .into(),
            name,
            when: when(at),
        },
    )
    .collect();
    let report_available = crate::services::report::has_report(summary.status);
    let compliance_on_the_day = match extra.contractor_id {
        Some(contractor_id)
            if role != TaskRole::Technician
                && archived_at.is_none()
                && work_still_to_do(summary.status) =>
        {
            let work = WorkToJudge {
                work_kind_id: extra.work_kind_id,
                day: day_of_work(summary.scheduled_date, summary.due_date),
            };
            let mut conn = db.pool().acquire().await?;
            super::compliance::judge_work(db, &mut conn, actor.agency_id, contractor_id, work, now)
                .await?
                .problems(actor.date_format)
        }
        _ => Vec::new(),
    };
    Ok(TaskDetail {
        work_kind: extra.work_kind,
        compliance_on_the_day,
        performed_notes,
        signatures,
        report_available,
        report_versions: Vec::new(),
        required_types,
        technicians,
        can_assign,
        technician_choices,
        on_site_date: extra
            .on_site_date
            .as_deref()
            .and_then(crate::domain::dates::from_storage),
        documents,
        can_message: match role {
            TaskRole::Agent => may_instruct,
            TaskRole::Office => true,
            TaskRole::Technician => false,
        },
        can_add_client_documents: role == TaskRole::Agent && may_instruct && archived_at.is_none(),
        can_archive: role == TaskRole::Agent
            && may_instruct
            && archived_at.is_none()
            && can_archive(summary.status),
        service_tasks,
        defects,
        can_record_work,
        summary,
        description: extra.description,
        purchase_order: extra.purchase_order,
        access_details: extra.access_details,
        contractor: extra.company_name,
        actions,
        timeline,
    })
}

/// What will have lapsed by `day` among the certificates the task's kind of work needs (in the
/// agency's date format); today's red certificates are not repeated.
async fn lapses_on(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    contractor_id: i64,
    day: NaiveDate,
    now: i64,
) -> Result<Vec<String>, ServiceError> {
    let mut conn = db.pool().acquire().await?;
    let work_kind_id: Option<i64> =
        sqlx::query_scalar("SELECT work_kind_id FROM tasks WHERE id = $1")
            .bind(task_id)
            .fetch_one(&mut *conn)
            .await?;
    let work = WorkToJudge {
        work_kind_id,
        day: Some(day),
    };
    Ok(
        super::compliance::judge_work(db, &mut conn, actor.agency_id, contractor_id, work, now)
            .await?
            .verdict
            .lapses
            .iter()
            .map(|l| l.problem(actor.date_format))
            .collect(),
    )
}

/// Whether the work is still to be done on site, so its contractor's certificates still matter.
fn work_still_to_do(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Assigned | TaskStatus::Accepted | TaskStatus::InProgress | TaskStatus::Revisit
    )
}

/// Whether a technician is assigned to a task (what their live updates are limited to).
pub async fn is_assigned(db: &Db, technician_id: i64, task_id: i64) -> Result<bool, ServiceError> {
    let assigned: Option<i64> = sqlx::query_scalar(
        "SELECT task_id FROM task_technicians WHERE task_id = $1 AND technician_id = $2",
    )
    .bind(task_id)
    .bind(technician_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(assigned.is_some())
}
