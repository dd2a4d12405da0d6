//! The contractor's team, and assigning technicians to tasks (one or many).

use super::ApiError;
use crate::domain::records::{
    AssignmentRequest, AssignmentSummary, Team, TechnicianChoice, TechnicianDetails,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::domain::task_list::TaskFilter,
    crate::services::auth::{now, Actor},
    crate::services::tasks::assignment::{self, Assignment, MAX_TASKS},
    crate::services::{task_list, team},
};

#[server(prefix = "/rpc", endpoint = "team/list")]
pub async fn load_team() -> Result<Team, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(team::team(&context, &actor, now()).await?)
}

/// Adds a technician; the form sends `technician[name]`, `technician[email]`, `technician[mobile]`.
#[server(prefix = "/rpc", endpoint = "team/add")]
pub async fn add_technician(technician: TechnicianDetails) -> Result<i64, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(team::add_technician(&context, &actor, &technician, now()).await?)
}

/// Corrects a technician's name or mobile, or makes them inactive or active again.
#[server(prefix = "/rpc", endpoint = "team/update")]
pub async fn update_technician(
    technician_id: i64,
    name: String,
    #[server(default)] mobile: String,
    active: bool,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(team::update_technician(
        &context,
        &actor,
        technician_id,
        &name,
        &mobile,
        active,
        now(),
    )
    .await?)
}

/// The request's tasks: the ids given, or every task matching the dashboard filter.
#[cfg(feature = "ssr")]
async fn resolve(
    context: &crate::services::Context,
    actor: &Actor,
    request: AssignmentRequest,
) -> Result<Assignment, ApiError> {
    let task_ids = match &request.matching {
        Some(query) => {
            let filter = TaskFilter::from_query_string(query);
            task_list::matching_task_ids(context, actor, &filter, MAX_TASKS + 1).await?
        }
        None => request.task_ids,
    };
    let scheduled_date = super::date_field("scheduled_date", request.scheduled_date.as_deref())?;
    Ok(Assignment {
        task_ids,
        technician_ids: request.technician_ids,
        scheduled_date,
    })
}

/// What an assignment would change, and the accreditation gaps it would accept, before it is
/// confirmed.
#[server(prefix = "/rpc", endpoint = "tasks/assign_preview")]
pub async fn preview_assignment(request: AssignmentRequest) -> Result<AssignmentSummary, ApiError> {
    let (context, actor) = request::actor().await?;
    let assignment = resolve(&context, &actor, request).await?;
    Ok(assignment::preview(&context, &actor, &assignment, now()).await?)
}

/// Assigns technicians and/or a scheduled date to the tasks, all or nothing.
#[server(prefix = "/rpc", endpoint = "tasks/assign")]
pub async fn assign_technicians(request: AssignmentRequest) -> Result<AssignmentSummary, ApiError> {
    let (context, actor) = request::actor().await?;
    let assignment = resolve(&context, &actor, request).await?;
    Ok(assignment::assign(&context, &actor, &assignment, now()).await?)
}

/// Takes a technician off a task (to give it to someone else).
#[server(prefix = "/rpc", endpoint = "tasks/take_off")]
pub async fn take_technician_off(task_id: i64, technician_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(assignment::take_off(&context, &actor, task_id, technician_id, now()).await?)
}

/// The office's technicians with what each lacks of the selected tasks' requirements.
#[server(prefix = "/rpc", endpoint = "tasks/technician_choices")]
pub async fn technician_choices(
    request: AssignmentRequest,
) -> Result<Vec<TechnicianChoice>, ApiError> {
    let (context, actor) = request::actor().await?;
    let assignment = resolve(&context, &actor, request).await?;
    Ok(assignment::technician_choices(&context, &actor, &assignment.task_ids, now()).await?)
}
