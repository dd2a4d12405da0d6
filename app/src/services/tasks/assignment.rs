//! The contractor's office assigns its own technicians and a scheduled date to tasks, one at a
//! time (accepting, or from the task page) or in bulk from the dashboard. Each technician shows
//! what they lack of the tasks' required accreditations before they are picked; assigning anyway
//! is allowed and recorded for the agency to see. A bulk assignment is one transaction, and each
//! technician gets one email listing all their new tasks with one sign-in link.

use super::access::{add_to_timeline, publish_task_change, TaskAccess, TimelineEvent};
use crate::db::id_list;
use crate::db::{audit, tokens, Db};
use crate::domain::accreditation::{describe_all, gaps, Accreditation};
use crate::domain::dates::{from_storage, to_storage, DateFormat};
use crate::domain::identity::{describe_wait, LinkPurpose};
use crate::domain::records::{AssignmentSummary, TechnicianChoice};
use crate::domain::task_status::{can_assign_technicians, TaskRole, TaskStatus};
use crate::domain::task_work::check_planned_date;
use crate::events::{Change, Topic};
use crate::services::auth::{new_token, Actor};
use crate::services::team::accreditations_of;
use crate::services::Context;
use crate::services::ServiceError;
use chrono::NaiveDate;
use sqlx::FromRow;
use std::collections::{BTreeMap, HashMap, HashSet};

/// At most this many tasks in one assignment: a filter matching more is narrowed first. The
/// dashboard counts exactly as far, so "select all matching" is offered only when it can be done.
pub const MAX_TASKS: usize = crate::domain::task_count::COUNT_LIMIT as usize;

/// How long the sign-in link in an assignment email lasts: long enough to be read on the day
/// after, single use like every link.
const LINK_LIFETIME_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// What to change on a selection of the office's tasks.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assignment {
    pub task_ids: Vec<i64>,
    pub technician_ids: Vec<i64>,
    pub scheduled_date: Option<NaiveDate>,
}

#[derive(FromRow)]
struct TaskRow {
    id: i64,
    reference: String,
    title: String,
    status: String,
    archived_at: Option<i64>,
    due_date: Option<String>,
    scheduled_date: Option<String>,
    address_line1: String,
    town: String,
}

#[derive(FromRow)]
struct TechnicianRow {
    id: i64,
    name: String,
    email: String,
}

/// The selection checked against the office, the lifecycle and the technicians' company.
struct Checked {
    tasks: Vec<TaskRow>,
    technicians: Vec<TechnicianRow>,
    /// Per task, the required types (id, name) of its technicians.
    required: HashMap<i64, Vec<(i64, String)>>,
    held: HashMap<i64, Vec<Accreditation>>,
    today: NaiveDate,
    format: DateFormat,
    scheduled_date: Option<NaiveDate>,
}

/// Distinct ids in the order given.
fn distinct(ids: &[i64]) -> Vec<i64> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

async fn required_types(
    conn: &mut sqlx::AnyConnection,
    task_ids: &[i64],
) -> Result<HashMap<i64, Vec<(i64, String)>>, ServiceError> {
    let rows: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT r.task_id, c.id, c.name FROM task_required_types r \
         JOIN certificate_types c ON c.id = r.certificate_type_id \
         WHERE r.task_id IN ({}) ORDER BY lower(c.name), c.id",
        id_list(task_ids)
    ))
    .fetch_all(conn)
    .await?;
    let mut by_task: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (task, id, name) in rows {
        by_task.entry(task).or_default().push((id, name));
    }
    Ok(by_task)
}

