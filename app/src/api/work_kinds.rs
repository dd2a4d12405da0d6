//! Kinds of work (requirement profiles): the agency's list, adding and changing one, removing
//! one, and the kinds a contractor has.

use super::ApiError;
use crate::domain::records::WorkKindRow;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{id_list, request},
    crate::services::auth::now,
    crate::services::work_kinds,
};

#[server(prefix = "/rpc", endpoint = "work_kinds/list")]
pub async fn list_work_kinds() -> Result<Vec<WorkKindRow>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(work_kinds::list(&context, &actor).await?)
}

/// Adds a kind of work (`id` empty) or changes one; `certificate_types` is a comma-separated list
/// of type ids.
#[server(prefix = "/rpc", endpoint = "work_kinds/save")]
pub async fn save_work_kind(
    #[server(default)] id: Option<String>,
    name: String,
    #[server(default)] certificate_types: Option<String>,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    let kind = work_kinds::KindOfWork {
        name,
        certificate_type_ids: id_list("certificate_types", certificate_types.as_deref())?,
    };
    let id = id_list("work_kind", id.as_deref())?.into_iter().next();
    work_kinds::save(&context, &actor, id, &kind, now()).await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "work_kinds/delete")]
pub async fn delete_work_kind(id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(work_kinds::delete(&context, &actor, id, now()).await?)
}

/// The ids of the kinds of work a contractor has.
#[server(prefix = "/rpc", endpoint = "work_kinds/contractor")]
pub async fn contractor_work_kinds(contractor_id: i64) -> Result<Vec<i64>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(work_kinds::contractor_kinds(&context, &actor, contractor_id).await?)
}

/// Gives a contractor exactly these kinds of work (comma-separated ids), requesting the
/// certificate types they need that it was not yet asked for.
#[server(prefix = "/rpc", endpoint = "work_kinds/set_contractor")]
pub async fn set_contractor_work_kinds(
    contractor_id: i64,
    #[server(default)] kinds: Option<String>,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    let kinds = id_list("work_kinds", kinds.as_deref())?;
    Ok(work_kinds::set_contractor_kinds(&context, &actor, contractor_id, &kinds, now()).await?)
}
