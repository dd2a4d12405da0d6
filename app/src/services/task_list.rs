//! The task dashboard: an agency's tasks (agents) or one contractor's tasks from the agency (the
//! Desk view), filtered, sorted and paged by the database, with each person's chosen columns.

use super::auth::Actor;
use super::tasks::access::{TaskRow, TASK_COLUMNS, TASK_FROM};
use super::ServiceError;
use crate::db::Db;
use crate::domain::dates::to_storage;
use crate::domain::identity::UserKind;
use crate::domain::records::{TaskListPage, TaskSummary};
use crate::domain::task_count::TaskCount;
use crate::domain::task_list::{overdue, TaskColumn, TaskFilter, TaskSort, PAGE_SIZE};
use crate::services::task_counts::CountKey;
use crate::services::Context;
use std::collections::HashMap;

#[derive(Debug)]
enum Value {
    Text(String),
    Int(i64),
}

/// Conditions joined by AND, with their values numbered `$1`.. in order.
struct Where {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Where {
    /// Adds a condition whose `$n` stands for `value` (as often as it appears).
    fn push(&mut self, clause: &str, value: Value) {
        self.values.push(value);
        let n = format!("${}", self.values.len());
        self.clauses.push(clause.replace("$n", &n));
    }
}

/// The WHERE clause and its values for this viewer and filter.
fn conditions(actor: &Actor, filter: &TaskFilter) -> Result<(String, Vec<Value>), ServiceError> {
    let mut w = Where {
        clauses: Vec::new(),
        values: Vec::new(),
    };
    w.push("t.agency_id = $n", Value::Int(actor.agency_id));
    match actor.kind {
        UserKind::Agent => {}
        UserKind::Contractor => {
            let own = actor.require_contractor_office()?;
            w.push("t.contractor_id = $n", Value::Int(own));
            w.clauses.push("t.status <> 'draft'".into());
        }
        UserKind::Technician => {
            return Err(ServiceError::Forbidden(
                "technicians see their own tasks in the Tech view",
            ))
        }
    }
    if let Some(status) = filter.status {
        w.push("t.status = $n", Value::Text(status.as_str().into()));
    }
    if let Some(from) = filter.due_from {
        w.push("t.due_date >= $n", Value::Text(to_storage(from)));
    }
    if let Some(to) = filter.due_to {
        w.push("t.due_date <= $n", Value::Text(to_storage(to)));
    }
    // Lower-cased copies kept by triggers (migration 0012): no join, and the dashboard's
    // indexes hold `search_text`, so a count reads the index alone.
    if let Some(property) = &filter.property {
        w.push(
            "t.property_text LIKE $n ESCAPE '\\'",
            Value::Text(TaskFilter::like_pattern(property)),
        );
    }
    if let Some(technician) = filter.technician_id {
        w.push(
            // An IN list lets both engines start from the technician's index.
            "t.id IN (SELECT tt.task_id FROM task_technicians tt WHERE tt.technician_id = $n)",
            Value::Int(technician),
        );
    }
    if let Some(text) = &filter.text {
        w.push(
            "t.search_text LIKE $n ESCAPE '\\'",
            Value::Text(TaskFilter::like_pattern(text)),
        );
    }
    match filter.archived {
        Some(true) => w.clauses.push("t.archived_at IS NOT NULL".into()),
        Some(false) => w.clauses.push("t.archived_at IS NULL".into()),
        None => {}
    }
    Ok((w.clauses.join(" AND "), w.values))
}

/// The join the sort order needs: only sorting by address reads the property.
fn sort_join(filter: &TaskFilter) -> &'static str {
    match filter.sort {
        TaskSort::Property => "JOIN properties p ON p.id = t.property_id",
        _ => "",
    }
}

fn order_by(filter: &TaskFilter) -> String {
    let dir = if filter.descending { "DESC" } else { "ASC" };
    let column = match filter.sort {
        TaskSort::Due => format!("t.due_date IS NULL, t.due_date {dir}"),
        TaskSort::Scheduled => format!("t.scheduled_date IS NULL, t.scheduled_date {dir}"),
        TaskSort::Reference => format!("t.reference {dir}"),
        TaskSort::Title => format!("lower(t.title) {dir}"),
        TaskSort::Property => format!("lower(p.address_line1) {dir}"),
        TaskSort::Status => format!("t.status {dir}"),
        TaskSort::Priority => format!(
            "CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 \
             ELSE 3 END {dir}"
        ),
    };
    format!("{column}, t.id {dir}")
}

