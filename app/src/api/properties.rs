//! The agency's properties.

use super::ApiError;
use crate::domain::properties::PropertyDetails;
use crate::domain::records::PropertyRow;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::request, crate::services::auth::now, crate::services::properties};

#[server(prefix = "/rpc", endpoint = "properties/list")]
pub async fn list_properties() -> Result<Vec<PropertyRow>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(properties::list(&context, &actor).await?)
}

/// Adds a property, or corrects one when `id` is given; the form sends `property[field]`.
#[server(prefix = "/rpc", endpoint = "properties/save")]
pub async fn save_property(
    #[server(default)] id: Option<i64>,
    property: PropertyDetails,
) -> Result<i64, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(properties::save(&context, &actor, id, &property, now()).await?)
}
