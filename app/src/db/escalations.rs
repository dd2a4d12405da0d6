//! The chasing ladder's records: each agency's ladder and the steps each certificate's spell
//! without a valid certificate has reached.

use crate::domain::dates::from_storage;
use crate::domain::escalation::{Ladder, Step};
use chrono::NaiveDate;

/// The agency's columns that hold its ladder, for a statement that reads them with other columns
/// of the agency's row (with `#[sqlx(flatten)]` over a [`LadderRow`]).
pub const LADDER_COLUMNS: &str =
    "chase_office_days, chase_office_users_days, chase_agency_days, suspend_after_days";

#[derive(sqlx::FromRow)]
pub struct LadderRow {
    chase_office_days: i64,
    chase_office_users_days: i64,
    chase_agency_days: i64,
    suspend_after_days: Option<i64>,
}

impl From<LadderRow> for Ladder {
    fn from(row: LadderRow) -> Self {
        Ladder {
            office_days: row.chase_office_days,
            office_users_days: row.chase_office_users_days,
            agency_days: row.chase_agency_days,
            suspend_days: row.suspend_after_days,
        }
    }
}

#[derive(sqlx::FromRow)]
struct StepRow {
    contractor_id: i64,
    certificate_type_id: i64,
    since: String,
    step: String,
    reached_at: i64,
}

/// One step reached by one certificate's spell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReachedStep {
    pub contractor_id: i64,
    pub certificate_type_id: i64,
    /// The agency's date the spell began.
    pub since: NaiveDate,
    pub step: Step,
    pub reached_at: i64,
}

/// The steps recorded for the agency's contractors (or those of `contractors`), oldest first.
pub async fn reached_steps<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    executor: E,
    agency_id: i64,
    contractors: Option<&[i64]>,
) -> sqlx::Result<Vec<ReachedStep>> {
    let Some(filter) = super::ContractorFilter::new("contractor_id", contractors) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT contractor_id, certificate_type_id, since, step, reached_at \
         FROM certificate_escalations WHERE agency_id = $1 {} ORDER BY id",
        filter.sql
    );
    let rows: Vec<StepRow> = filter.query_as(&sql, agency_id).fetch_all(executor).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ReachedStep {
                contractor_id: r.contractor_id,
                certificate_type_id: r.certificate_type_id,
                since: from_storage(&r.since)?,
                step: Step::parse(&r.step)?,
                reached_at: r.reached_at,
            })
        })
        .collect())
}

/// Records a step; `false` when it was already recorded (by an earlier pass or another instance).
pub async fn record_step(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    step: &ReachedStep,
) -> sqlx::Result<bool> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO certificate_escalations (agency_id, contractor_id, certificate_type_id, \
         since, step, reached_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (contractor_id, certificate_type_id, since, step) DO NOTHING RETURNING id",
    )
    .bind(agency_id)
    .bind(step.contractor_id)
    .bind(step.certificate_type_id)
    .bind(crate::domain::dates::to_storage(step.since))
    .bind(step.step.as_str())
    .bind(step.reached_at)
    .fetch_optional(conn)
    .await?;
    Ok(inserted.is_some())
}