/// The contractor whose task version keeps this viewer's counts: an office's own; none for an
/// agent (the agency's lists are not kept).
fn counted_contractor(actor: &Actor) -> Option<i64> {
    match actor.kind {
        UserKind::Contractor => actor.contractor_id,
        _ => None,
    }
}

fn bind_all<'q, O>(
    mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    values: &'q [Value],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for value in values {
        query = match value {
            Value::Text(t) => query.bind(t.as_str()),
            Value::Int(i) => query.bind(*i),
        };
    }
    query
}

pub async fn task_list(
    cx: &Context,
    actor: &Actor,
    filter: &TaskFilter,
) -> Result<TaskListPage, ServiceError> {
    let (conditions, values) = conditions(actor, filter)?;
    let page = filter.page.max(1);
    let offset = i64::from(page - 1) * i64::from(PAGE_SIZE);
    // The person's columns, and for an office its tasks' version, read before the count
    // (services::task_counts).
    #[derive(sqlx::FromRow)]
    struct Viewing {
        task_columns: Option<String>,
        task_version: Option<i64>,
    }
    let viewing: Viewing = sqlx::query_as(
        "SELECT u.task_columns, c.task_version FROM users u \
         LEFT JOIN contractors c ON c.id = $2 AND c.agency_id = u.agency_id WHERE u.id = $1",
    )
    .bind(actor.user_id)
    .bind(counted_contractor(actor))
    .fetch_one(cx.db.pool())
    .await?;
    // The page's ids first, from the index where the order allows; then only their rows.
    let ids = ordered_ids(
        &cx.db,
        filter,
        &conditions,
        &values,
        PAGE_SIZE as usize,
        offset,
    )
    .await?;
    // A search that finds a few tasks tells its count by its page: the matching is not read
    // twice. Otherwise counted as far as anyone acts on (domain::task_count): a common word no
    // longer means reading every task of the status.
    let count = match TaskCount::from_page(offset as u64, ids.len(), PAGE_SIZE) {
        Some(count) => count,
        None => {
            let cap = TaskCount::rows_to_count(offset as u64);
            let query = format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM tasks t WHERE {conditions} LIMIT {cap}) \
                 AS matching"
            );
            let kept = match (counted_contractor(actor), viewing.task_version) {
                (Some(contractor_id), Some(version)) => Some((
                    CountKey {
                        contractor_id,
                        // The values written out (text quoted and escaped) after the statement.
                        query: format!("{query} {values:?}"),
                    },
                    version,
                )),
                _ => None,
            };
            let counted = match kept
                .as_ref()
                .and_then(|(key, version)| cx.task_counts.get(key, *version))
            {
                Some(counted) => counted,
                None => {
                    let (counted,): (i64,) = bind_all(sqlx::query_as(&query), &values)
                        .fetch_one(cx.db.pool())
                        .await?;
                    let counted = counted as u64;
                    if let Some((key, version)) = kept {
                        cx.task_counts.put(key, version, counted);
                    }
                    counted
                }
            };
            TaskCount::from_counted(counted, offset as u64)
        }
    };
    let rows = summaries(cx, actor, &ids).await?;
    let mut columns = TaskColumn::parse_choice(viewing.task_columns.as_deref());
    if actor.kind != UserKind::Agent {
        columns.retain(|c| *c != TaskColumn::Contractor);
    }
    Ok(TaskListPage {
        rows,
        count,
        page,
        page_size: PAGE_SIZE,
        columns,
    })
}

