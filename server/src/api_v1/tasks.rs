//! `/api/v1/tasks` and `/api/v1/properties`: the task dashboard's list and filters, one task
//! with its timeline, and instructing works under the same compliance rule as the page.

use super::caller::Caller;
use super::page::{DEFAULT_LIMIT, MAX_LIMIT};
use super::problem::{BodyRefusals, Json, Path, Problem, Query, Refusals};
use app::domain::api_keys::Scope;
use app::domain::records::{InstructOutcome, TaskSummary};
use app::domain::task_list::TaskFilter;
use app::domain::task_status::TaskStatus;
use app::services::tasks::instruct::{self, NewTask};
use app::services::{auth, properties, task_list, tasks, Context};
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = TaskStatus)]
pub enum Status {
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

impl Status {
    fn task_status(self) -> TaskStatus {
        TaskStatus::parse(self.name()).unwrap_or(TaskStatus::Draft)
    }

    fn name(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Assigned => "assigned",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::InProgress => "in_progress",
            Status::Revisit => "revisit",
            Status::PerformedNeedDocs => "performed_need_docs",
            Status::Performed => "performed",
            Status::Completed => "completed",
        }
    }

    fn of(status: TaskStatus) -> Status {
        [
            Status::Draft,
            Status::Assigned,
            Status::Accepted,
            Status::Rejected,
            Status::InProgress,
            Status::Revisit,
            Status::PerformedNeedDocs,
            Status::Performed,
            Status::Completed,
        ]
        .into_iter()
        .find(|s| s.name() == status.as_str())
        .unwrap_or(Status::Draft)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    fn name(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Task {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub status: Status,
    /// low, normal, high or urgent.
    pub priority: String,
    pub due_date: Option<NaiveDate>,
    pub scheduled_date: Option<NaiveDate>,
    pub address: String,
    pub archived: bool,
    pub contractor: Option<String>,
    pub technicians: Vec<String>,
    /// Work still to do past its due date, in the agency's calendar.
    pub overdue: bool,
}

impl From<TaskSummary> for Task {
    fn from(t: TaskSummary) -> Self {
        Task {
            id: t.id,
            reference: t.reference,
            title: t.title,
            status: Status::of(t.status),
            priority: t.priority,
            due_date: t.due_date,
            scheduled_date: t.scheduled_date,
            address: t.address,
            archived: t.archived,
            contractor: t.contractor,
            technicians: t.technicians,
            overdue: t.overdue,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub data: Vec<Task>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    pub status: Option<Status>,
    /// Due on or after this date.
    pub due_from: Option<NaiveDate>,
    /// Due on or before this date.
    pub due_to: Option<NaiveDate>,
    /// Part of the property's address or postcode.
    pub property: Option<String>,
    /// Part of the reference, title or address.
    pub q: Option<String>,
    /// true: only archived tasks; false: only those not archived; absent: both.
    pub archived: Option<bool>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Items a page, 1 to 100 (50 when absent).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// Tasks matching the task dashboard's filters, in id order.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks",
    params(TaskQuery),
    responses(
        (status = 200, description = "A page of tasks", body = TaskPage),
        Refusals,
    ))]
pub async fn list(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Query(query): Query<TaskQuery>,
) -> Result<Json<TaskPage>, Problem> {
    caller.require(Scope::TasksRead)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(Problem::field(
            StatusCode::BAD_REQUEST,
            "limit",
            format!("Ask for 1 to {MAX_LIMIT} items a page."),
        ));
    }
    let after = match query.cursor.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            Problem::field(
                StatusCode::BAD_REQUEST,
                "cursor",
                "Use the next_cursor of the previous page, unchanged.",
            )
        })?),
    };
    let short = |text: Option<String>| {
        text.map(|t| t.trim().chars().take(100).collect::<String>())
            .filter(|t| !t.is_empty())
    };
    let filter = TaskFilter {
        status: query.status.map(Status::task_status),
        due_from: query.due_from,
        due_to: query.due_to,
        property: short(query.property),
        text: short(query.q),
        archived: query.archived,
        ..TaskFilter::default()
    };
    let (rows, more) = task_list::tasks_after(&cx, &caller.actor, &filter, after, limit).await?;
    let next_cursor = more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Json(TaskPage {
        data: rows.into_iter().map(Task::from).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// When, as the agency writes dates and times.
    pub when: String,
    pub who: String,
    pub what: String,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetail {
    #[serde(flatten)]
    pub task: Task,
    pub description: Option<String>,
    pub purchase_order: Option<String>,
    pub work_kind: Option<String>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The service report PDF exists (from "I've performed this work" on).
    pub report_available: bool,
}

/// One task with its timeline.
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "The task's id")),
    responses(
        (status = 200, description = "The task", body = TaskDetail),
        Refusals,
    ))]
