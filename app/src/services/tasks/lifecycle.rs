//! Moving a task through its lifecycle: accept (with technicians and a date), reject, the
//! other status actions, and archiving.

use super::access::{
    add_to_timeline, check_step, publish_task_change, record_step, TaskAccess, TaskChanges,
    TimelineEvent,
};
use crate::db::{audit, Db};
use crate::domain::acted_at::ActedAt;
use crate::domain::identity::Permission;
use crate::domain::task_status::{can_archive, TaskAction, TaskRole, TaskStatus};
use crate::domain::task_work::check_planned_date;
use crate::events::Topic;
use crate::services::auth::Actor;
use crate::services::compliance::WorkToJudge;
use crate::services::Context;
use crate::services::ServiceError;
use chrono::NaiveDate;

/// Moves a task on by one action of the lifecycle (`domain::task_status`), as the actor's role
/// may: agents on their agency's tasks, the office on its company's, a technician on tasks
/// assigned to them; anyone else's task does not exist for them. The change, its timeline entry
/// and the audit entry share one transaction, and a task changed meanwhile is not overwritten.
/// Accepting with a planned date is [`accept`]; completing, with its documents, is
/// `task_work::complete`.
///
/// `acted` says when: an act queued on a technician's phone without signal carries the phone's
/// time, which the timeline shows when it is plausible (`domain::acted_at`).
pub async fn act(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    action: TaskAction,
    reason: Option<&str>,
    acted: impl Into<ActedAt>,
) -> Result<TaskStatus, ServiceError> {
    let acted = acted.into();
    let changes = TaskChanges {
        phone_time: acted.phone,
        ..TaskChanges::default()
    };
    act_with(cx, actor, task_id, action, reason, changes, acted.received).await
}

/// The contractor's office accepts, optionally with the date it plans to go on site and the
/// technicians who will go (each emailed; accreditation gaps recorded), all in one transaction.
pub async fn accept(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    planned_date: Option<NaiveDate>,
    technician_ids: &[i64],
    now: i64,
) -> Result<TaskStatus, ServiceError> {
    let today = actor.today(now);
    let planned = check_planned_date(planned_date, today)
        .map_err(|e| ServiceError::invalid("planned_date", e.to_string()))?;
    let changes = TaskChanges {
        scheduled_date: planned,
        ..TaskChanges::default()
    };
    let step = check_step(&cx.db, actor, task_id, TaskAction::Accept, None).await?;
    let lapses = match (planned, step.contractor_id) {
        (Some(day), Some(contractor_id)) => {
            lapses_on(&cx.db, actor, task_id, contractor_id, day, now).await?
        }
        _ => Vec::new(),
    };
    let mut tx = cx.db.begin_write().await?;
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
        super::assignment::assign_in(&mut tx, actor, &assignment, &cx.public_url, today, now)
            .await?;
    }
    tx.commit().await?;
    publish_task_change(
        &cx.db,
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
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    action: TaskAction,
    reason: Option<&str>,
    changes: TaskChanges,
    now: i64,
) -> Result<TaskStatus, ServiceError> {
    let step = check_step(&cx.db, actor, task_id, action, reason).await?;
    if action == TaskAction::Complete && changes.on_site_date.is_none() {
        return Err(ServiceError::invalid(
            "on_site_date",
            "Give the date you were on site (Complete task).",
        ));
    }
    let mut tx = cx.db.begin_write().await?;
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
        super::work::tell_agency_of_rejection(&mut tx, actor, &step, &cx.public_url, now).await?;
    }
    tx.commit().await?;
    publish_task_change(
        &cx.db,
        actor.agency_id,
        step.contractor_id,
        step.task_id,
        Topic::Task,
    )
    .await;
    Ok(step.to)
}

/// The agency archives a finished task: it leaves the working lists' attention but stays readable
/// to everyone who could read it, and nothing on it changes any more.
pub async fn archive(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    let TaskAccess {
        contractor_id,
        status,
        archived,
        role,
        ..
    } = TaskAccess::load(&cx.db, actor, task_id).await?;
    if role != TaskRole::Agent {
        return Err(ServiceError::Forbidden("only the agency archives tasks"));
    }
    actor.require(Permission::InstructWork)?;
    if archived {
        return Err(ServiceError::Refused(
            "This task is already archived.".into(),
        ));
    }
    if !can_archive(status) {
        return Err(ServiceError::Refused(format!(
            "Only completed, rejected or draft tasks are archived; this one is {}.",
            status.label()
        )));
    }
    let mut tx = cx.db.begin_write().await?;
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
        actor.audit_by(),
        "task_archived",
        None,
        &format!("task {task_id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    publish_task_change(&cx.db, actor.agency_id, contractor_id, task_id, Topic::Task).await;
    Ok(())
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
    let work_kind_id: Option<i64> =
        sqlx::query_scalar("SELECT work_kind_id FROM tasks WHERE id = $1")
            .bind(task_id)
            .fetch_one(db.pool())
            .await?;
    let work = WorkToJudge {
        work_kind_id,
        day: Some(day),
    };
    Ok(
        crate::services::compliance::judge_work(db, actor.agency_id, contractor_id, work, now)
            .await?
            .verdict
            .lapses
            .iter()
            .map(|l| l.problem(actor.date_format))
            .collect(),
    )
}
