//! Task lists for the Desk view and the Tech view.

use super::ApiError;
use crate::domain::records::TaskSummary;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::request, crate::services::tasks};

#[server(prefix = "/api", endpoint = "desk/tasks")]
pub async fn desk_tasks() -> Result<Vec<TaskSummary>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(tasks::desk_tasks(&context.db, &actor).await?)
}

#[server(prefix = "/api", endpoint = "tech/tasks")]
pub async fn technician_tasks() -> Result<Vec<TaskSummary>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(tasks::technician_tasks(&context.db, &actor).await?)
}
