//! Instruct works: the form's choices, the compliance verdict on the chosen contractor, and the
//! instruction written (or blocked) in one transaction. Accepting a quote writes its instruction
//! through the same functions.

use super::access::{add_to_timeline, publish_task_change, TimelineEvent};
use crate::db::{audit, Db};
use crate::domain::compliance::TrafficLight;
use crate::domain::dates::to_storage;
use crate::domain::identity::Permission;
use crate::domain::records::{InstructChoices, InstructOutcome};
use crate::domain::task_status::{TaskAction, TaskRole, TaskStatus};
use crate::domain::webhooks::EventType;
use crate::events::Topic;
use crate::services::auth::Actor;
use crate::services::compliance::{check_instruction, contractor_lights, Instruction, WorkToJudge};
use crate::services::webhooks::{self, Event};
use crate::services::Context;
use crate::services::ServiceError;
use chrono::NaiveDate;
use serde_json::json;

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
    cx: &Context,
    actor: &Actor,
    now: i64,
) -> Result<InstructChoices, ServiceError> {
    actor.require(Permission::InstructWork)?;
    let properties = crate::services::properties::addresses(&cx.db, actor.agency_id).await?;
    Ok(InstructChoices {
        properties: properties.iter().map(|p| (p.id, p.one_line())).collect(),
        contractors: contractor_lights(cx, actor, now).await?,
        can_override: actor.permissions.allows(Permission::OverrideCompliance),
        technician_types: technician_types(&cx.db, actor.agency_id).await?,
        work_kinds: sqlx::query_as(
            "SELECT id, name FROM work_kinds WHERE agency_id = $1 ORDER BY lower(name), id",
        )
        .bind(actor.agency_id)
        .fetch_all(cx.db.pool())
        .await?,
    })
}

/// The verdict the instruct rule will give on this work, before the form is sent: nothing is
/// written (an override is recorded only when the works are sent).
pub async fn instruct_check(
    cx: &Context,
    actor: &Actor,
    contractor_id: i64,
    work: WorkToJudge,
    now: i64,
) -> Result<crate::domain::records::WorkCheck, ServiceError> {
    actor.require(Permission::InstructWork)?;
    crate::services::compliance::visible_contractor(&cx.db, actor, contractor_id).await?;
    let judgement =
        crate::services::compliance::judge_work(&cx.db, actor.agency_id, contractor_id, work, now)
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
    cx: &Context,
    actor: &Actor,
    task: NewTask,
    now: i64,
) -> Result<InstructOutcome, ServiceError> {
    let prepared = prepare_instruction(&cx.db, actor, task, now).await?;
    let mut tx = cx.db.begin_write().await?;
    match write_instruction(cx, &mut tx, actor, &prepared, now).await? {
        Written::Task(instructed) => {
            tx.commit().await?;
            instructed.publish(&cx.db, actor).await;
            Ok(instructed.outcome())
        }
        Written::Blocked {
            problems,
            can_override,
        } => {
            drop(tx);
            blocked_outcome(cx, actor, &prepared, problems, can_override, now).await
        }
    }
}

/// Works checked and ready to write: what [`write_instruction`] needs besides the transaction.
pub(crate) struct PreparedTask {
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
pub(crate) async fn prepare_instruction(
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
    let property =
        crate::services::properties::address(db, actor.agency_id, task.property_id).await?;
    let Some(property) = property else {
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
    let outstanding = crate::services::compliance::outstanding_certificates(
        db,
        actor.agency_id,
        task.contractor_id,
        now,
    )
    .await?;
    Ok(PreparedTask {
        task,
        company_name,
        trade,
        address: property.one_line(),
        access: property.access_details,
        required_types,
        outstanding,
    })
}

/// A task written in the caller's transaction, to announce once it commits.
pub(crate) struct Instructed {
    pub task_id: i64,
    pub reference: String,
    pub contractor_id: i64,
    pub overridden: bool,
}

impl Instructed {
    pub(crate) async fn publish(&self, db: &Db, actor: &Actor) {
        publish_task_change(
            db,
            actor.agency_id,
            Some(self.contractor_id),
            self.task_id,
            Topic::Task,
        )
        .await;
    }

    pub(crate) fn outcome(self) -> InstructOutcome {
        InstructOutcome::Instructed {
            task_id: self.task_id,
            reference: self.reference,
            overridden: self.overridden,
        }
    }
}

pub(crate) enum Written {
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
pub(crate) async fn write_instruction(
    cx: &Context,
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    prepared: &PreparedTask,
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
        cx,
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
    super::service_work::insert(&mut *tx, actor.agency_id, task_id, &task.service_tasks).await?;
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
    let url = super::work::task_url(&cx.public_url, TaskRole::Office, task_id);
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
    for to in
        crate::services::compliance::contractor_recipients(&mut *tx, task.contractor_id).await?
    {
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
    let instructed = Event::new(
        EventType::TaskStatusChanged,
        json!({
            "task_id": task_id,
            "reference": reference,
            "contractor_id": task.contractor_id,
            "from": TaskStatus::Draft.as_str(),
            "to": TaskStatus::Assigned.as_str(),
            "action": TaskAction::Instruct.label(),
            "reason": reason.filter(|_| overridden),
            "by": actor.name,
        }),
    );
    webhooks::emit(&mut *tx, actor.agency_id, &instructed, now).await?;
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
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
pub(crate) async fn blocked_outcome(
    cx: &Context,
    actor: &Actor,
    prepared: &PreparedTask,
    problems: Vec<String>,
    can_override: bool,
    now: i64,
) -> Result<InstructOutcome, ServiceError> {
    let alternatives = contractor_lights(cx, actor, now)
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
