//! The agency's settings.

use super::ApiError;
use crate::domain::records::AgencySettings;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request, crate::domain::dates::DateFormat, crate::services::agency,
    crate::services::auth::now,
};

#[server(prefix = "/api", endpoint = "agency/settings")]
pub async fn load_agency_settings() -> Result<AgencySettings, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(agency::settings(&context.db, &actor).await?)
}

#[server(prefix = "/api", endpoint = "agency/update_settings")]
pub async fn update_agency_settings(
    name: String,
    time_zone: String,
    date_format: String,
    expiring_soon_days: i64,
    // Checkboxes: sent ("on") only when ticked.
    #[server(default)] email_description: Option<String>,
    #[server(default)] email_access_details: Option<String>,
    #[server(default)] email_purchase_order: Option<String>,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    let date_format = DateFormat::from_pattern(&date_format).map_err(|e| ApiError::Invalid {
        field: "date_format".into(),
        message: e.to_string(),
    })?;
    let input = AgencySettings {
        name,
        time_zone,
        date_format,
        expiring_soon_days,
        email_description: email_description.is_some(),
        email_access_details: email_access_details.is_some(),
        email_purchase_order: email_purchase_order.is_some(),
    };
    Ok(agency::update_settings(&context.db, &actor, input, now()).await?)
}