/// Loads and checks the selection: every task must be the office's own and open for
/// assignment, every technician the office's own and active. Anything else is refused whole.
async fn check(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    assignment: &Assignment,
    today: NaiveDate,
    format: DateFormat,
) -> Result<Checked, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let task_ids = distinct(&assignment.task_ids);
    if task_ids.is_empty() {
        return Err(ServiceError::invalid("tasks", "Select at least one task."));
    }
    if task_ids.len() > MAX_TASKS {
        return Err(ServiceError::invalid(
            "tasks",
            format!(
                "Select at most {MAX_TASKS} tasks at a time ({} selected). Narrow the filter.",
                task_ids.len()
            ),
        ));
    }
    let technician_ids = distinct(&assignment.technician_ids);
    if technician_ids.is_empty() && assignment.scheduled_date.is_none() {
        return Err(ServiceError::invalid(
            "technicians",
            "Choose technicians, a scheduled date, or both.",
        ));
    }
    check_planned_date(assignment.scheduled_date, today)
        .map_err(|e| ServiceError::invalid("scheduled_date", e.to_string()))?;
    let mut tasks: Vec<TaskRow> = sqlx::query_as(&format!(
        "SELECT t.id, t.reference, t.title, t.status, t.archived_at, t.due_date, \
         t.scheduled_date, p.address_line1, p.town \
         FROM tasks t JOIN properties p ON p.id = t.property_id \
         WHERE t.agency_id = $1 AND t.contractor_id = $2 AND t.id IN ({})",
        id_list(&task_ids)
    ))
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(&mut *conn)
    .await?;
    if tasks.len() != task_ids.len() {
        return Err(ServiceError::NotFound("task"));
    }
    tasks.sort_by(|a, b| a.reference.cmp(&b.reference));
    let closed: Vec<&str> = tasks
        .iter()
        .filter(|t| {
            t.archived_at.is_some()
                || !TaskStatus::parse(&t.status).is_some_and(can_assign_technicians)
        })
        .map(|t| t.reference.as_str())
        .collect();
    if !closed.is_empty() {
        return Err(ServiceError::Refused(format!(
            "Technicians and dates can only change on tasks not yet performed. Remove {} from the selection.",
            closed.join(", ")
        )));
    }
    let technicians: Vec<TechnicianRow> = if technician_ids.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(&format!(
            "SELECT id, name, email FROM users WHERE agency_id = $1 AND contractor_id = $2 \
             AND kind = 'technician' AND active = 1 AND id IN ({}) ORDER BY name, id",
            id_list(&technician_ids)
        ))
        .bind(actor.agency_id)
        .bind(contractor_id)
        .fetch_all(&mut *conn)
        .await?
    };
    if technicians.len() != technician_ids.len() {
        return Err(ServiceError::NotFound("technician"));
    }
    let required = required_types(conn, &task_ids).await?;
    let held = accreditations_of(conn, actor.agency_id, &technician_ids).await?;
    Ok(Checked {
        tasks,
        technicians,
        required,
        held,
        today,
        format,
        scheduled_date: assignment.scheduled_date,
    })
}

/// A new task-technician pair and what the technician lacks for that task.
struct NewPair<'a> {
    task: &'a TaskRow,
    technician: &'a TechnicianRow,
    gaps: Vec<String>,
}

