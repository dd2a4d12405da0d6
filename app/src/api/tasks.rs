//! Task lists for the Desk view and the Tech view, and instructing works.

use super::ApiError;
use crate::domain::records::{
    InstructChoices, InstructOutcome, MessageEntry, TaskDetail, TaskListPage,
};
use crate::domain::service_tasks::Outcome;
use crate::domain::task_list::TaskColumn;
use crate::domain::task_status::{TaskAction, TaskStatus};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{date_field, id_list, request},
    crate::domain::service_tasks::parse_service_tasks,
    crate::domain::task_list::TaskFilter,
    crate::services::auth::now,
    crate::services::task_list,
    crate::services::tasks::{self, service_work, work},
};

/// The task dashboard: `query` is the page's query string (filters, sort, page).
#[server(prefix = "/rpc", endpoint = "tasks/list")]
pub async fn list_tasks(#[server(default)] query: String) -> Result<TaskListPage, ApiError> {
    let (context, actor) = request::actor().await?;
    let filter = TaskFilter::from_query_string(&query);
    Ok(task_list::task_list(&context, &actor, &filter).await?)
}

/// The technicians the dashboard's filter offers (the office's; none for agents).
#[server(prefix = "/rpc", endpoint = "tasks/board_technicians")]
pub async fn board_technicians() -> Result<Vec<(i64, String)>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(task_list::board_technicians(&context, &actor).await?)
}

/// Remembers the dashboard's columns for this person: `columns` names them, comma-separated.
#[server(prefix = "/rpc", endpoint = "tasks/columns")]
pub async fn save_task_columns(
    #[server(default)] columns: String,
) -> Result<Vec<TaskColumn>, ApiError> {
    let (context, actor) = request::actor().await?;
    let chosen = TaskColumn::parse_choice(Some(&columns));
    Ok(task_list::save_columns(&context, &actor, &chosen).await?)
}

#[server(prefix = "/rpc", endpoint = "tech/tasks")]
pub async fn technician_tasks() -> Result<crate::domain::records::TechTasks, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(tasks::technician_tasks(&context, &actor).await?)
}

#[server(prefix = "/rpc", endpoint = "tasks/instruct_choices")]
pub async fn load_instruct_choices() -> Result<InstructChoices, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(tasks::instruct_choices(&context, &actor, now()).await?)
}

/// The "Instruct works" form, sent as `works[field]` so the server function takes one argument.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct WorksForm {
    pub property_id: i64,
    pub contractor_id: i64,
    pub title: String,
    pub description: Option<String>,
    /// `YYYY-MM-DD` from the date field; empty is none.
    pub due_date: Option<String>,
    pub priority: String,
    pub purchase_order: Option<String>,
    pub override_reason: Option<String>,
    /// One per line; "(reading)" at the end of a line expects a reading.
    #[serde(default)]
    pub service_tasks: Option<String>,
    /// Ids of the certificate types required of the technicians, comma-separated.
    #[serde(default)]
    pub required_types: Option<String>,
    /// The kind of work's id; empty is none (every requirement is judged).
    #[serde(default)]
    pub work_kind: Option<String>,
}

/// Sends works to a contractor; a red contractor answers `Blocked` unless overridden with a reason.
#[server(prefix = "/rpc", endpoint = "tasks/instruct")]
pub async fn instruct_works(works: WorksForm) -> Result<InstructOutcome, ApiError> {
    let (context, actor) = request::actor().await?;
    let due_date = date_field("due_date", works.due_date.as_deref())?;
    let service_tasks =
        parse_service_tasks(works.service_tasks.as_deref().unwrap_or("")).map_err(|e| {
            ApiError::Invalid {
                field: "service_tasks".into(),
                message: e.to_string(),
            }
        })?;
    let task = tasks::NewTask {
        property_id: works.property_id,
        contractor_id: works.contractor_id,
        title: works.title,
        description: works.description,
        due_date,
        priority: works.priority,
        purchase_order: works.purchase_order,
        override_reason: works.override_reason,
        service_tasks,
        required_type_ids: id_list("required_types", works.required_types.as_deref())?,
        work_kind_id: id_list("work_kind", works.work_kind.as_deref())?
            .into_iter()
            .next(),
    };
    Ok(tasks::instruct(&context, &actor, task, now()).await?)
}