/// The rows of these tasks, in the order of `ids`, with whether each is overdue and its
/// technicians' names (one query each); the caller has checked the ids are the actor's to see.
async fn summaries(
    cx: &Context,
    actor: &Actor,
    ids: &[i64],
) -> Result<Vec<TaskSummary>, ServiceError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids_list = crate::db::id_list(ids);
    let found: Vec<TaskRow> = sqlx::query_as(&format!(
        "SELECT {TASK_COLUMNS} {TASK_FROM} WHERE t.id IN ({ids_list})"
    ))
    .fetch_all(cx.db.pool())
    .await?;
    let mut rows: Vec<TaskSummary> = found
        .into_iter()
        .filter_map(TaskRow::into_summary)
        .collect();
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    let today = actor.today(crate::db::now_ms());
    for row in &mut rows {
        row.overdue = overdue(row.status, row.due_date, row.archived, today);
    }
    // Names of the technicians on these tasks, in one query.
    let names: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT tt.task_id, u.name FROM task_technicians tt JOIN users u ON u.id = tt.technician_id \
         WHERE tt.task_id IN ({ids_list}) ORDER BY u.name"
    ))
    .fetch_all(cx.db.pool())
    .await?;
    let mut by_task: HashMap<i64, Vec<String>> = HashMap::new();
    for (task_id, name) in names {
        by_task.entry(task_id).or_default().push(name);
    }
    for row in &mut rows {
        row.technicians = by_task.remove(&row.id).unwrap_or_default();
    }
    Ok(rows)
}

/// The technicians the dashboard filters by: the office's own; none for anyone else.
pub async fn board_technicians(
    cx: &Context,
    actor: &Actor,
) -> Result<Vec<(i64, String)>, ServiceError> {
    let Some(company) = actor.contractor_id else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_as(
        "SELECT id, name FROM users WHERE contractor_id = $1 AND kind = 'technician' \
         AND agency_id = $2 ORDER BY name, id",
    )
    .bind(company)
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?)
}

/// The tasks matching the dashboard's filters (its sort and page are ignored), in id order after
/// `after_id`, at most `limit`, and whether more follow: the public API's pages, which stay
/// stable while tasks are added.
pub async fn tasks_after(
    cx: &Context,
    actor: &Actor,
    filter: &TaskFilter,
    after_id: Option<i64>,
    limit: u32,
) -> Result<(Vec<TaskSummary>, bool), ServiceError> {
    let (conditions, values) = conditions(actor, filter)?;
    let after = Value::Int(after_id.unwrap_or(i64::MIN));
    let placeholder = values.len() + 1;
    let mut values = values;
    values.push(after);
    let ids: Vec<(i64,)> = bind_all(
        sqlx::query_as(&format!(
            "SELECT t.id FROM tasks t WHERE {conditions} AND t.id > ${placeholder} \
             ORDER BY t.id LIMIT {}",
            i64::from(limit) + 1
        )),
        &values,
    )
    .fetch_all(cx.db.pool())
    .await?;
    let more = ids.len() > limit as usize;
    let ids: Vec<i64> = ids
        .into_iter()
        .take(limit as usize)
        .map(|(id,)| id)
        .collect();
    Ok((summaries(cx, actor, &ids).await?, more))
}

/// The ids of every task matching the filter (the dashboard's "select all matching"), in the
/// dashboard's order, at most `limit`.
pub async fn matching_task_ids(
    cx: &Context,
    actor: &Actor,
    filter: &TaskFilter,
    limit: usize,
) -> Result<Vec<i64>, ServiceError> {
    let (conditions, values) = conditions(actor, filter)?;
    ordered_ids(&cx.db, filter, &conditions, &values, limit, 0).await
}

/// The ids of the matching tasks in the dashboard's order, `limit` of them from `offset`.
async fn ordered_ids(
    db: &Db,
    filter: &TaskFilter,
    conditions: &str,
    values: &[Value],
    limit: usize,
    offset: i64,
) -> Result<Vec<i64>, ServiceError> {
    let sql = format!(
        "SELECT t.id FROM tasks t {} WHERE {conditions} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        sort_join(filter),
        order_by(filter)
    );
    let ids: Vec<(i64,)> = bind_all(sqlx::query_as(&sql), values)
        .fetch_all(db.pool())
        .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Remembers the columns this person shows on the task dashboard.
pub async fn save_columns(
    cx: &Context,
    actor: &Actor,
    columns: &[TaskColumn],
) -> Result<Vec<TaskColumn>, ServiceError> {
    let stored = TaskColumn::store_choice(columns);
    sqlx::query("UPDATE users SET task_columns = $1 WHERE id = $2")
        .bind(&stored)
        .bind(actor.user_id)
        .execute(cx.db.pool())
        .await?;
    Ok(TaskColumn::parse_choice(Some(&stored)))
}