/// The pairs not yet assigned, and the summary the office confirms.
async fn plan<'a>(
    conn: &mut sqlx::AnyConnection,
    checked: &'a Checked,
) -> Result<(Vec<NewPair<'a>>, AssignmentSummary), ServiceError> {
    let ids: Vec<i64> = checked.tasks.iter().map(|t| t.id).collect();
    let existing: HashSet<(i64, i64)> = sqlx::query_as::<_, (i64, i64)>(&format!(
        "SELECT task_id, technician_id FROM task_technicians WHERE task_id IN ({})",
        id_list(&ids)
    ))
    .fetch_all(conn)
    .await?
    .into_iter()
    .collect();
    let mut pairs = Vec::new();
    let mut warnings = Vec::new();
    for technician in &checked.technicians {
        let held = checked
            .held
            .get(&technician.id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut all_gaps = Vec::new();
        let mut tasks_with_gaps = 0;
        for task in &checked.tasks {
            let required = checked
                .required
                .get(&task.id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let task_gaps = gaps(required, held, checked.today);
            if !task_gaps.is_empty() {
                tasks_with_gaps += 1;
            }
            if !existing.contains(&(task.id, technician.id)) {
                pairs.push(NewPair {
                    task,
                    technician,
                    gaps: describe_all(&task_gaps, checked.format),
                });
            }
            all_gaps.extend(task_gaps);
        }
        if tasks_with_gaps > 0 {
            warnings.push(format!(
                "{} lacks {} on {} of the {} tasks",
                technician.name,
                describe_all(&all_gaps, checked.format).join(", "),
                tasks_with_gaps,
                checked.tasks.len()
            ));
        }
    }
    let rescheduled = match checked.scheduled_date {
        Some(date) => {
            let date = to_storage(date);
            checked
                .tasks
                .iter()
                .filter(|t| t.scheduled_date.as_deref() != Some(date.as_str()))
                .count()
        }
        None => 0,
    };
    let summary = AssignmentSummary {
        tasks: checked.tasks.len() as u32,
        new_assignments: pairs.len() as u32,
        rescheduled: rescheduled as u32,
        warnings,
        emails: 0,
    };
    Ok((pairs, summary))
}

/// What the assignment would change, for the office to confirm; nothing is written.
pub async fn preview(
    cx: &Context,
    actor: &Actor,
    assignment: &Assignment,
    now: i64,
) -> Result<AssignmentSummary, ServiceError> {
    let today = actor.today(now);
    let mut conn = cx.db.pool().acquire().await?;
    let checked = check(&mut conn, actor, assignment, today, actor.date_format).await?;
    let (_, summary) = plan(&mut conn, &checked).await?;
    Ok(summary)
}

/// Assigns and schedules in one transaction: all of it or, on any problem, none of it.
pub async fn assign(
    cx: &Context,
    actor: &Actor,
    assignment: &Assignment,
    now: i64,
) -> Result<AssignmentSummary, ServiceError> {
    let today = actor.today(now);
    let mut tx = cx.db.begin_write().await?;
    let summary = assign_in(&mut tx, actor, assignment, &cx.public_url, today, now).await?;
    tx.commit().await?;
    publish(&cx.db, actor, assignment).await;
    Ok(summary)
}

/// Tells open pages that these tasks changed: the task itself when there is one, otherwise
/// the dashboards re-read once for the whole selection.
pub(crate) async fn publish(db: &Db, actor: &Actor, assignment: &Assignment) {
    let task_id = match assignment.task_ids.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    db.publish(Change {
        agency_id: actor.agency_id,
        contractor_id: actor.contractor_id,
        topic: Topic::Task,
        task_id,
    })
    .await;
}

/// [`assign`] inside the caller's transaction (accepting with technicians uses it too).
pub(crate) async fn assign_in(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    assignment: &Assignment,
    public_url: &str,
    today: NaiveDate,
    now: i64,
) -> Result<AssignmentSummary, ServiceError> {
    let checked = check(tx, actor, assignment, today, actor.date_format).await?;
    let (pairs, mut summary) = plan(tx, &checked).await?;
    // Many rows per statement: a bulk assignment of hundreds of tasks stays one short transaction.
    for chunk in pairs.chunks(100) {
        let mut sql = String::from(
            "INSERT INTO task_technicians (task_id, technician_id, assigned_by, assigned_at, \
             accreditation_gaps) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            let n = i * 3;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, {}, {now}, ${})",
                n + 1,
                n + 2,
                actor.user_id,
                n + 3
            ));
        }
        let mut query = sqlx::query(&sql);
        for pair in chunk {
            let gaps = (!pair.gaps.is_empty()).then(|| pair.gaps.join(", "));
            query = query.bind(pair.task.id).bind(pair.technician.id).bind(gaps);
        }
        query.execute(&mut *tx).await?;
    }
    let ids: Vec<i64> = checked.tasks.iter().map(|t| t.id).collect();
    if let Some(date) = checked.scheduled_date {
        sqlx::query(&format!(
            "UPDATE tasks SET scheduled_date = $1, updated_at = $2 WHERE id IN ({})",
            id_list(&ids)
        ))
        .bind(to_storage(date))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    // The timeline of each task says who was added (and what they lacked) and the new date.
    let mut added: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for pair in &pairs {
        let who = if pair.gaps.is_empty() {
            pair.technician.name.clone()
        } else {
            format!("{} (lacks {})", pair.technician.name, pair.gaps.join(", "))
        };
        added.entry(pair.task.id).or_default().push(who);
    }
    for task in &checked.tasks {
        let mut parts = Vec::new();
        if let Some(names) = added.get(&task.id) {
            parts.push(names.join(", "));
        }
        if let Some(date) = checked.scheduled_date {
            parts.push(format!("scheduled {}", checked.format.format(date)));
        }
        if parts.is_empty() {
            continue;
        }
        let status = TaskStatus::parse(&task.status).unwrap_or(TaskStatus::Assigned);
        let reason = parts.join("; ");
        let event = super::access::TimelineEvent {
            task_id: task.id,
            action: "Assign",
            from: status,
            to: status,
            reason: Some(&reason),
        };
        super::access::add_to_timeline(tx, actor, event, now).await?;
    }
    summary.emails = email_technicians(tx, actor, &checked, &pairs, public_url, now).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "technicians_assigned",
        None,
        &format!(
            "{} task(s), {} new assignment(s){}",
            summary.tasks,
            summary.new_assignments,
            checked
                .scheduled_date
                .map(|d| format!(", scheduled {}", to_storage(d)))
                .unwrap_or_default()
        ),
        now,
    )
    .await?;
    Ok(summary)
}