pub async fn get(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<Json<TaskDetail>, Problem> {
    caller.require(Scope::TasksRead)?;
    let detail = tasks::detail::task_detail(&cx, &caller.actor, id, auth::now()).await?;
    Ok(Json(TaskDetail {
        task: detail.summary.into(),
        description: detail.description,
        purchase_order: detail.purchase_order,
        work_kind: detail.work_kind,
        timeline: detail
            .timeline
            .into_iter()
            .map(|e| TimelineEntry {
                when: e.when,
                who: e.who,
                what: e.what,
                reason: e.reason,
            })
            .collect(),
        report_available: detail.report_available,
    }))
}

/// The task's service report, the PDF the contractor's office and the agency download (it
/// carries its verification code).
#[utoipa::path(get, path = "/api/v1/tasks/{id}/report", tag = "tasks",
    params(("id" = i64, Path, description = "The task's id")),
    responses(
        (status = 200, description = "The service report", content_type = "application/pdf", body = Vec<u8>),
        (status = 409, description = "The work is not performed yet, so there is no report", body = Problem, content_type = "application/problem+json"),
        Refusals,
    ))]
pub async fn report(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, Problem> {
    use axum::http::header;
    use axum::response::IntoResponse;
    caller.require(Scope::TasksRead)?;
    let (name, bytes) = tasks::report::service_report(&cx, &caller.actor, id, auth::now()).await?;
    let disposition = format!("attachment; filename=\"{}\"", name.replace(['"', '\\'], ""));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewWorks {
    pub property_id: i64,
    pub contractor_id: i64,
    /// At most 200 characters.
    pub title: String,
    pub description: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub priority: Priority,
    /// At most 50 characters.
    pub purchase_order: Option<String>,
    /// The kind of work: the contractor is judged on that kind's certificate types only.
    pub work_kind_id: Option<i64>,
    /// To instruct a contractor who is not compliant anyway: why. Only for keys whose maker may
    /// override compliance.
    pub override_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Instructed {
    pub id: i64,
    pub reference: String,
    /// The compliance block was overridden (with the reason, in the audit log).
    pub overridden: bool,
}

/// Instructs works to a contractor, as "Instruct works" does: refused with 409 and the
/// certificates at fault when the contractor is not compliant, unless overridden.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks",
    request_body = NewWorks,
    responses(
        (status = 201, description = "The task, assigned to the contractor", body = Instructed),
        (status = 409, description = "Nothing was instructed: the contractor is not compliant for this work (`certificates_at_fault`, `can_override`)", body = Problem, content_type = "application/problem+json"),
        Refusals,
        BodyRefusals,
    ))]
pub async fn instruct(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Json(works): Json<NewWorks>,
) -> Result<(StatusCode, Json<Instructed>), Problem> {
    caller.require(Scope::TasksWrite)?;
    let task = NewTask {
        property_id: works.property_id,
        contractor_id: works.contractor_id,
        title: works.title,
        description: works.description,
        due_date: works.due_date,
        priority: works.priority.name().to_string(),
        purchase_order: works.purchase_order,
        override_reason: works.override_reason,
        service_tasks: Vec::new(),
        required_type_ids: Vec::new(),
        work_kind_id: works.work_kind_id,
    };
    match instruct::instruct(&cx, &caller.actor, task, auth::now()).await? {
        InstructOutcome::Instructed {
            task_id,
            reference,
            overridden,
        } => Ok((
            StatusCode::CREATED,
            Json(Instructed {
                id: task_id,
                reference,
                overridden,
            }),
        )),
        InstructOutcome::Blocked {
            company_name,
            problems,
            can_override,
            ..
        } => Err(Problem {
            certificates_at_fault: Some(problems.into()),
            can_override: Some(can_override),
            ..Problem::new(
                StatusCode::CONFLICT,
                format!("Nothing was instructed: {company_name} is not compliant for this work."),
            )
        }),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Property {
    pub id: i64,
    pub address_line1: String,
    pub address_line2: String,
    pub town: String,
    pub postcode: String,
    /// Tasks on it not completed, rejected or archived.
    pub open_tasks: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PropertyList {
    pub data: Vec<Property>,
}

/// The agency's properties.
#[utoipa::path(get, path = "/api/v1/properties", tag = "tasks",
    responses(
        (status = 200, description = "Every property", body = PropertyList),
        Refusals,
    ))]
pub async fn properties(
    State(cx): State<Context>,
    Caller(caller): Caller,
) -> Result<Json<PropertyList>, Problem> {
    caller.require(Scope::TasksRead)?;
    let data = properties::list(&cx, &caller.actor)
        .await?
        .into_iter()
        .map(|p| Property {
            id: p.id,
            address_line1: p.details.address_line1,
            address_line2: p.details.address_line2,
            town: p.details.town,
            postcode: p.details.postcode,
            open_tasks: p.open_tasks,
        })
        .collect();
    Ok(Json(PropertyList { data }))
}
