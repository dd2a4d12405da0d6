//! The task as each role reads it: the task page, and the Tech view's list. The top of the task
//! use cases: it reads what the others record.

use super::access::{TaskAccess, TaskRow, TASK_COLUMNS, TASK_FROM};
use crate::domain::acted_at::PhoneClock;
use crate::domain::identity::Permission;
use crate::domain::records::TechTasks;
use crate::domain::task_status::{
    allowed, can_archive, can_assign_technicians, TaskAction, TaskRole, TaskStatus,
};
use crate::domain::work_date::day_of_work;
use crate::services::auth::Actor;
use crate::services::compliance::WorkToJudge;
use crate::services::Context;
use crate::services::ServiceError;
use sqlx::FromRow;
use std::sync::LazyLock;

/// The Tech view's list: open tasks assigned to this technician, in the order of their day
/// (the agency's today).
pub async fn technician_tasks(cx: &Context, actor: &Actor) -> Result<TechTasks, ServiceError> {
    actor.require_technician()?;
    let today = actor.today(crate::db::now_ms());
    let rows: Vec<TaskRow> = sqlx::query_as(&format!(
        "SELECT {TASK_COLUMNS} {TASK_FROM} JOIN task_technicians tt ON tt.task_id = t.id \
         WHERE t.agency_id = $1 AND tt.technician_id = $2 AND t.contractor_id = $3 \
         AND t.archived_at IS NULL AND t.status NOT IN ('draft', 'rejected', 'completed') \
         ORDER BY t.scheduled_date IS NULL, t.scheduled_date, t.due_date, t.reference"
    ))
    .bind(actor.agency_id)
    .bind(actor.user_id)
    .bind(actor.contractor_id)
    .fetch_all(cx.db.pool())
    .await?;
    let tasks = rows.into_iter().filter_map(TaskRow::into_summary).collect();
    Ok(crate::domain::tech_day::arrange(tasks, today))
}

