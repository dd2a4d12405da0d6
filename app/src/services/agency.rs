//! The agency's settings: read by its agents, changed by its administrators.

use super::auth::Actor;
use super::ServiceError;
use crate::db::audit;
use crate::db::escalations::{LadderRow, LADDER_COLUMNS};
use crate::domain::dates::DateFormat;
use crate::domain::identity::{check_daily_reminder_hour, check_expiring_soon_days, Permission};
use crate::domain::records::AgencySettings;
use crate::services::Context;
use std::sync::LazyLock;

pub async fn settings(cx: &Context, actor: &Actor) -> Result<AgencySettings, ServiceError> {
    actor.require_agent()?;
    #[derive(sqlx::FromRow)]
    struct SettingsRow {
        name: String,
        time_zone: String,
        date_format: String,
        expiring_soon_days: i64,
        daily_reminder_hour: i64,
        assignment_email_description: i64,
        assignment_email_access: i64,
        assignment_email_purchase_order: i64,
        #[sqlx(flatten)]
        ladder: LadderRow,
    }
    static SELECT_SETTINGS: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT name, time_zone, date_format, expiring_soon_days, daily_reminder_hour, \
             assignment_email_description, assignment_email_access, \
             assignment_email_purchase_order, {LADDER_COLUMNS} FROM agencies WHERE id = $1"
        )
    });
    let row: SettingsRow = sqlx::query_as(&SELECT_SETTINGS)
        .bind(actor.agency_id)
        .fetch_one(cx.db.pool())
        .await?;
    Ok(AgencySettings {
        chasing: row.ladder.into(),
        date_format: DateFormat::from_pattern(&row.date_format).unwrap_or_default(),
        name: row.name,
        time_zone: row.time_zone,
        expiring_soon_days: row.expiring_soon_days,
        daily_reminder_hour: row.daily_reminder_hour,
        email_description: row.assignment_email_description == 1,
        email_access_details: row.assignment_email_access == 1,
        email_purchase_order: row.assignment_email_purchase_order == 1,
    })
}

pub async fn update_settings(
    cx: &Context,
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
    check_daily_reminder_hour(input.daily_reminder_hour)
        .map_err(|m| ServiceError::invalid("daily_reminder_hour", m))?;
    input
        .chasing
        .check()
        .map_err(|e| ServiceError::invalid(e.field, e.message))?;
    let mut tx = cx.db.begin_write().await?;
    sqlx::query(
        "UPDATE agencies SET name = $1, time_zone = $2, date_format = $3, expiring_soon_days = $4, \
         assignment_email_description = $6, assignment_email_access = $7, \
         assignment_email_purchase_order = $8, daily_reminder_hour = $9, \
         chase_office_days = $10, chase_office_users_days = $11, chase_agency_days = $12, \
         suspend_after_days = $13 WHERE id = $5",
    )
    .bind(name)
    .bind(time_zone)
    .bind(input.date_format.pattern())
    .bind(input.expiring_soon_days)
    .bind(actor.agency_id)
    .bind(i64::from(input.email_description))
    .bind(i64::from(input.email_access_details))
    .bind(i64::from(input.email_purchase_order))
    .bind(input.daily_reminder_hour)
    .bind(input.chasing.office_days)
    .bind(input.chasing.office_users_days)
    .bind(input.chasing.agency_days)
    .bind(input.chasing.suspend_days)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "settings_changed",
        None,
        &format!(
            "{name}; {time_zone}; {}; expiring soon {} days; chasing after {}/{}/{} days, {}",
            input.date_format.pattern(),
            input.expiring_soon_days,
            input.chasing.office_days,
            input.chasing.office_users_days,
            input.chasing.agency_days,
            match input.chasing.suspend_days {
                Some(days) => format!("suspension after {days} days"),
                None => "no suspension".to_string(),
            }
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
