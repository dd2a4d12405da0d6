//! Contractor certification for agents.

use super::ApiError;
use crate::domain::records::ContractorRow;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request, crate::domain::compliance::TrafficLight, crate::services::auth::now,
    crate::services::compliance,
};

/// The agency's contractors with their traffic lights; `light` is `red`, `orange` or `green`.
#[server(prefix = "/api", endpoint = "contractors/list")]
pub async fn list_contractors(light: Option<String>) -> Result<Vec<ContractorRow>, ApiError> {
    let (context, actor) = request::actor().await?;
    let light = match light.as_deref().unwrap_or("") {
        "" => None,
        "red" => Some(TrafficLight::Red),
        "orange" => Some(TrafficLight::Orange),
        "green" => Some(TrafficLight::Green),
        other => {
            return Err(ApiError::Invalid {
                field: "light".into(),
                message: format!("\"{other}\" is not red, orange or green."),
            })
        }
    };
    Ok(compliance::contractor_list(&context.db, &actor, light, now()).await?)
}