/// One task with the actions the actor may take now and its timeline.
pub async fn task_detail(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    now: i64,
) -> Result<crate::domain::records::TaskDetail, ServiceError> {
    use crate::domain::records::{AssignedTechnician, TaskDetail, TimelineEntry};
    // The task's own reads share one pooled connection: each statement on a connection of its
    // own pays sqlx's ping as the connection goes back, one more round trip to SQLite's worker
    // thread or to PostgreSQL. It goes back before the reads that take their own (the
    // technicians to choose from, the compliance on the day), so a page never holds two.
    let mut conn = cx.db.pool().acquire().await?;
    let TaskAccess { archived, role, .. } = TaskAccess::load_on(&mut conn, actor, task_id).await?;
    // The summary's columns and the page's own in one statement.
    #[derive(FromRow)]
    struct DetailRow {
        #[sqlx(flatten)]
        task: TaskRow,
        description: Option<String>,
        purchase_order: Option<String>,
        access_details: Option<String>,
        on_site_date: Option<String>,
        contractor_id: Option<i64>,
        work_kind_id: Option<i64>,
        work_kind: Option<String>,
        performed_notes: Option<String>,
    }
    static SELECT_DETAIL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {TASK_COLUMNS}, t.description, t.purchase_order, p.access_details, \
             t.on_site_date, t.contractor_id, t.work_kind_id, k.name AS work_kind, \
             t.performed_notes {TASK_FROM} LEFT JOIN work_kinds k ON k.id = t.work_kind_id \
             WHERE t.id = $1"
        )
    });
    let extra: DetailRow = sqlx::query_as(&SELECT_DETAIL)
        .bind(task_id)
        .fetch_one(&mut *conn)
        .await?;
    let summary = extra
        .task
        .into_summary()
        .ok_or_else(|| ServiceError::Internal(format!("task {task_id}: unknown status")))?;
    let contractor = summary.contractor.clone();
    let may_act = role != TaskRole::Agent || actor.permissions.allows(Permission::InstructWork);
    let actions = if may_act {
        allowed(summary.status, role, archived)
            .into_iter()
            .filter(|a| *a != TaskAction::Instruct)
            .collect()
    } else {
        Vec::new()
    };
    let when = actor.instant_format();
    #[derive(FromRow)]
    struct Event {
        at: i64,
        name: Option<String>,
        action: String,
        from_status: String,
        to_status: String,
        reason: Option<String>,
        phone_at: Option<i64>,
        received_at: Option<i64>,
        phone_clock: Option<String>,
    }
    let events: Vec<Event> = sqlx::query_as(
        "SELECT e.at, u.name, e.action, e.from_status, e.to_status, e.reason, e.phone_at, \
         e.received_at, e.phone_clock FROM task_events e \
         LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.task_id = $1 ORDER BY e.at DESC, e.id DESC",
    )
    .bind(task_id)
    .fetch_all(&mut *conn)
    .await?;
    let timeline = events
        .into_iter()
        .map(|e| TimelineEntry {
            // An act done on a phone without signal says so, and when it arrived; a phone time
            // not used says why.
            when: match (
                e.phone_at,
                e.received_at,
                e.phone_clock.as_deref().and_then(PhoneClock::parse),
            ) {
                (Some(phone), Some(_), Some(flag)) => format!(
                    "{} (when it arrived; the phone said {}, but {})",
                    when(e.at),
                    when(phone),
                    flag.explain()
                ),
                (Some(_), Some(received), None) => format!(
                    "{} (on the phone, without signal; arrived {})",
                    when(e.at),
                    when(received)
                ),
                _ => when(e.at),
            },
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
    let documents = super::work::documents(&mut conn, actor, task_id, &when).await?;
    let (service_tasks, defects) =
        super::service_work::service_work(&mut conn, actor, task_id, &when).await?;
    let can_record_work = role != TaskRole::Agent
        && !archived
        && crate::domain::service_tasks::can_record_work(summary.status);
    let may_instruct = actor.permissions.allows(Permission::InstructWork);
    let required_types: Vec<String> = sqlx::query_scalar(
        "SELECT c.name FROM task_required_types r JOIN certificate_types c \
         ON c.id = r.certificate_type_id WHERE r.task_id = $1 ORDER BY lower(c.name)",
    )
    .bind(task_id)
    .fetch_all(&mut *conn)
    .await?;
    #[derive(FromRow)]
    struct TechnicianRow {
        id: i64,
        name: String,
        accreditation_gaps: Option<String>,
    }
    let technicians = sqlx::query_as::<_, TechnicianRow>(
        "SELECT u.id, u.name, tt.accreditation_gaps FROM task_technicians tt \
         JOIN users u ON u.id = tt.technician_id WHERE tt.task_id = $1 ORDER BY lower(u.name)",
    )
    .bind(task_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|t| AssignedTechnician {
        id: t.id,
        name: t.name,
        accreditation_gaps: t.accreditation_gaps,
    })
    .collect();
    #[derive(FromRow)]
    struct SignatureRow {
        id: i64,
        role: String,
        signer_name: String,
        signed_at: i64,
    }
    let signatures = sqlx::query_as::<_, SignatureRow>(
        "SELECT id, role, signer_name, signed_at FROM signatures \
         WHERE task_id = $1 AND withdrawn_at IS NULL ORDER BY id",
    )
    .bind(task_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| crate::domain::records::SignatureEntry {
        id: s.id,
        role: if s.role == "client" {
            "Client"
        } else {
            "Contractor"
        }
        .into(),
        name: s.signer_name,
        when: when(s.signed_at),
    })
    .collect();
    drop(conn);
    let can_assign =
        role == TaskRole::Office && !archived && can_assign_technicians(summary.status);
    let technician_choices = if can_assign {
        super::assignment::technician_choices(cx, actor, &[task_id], now).await?
    } else {
        Vec::new()
    };
    let report_available = summary.status.has_report();
    let compliance_on_the_day = match extra.contractor_id {
        Some(contractor_id)
            if role != TaskRole::Technician && !archived && work_still_to_do(summary.status) =>
        {
            let work = WorkToJudge {
                work_kind_id: extra.work_kind_id,
                day: day_of_work(summary.scheduled_date, summary.due_date),
            };
            crate::services::compliance::judge_work(
                &cx.db,
                actor.agency_id,
                contractor_id,
                work,
                now,
            )
            .await?
            .problems(actor.date_format)
        }
        _ => Vec::new(),
    };
    Ok(TaskDetail {
        work_kind: extra.work_kind,
        compliance_on_the_day,
        performed_notes: extra.performed_notes,
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
        can_add_client_documents: role == TaskRole::Agent && may_instruct && !archived,
        can_archive: role == TaskRole::Agent
            && may_instruct
            && !archived
            && can_archive(summary.status),
        service_tasks,
        defects,
        can_record_work,
        summary,
        description: extra.description,
        purchase_order: extra.purchase_order,
        access_details: extra.access_details,
        contractor,
        actions,
        timeline,
    })
}

/// Whether the work is still to be done on site, so its contractor's certificates still matter.
fn work_still_to_do(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Assigned | TaskStatus::Accepted | TaskStatus::InProgress | TaskStatus::Revisit
    )
}