/// The compliance verdict on a contractor for the works being written, before they are sent:
/// `work_kind` and `due_date` as the form's fields give them (empty is none).
#[server(prefix = "/rpc", endpoint = "tasks/instruct_check")]
pub async fn check_works(
    contractor_id: i64,
    #[server(default)] work_kind: Option<String>,
    #[server(default)] due_date: Option<String>,
) -> Result<crate::domain::records::WorkCheck, ApiError> {
    let (context, actor) = request::actor().await?;
    let work = crate::services::compliance::WorkToJudge {
        work_kind_id: id_list("work_kind", work_kind.as_deref())?
            .into_iter()
            .next(),
        day: date_field("due_date", due_date.as_deref())?,
    };
    Ok(tasks::instruct_check(&context, &actor, contractor_id, work, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "tasks/detail")]
pub async fn load_task(task_id: i64) -> Result<TaskDetail, ApiError> {
    request::read_once(format!("tasks/detail/{task_id}"), || async move {
        let (context, actor) = request::actor().await?;
        let mut task = tasks::task_detail(&context, &actor, task_id, now()).await?;
        if task.report_available {
            task.report_versions =
                crate::services::tasks::report::versions_of_task(&context, &actor, &task).await?;
        }
        Ok(task)
    })
    .await
}

/// Moves a task on: accept, reject, on site, revisit, performed, complete, approve, send back.
#[server(prefix = "/rpc", endpoint = "tasks/act")]
pub async fn act_on_task(
    task_id: i64,
    action: TaskAction,
    reason: Option<String>,
) -> Result<TaskStatus, ApiError> {
    let (context, actor) = request::actor().await?;
    let acted = request::acted_at().await;
    Ok(tasks::act(&context, &actor, task_id, action, reason.as_deref(), acted).await?)
}

/// The contractor's office accepts a task, optionally with the date it plans to be on site and
/// the technicians who will go.
#[server(prefix = "/rpc", endpoint = "tasks/accept")]
pub async fn accept_task(
    task_id: i64,
    #[server(default)] planned_date: Option<String>,
    #[server(default)] technician_ids: Vec<i64>,
) -> Result<TaskStatus, ApiError> {
    let (context, actor) = request::actor().await?;
    let planned = date_field("planned_date", planned_date.as_deref())?;
    Ok(tasks::accept(&context, &actor, task_id, planned, &technician_ids, now()).await?)
}

/// A message in the task's chat; the other side is emailed.
#[server(prefix = "/rpc", endpoint = "tasks/message")]
pub async fn send_task_message(task_id: i64, body: String) -> Result<i64, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(work::post_message(&context, &actor, task_id, &body, now()).await?)
}

/// The task's chat, oldest first.
#[server(prefix = "/rpc", endpoint = "tasks/messages")]
pub async fn load_task_messages(task_id: i64) -> Result<Vec<MessageEntry>, ApiError> {
    request::read_once(format!("tasks/messages/{task_id}"), || async move {
        let (context, actor) = request::actor().await?;
        Ok(work::task_messages(&context, &actor, task_id).await?)
    })
    .await
}

/// Records a service task's result from the Desk or Tech view.
#[server(prefix = "/rpc", endpoint = "tasks/result")]
pub async fn record_service_result(
    service_task_id: i64,
    outcome: Outcome,
    reading: Option<String>,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(service_work::record_result(
        &context,
        &actor,
        service_task_id,
        outcome,
        reading.as_deref(),
        request::acted_at().await,
    )
    .await?)
}

/// "I've performed this work": notes and signatures drawn on the pad.
#[server(prefix = "/rpc", endpoint = "tasks/perform")]
pub async fn perform_work(
    work: crate::domain::records::PerformForm,
) -> Result<TaskStatus, ApiError> {
    use crate::domain::signature::Drawing;
    use crate::services::tasks::perform::{perform_on_site, PerformedWork, Signed};
    let (context, actor) = request::actor().await?;
    let strokes = |field: &str, json: &str| -> Result<Drawing, ApiError> {
        serde_json::from_str(json).map_err(|_| ApiError::Invalid {
            field: field.into(),
            message: "The signature could not be read. Clear it and sign again.".into(),
        })
    };
    let signer = Signed {
        name: work.signer_name,
        drawing: strokes("signature", &work.signature)?,
    };
    // The client signs only when they drew something or gave their name.
    let client = if work.client_signature.trim().is_empty() && work.client_name.trim().is_empty() {
        None
    } else {
        Some(Signed {
            name: work.client_name,
            drawing: if work.client_signature.trim().is_empty() {
                Drawing::default()
            } else {
                strokes("client_signature", &work.client_signature)?
            },
        })
    };
    let performed = PerformedWork {
        notes: work.notes,
        signer,
        client,
    };
    let acted = request::acted_at().await;
    let status = perform_on_site(&context, &actor, work.task_id, performed, acted).await?;
    crate::services::tasks::report::issue_in_background(context, actor, work.task_id);
    Ok(status)
}

/// The agency archives a finished task.
#[server(prefix = "/rpc", endpoint = "tasks/archive")]
pub async fn archive_task(task_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(tasks::archive(&context, &actor, task_id, now()).await?)
}