/// One email per technician with new tasks, listing them all, with one sign-in link.
async fn email_technicians(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    checked: &Checked,
    pairs: &[NewPair<'_>],
    public_url: &str,
    now: i64,
) -> Result<u32, ServiceError> {
    let mut by_technician: BTreeMap<i64, Vec<&TaskRow>> = BTreeMap::new();
    for pair in pairs {
        by_technician
            .entry(pair.technician.id)
            .or_default()
            .push(pair.task);
    }
    let company = actor.company_name.as_deref().unwrap_or("Your office");
    let mut sent = 0;
    for technician in &checked.technicians {
        let Some(tasks) = by_technician.get(&technician.id) else {
            continue;
        };
        let lines: Vec<String> = tasks
            .iter()
            .map(|t| {
                let when = match (checked.scheduled_date, t.scheduled_date.as_deref()) {
                    (Some(date), _) => format!("scheduled {}", checked.format.format(date)),
                    (None, Some(date)) => from_storage(date)
                        .map(|d| format!("scheduled {}", checked.format.format(d)))
                        .unwrap_or_default(),
                    (None, None) => t
                        .due_date
                        .as_deref()
                        .and_then(from_storage)
                        .map(|d| format!("due {}", checked.format.format(d)))
                        .unwrap_or_else(|| "no date yet".into()),
                };
                format!(
                    "{} {}, {} {} ({when})",
                    t.reference, t.title, t.address_line1, t.town
                )
            })
            .collect();
        let (token, hash) = new_token();
        tokens::insert(
            &mut *tx,
            &hash,
            technician.id,
            LinkPurpose::SignIn.as_str(),
            now,
            now + LINK_LIFETIME_MS,
            "assignment",
        )
        .await?;
        let url = crate::services::auth::link_url(public_url, LinkPurpose::SignIn, &token);
        let email = crate::services::mail::technician_assigned(
            &technician.name,
            company,
            &actor.agency_name,
            &lines,
            &url,
            &describe_wait(LINK_LIFETIME_MS),
        );
        crate::services::mail::enqueue(
            tx,
            Some(actor.agency_id),
            &technician.email,
            &email,
            None,
            now,
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// The office's active technicians as a picker offers them for these tasks, each with what
/// they lack of the tasks' required accreditations.
pub async fn technician_choices(
    cx: &Context,
    actor: &Actor,
    task_ids: &[i64],
    now: i64,
) -> Result<Vec<TechnicianChoice>, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let task_ids = distinct(task_ids);
    if task_ids.len() > MAX_TASKS {
        return Err(ServiceError::invalid(
            "tasks",
            format!("Select at most {MAX_TASKS} tasks at a time."),
        ));
    }
    let today = actor.today(now);
    let mut conn = cx.db.pool().acquire().await?;
    let own: Vec<i64> = if task_ids.is_empty() {
        Vec::new()
    } else {
        sqlx::query_scalar(&format!(
            "SELECT id FROM tasks WHERE agency_id = $1 AND contractor_id = $2 AND id IN ({})",
            id_list(&task_ids)
        ))
        .bind(actor.agency_id)
        .bind(contractor_id)
        .fetch_all(&mut *conn)
        .await?
    };
    if own.len() != task_ids.len() {
        return Err(ServiceError::NotFound("task"));
    }
    let technicians: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM users WHERE agency_id = $1 AND contractor_id = $2 \
         AND kind = 'technician' AND active = 1 ORDER BY lower(name), id",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(&mut *conn)
    .await?;
    let required = if own.is_empty() {
        HashMap::new()
    } else {
        required_types(&mut conn, &own).await?
    };
    let ids: Vec<i64> = technicians.iter().map(|(id, _)| *id).collect();
    let held = accreditations_of(&mut conn, actor.agency_id, &ids).await?;
    Ok(technicians
        .into_iter()
        .map(|(id, name)| {
            let held = held.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            let mut all = Vec::new();
            let mut tasks_with_gaps = 0;
            for task in &own {
                let task_gaps = gaps(
                    required.get(task).map(Vec::as_slice).unwrap_or(&[]),
                    held,
                    today,
                );
                if !task_gaps.is_empty() {
                    tasks_with_gaps += 1;
                }
                all.extend(task_gaps);
            }
            TechnicianChoice {
                id,
                name,
                gaps: describe_all(&all, actor.date_format),
                tasks_with_gaps,
            }
        })
        .collect())
}

/// The office takes a technician off a task it has accepted (to give it to someone else): the
/// task leaves their Tech view, and what their phone sends for it afterwards is refused as not
/// theirs. The task's other technicians, its results and its timeline stay.
pub async fn take_off(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    technician_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    let access = TaskAccess::load(&cx.db, actor, task_id).await?;
    if access.role != TaskRole::Office {
        return Err(ServiceError::Forbidden(
            "only the contractor's office takes technicians off its tasks",
        ));
    }
    if access.archived || !can_assign_technicians(access.status) {
        return Err(ServiceError::Refused(format!(
            "Technicians are changed while a task is accepted or in progress; this one is {}.",
            access.status.label()
        )));
    }
    let mut tx = cx.db.begin_write().await?;
    let name: Option<String> = sqlx::query_scalar(
        "SELECT u.name FROM task_technicians tt JOIN users u ON u.id = tt.technician_id \
         WHERE tt.task_id = $1 AND tt.technician_id = $2",
    )
    .bind(task_id)
    .bind(technician_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(name) = name else {
        return Err(ServiceError::NotFound("technician on this task"));
    };
    sqlx::query("DELETE FROM task_technicians WHERE task_id = $1 AND technician_id = $2")
        .bind(task_id)
        .bind(technician_id)
        .execute(&mut *tx)
        .await?;
    let event = TimelineEvent {
        task_id,
        action: "Technician taken off the task",
        from: access.status,
        to: access.status,
        reason: Some(&name),
    };
    add_to_timeline(&mut tx, actor, event, now).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "task_technician_taken_off",
        None,
        &format!("task {task_id}: {name}"),
        now,
    )
    .await?;
    tx.commit().await?;
    publish_task_change(
        &cx.db,
        actor.agency_id,
        access.contractor_id,
        task_id,
        Topic::Task,
    )
    .await;
    Ok(())
}
