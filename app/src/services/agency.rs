//! The agency's settings: read by its agents, changed by its administrators.

use super::auth::Actor;
use super::ServiceError;
use crate::db::{audit, Db};
use crate::domain::dates::DateFormat;
use crate::domain::identity::{check_expiring_soon_days, Permission};
use crate::domain::records::AgencySettings;

pub async fn settings(db: &Db, actor: &Actor) -> Result<AgencySettings, ServiceError> {
    actor.require_agent()?;
    let (name, time_zone, date_format, expiring_soon_days): (String, String, String, i64) =
        sqlx::query_as(
            "SELECT name, time_zone, date_format, expiring_soon_days FROM agencies WHERE id = $1",
        )
        .bind(actor.agency_id)
        .fetch_one(db.pool())
        .await?;
    Ok(AgencySettings {
        name,
        time_zone,
        date_format: DateFormat::from_pattern(&date_format).unwrap_or_default(),
        expiring_soon_days,
    })
}

pub async fn update_settings(
    db: &Db,
    actor: &Actor,
    input: AgencySettings,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(ServiceError::invalid(
            "name",
            "Enter the agency's name (at most 120 characters).",
        ));
    }
    let time_zone = input.time_zone.trim();
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(ServiceError::invalid(
            "time_zone",
            format!("\"{time_zone}\" is not a time zone; use a name such as Europe/London."),
        ));
    }
    check_expiring_soon_days(input.expiring_soon_days)
        .map_err(|m| ServiceError::invalid("expiring_soon_days", m))?;
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "UPDATE agencies SET name = $1, time_zone = $2, date_format = $3, expiring_soon_days = $4 \
         WHERE id = $5",
    )
    .bind(name)
    .bind(time_zone)
    .bind(input.date_format.pattern())
    .bind(input.expiring_soon_days)
    .bind(actor.agency_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        "settings_changed",
        None,
        &format!(
            "{name}; {time_zone}; {}; expiring soon {} days",
            input.date_format.pattern(),
            input.expiring_soon_days
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
