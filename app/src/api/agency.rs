//! The agency's settings.

use super::ApiError;
use crate::domain::records::AgencySettings;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request, crate::domain::dates::DateFormat, crate::services::agency,
    crate::services::auth::now,
};

#[server(prefix = "/rpc", endpoint = "agency/settings")]
pub async fn load_agency_settings() -> Result<AgencySettings, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(agency::settings(&context, &actor).await?)
}

/// The settings form, sent as `settings[field]` so the server function takes one argument.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct SettingsForm {
    pub name: String,
    pub time_zone: String,
    pub date_format: String,
    pub expiring_soon_days: i64,
    pub daily_reminder_hour: i64,
    // Checkboxes: sent ("on") only when ticked.
    #[serde(default)]
    pub email_description: Option<String>,
    #[serde(default)]
    pub email_access_details: Option<String>,
    #[serde(default)]
    pub email_purchase_order: Option<String>,
    pub chase_office_days: i64,
    pub chase_office_users_days: i64,
    pub chase_agency_days: i64,
    /// Empty: never suspend.
    #[serde(default)]
    pub suspend_after_days: String,
}

#[server(prefix = "/rpc", endpoint = "agency/update_settings")]
pub async fn update_agency_settings(settings: SettingsForm) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    let date_format =
        DateFormat::from_pattern(&settings.date_format).map_err(|e| ApiError::Invalid {
            field: "date_format".into(),
            message: e.to_string(),
        })?;
    let suspend_after_days = match settings.suspend_after_days.trim() {
        "" => None,
        days => Some(days.parse::<i64>().map_err(|_| ApiError::Invalid {
            field: "suspend_after_days".into(),
            message: "Enter a number of days, or leave it empty to never suspend.".into(),
        })?),
    };
    let input = AgencySettings {
        chasing: crate::domain::escalation::Ladder {
            office_days: settings.chase_office_days,
            office_users_days: settings.chase_office_users_days,
            agency_days: settings.chase_agency_days,
            suspend_days: suspend_after_days,
        },
        name: settings.name,
        time_zone: settings.time_zone,
        date_format,
        expiring_soon_days: settings.expiring_soon_days,
        daily_reminder_hour: settings.daily_reminder_hour,
        email_description: settings.email_description.is_some(),
        email_access_details: settings.email_access_details.is_some(),
        email_purchase_order: settings.email_purchase_order.is_some(),
    };
    Ok(agency::update_settings(&context, &actor, input, now()).await?)
}
