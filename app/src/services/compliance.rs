//! Contractor certification: requirements, documents, validation and the statuses computed from
//! them with `domain::compliance`. Agents act within their agency; a contractor's office only on
//! its own company.

use super::auth::Actor;
use super::ServiceError;
use crate::db::{audit, Db};
use crate::domain::compliance::{
    instruct_decision, traffic_light, type_status, ComplianceStatus, DocumentFacts,
    InstructDecision, RelatesTo, Reminder, TrafficLight,
};
use crate::domain::dates::{from_storage, to_storage};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{
    ComplianceSummary, ContractorCertification, ContractorRow, DocumentSummary, MatrixPage,
    MatrixRow, RequirementDetail, RequirementStatus,
};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The agency's calendar day now, in its own time zone (an unknown zone falls back to UTC).
pub fn agency_today(time_zone: &str, now_ms: i64) -> NaiveDate {
    let instant = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => instant.with_timezone(&tz).date_naive(),
        Err(_) => instant.date_naive(),
    }
}

/// Today and the "expiring soon" window of an agency.
async fn agency_clock(db: &Db, agency_id: i64, now: i64) -> Result<(NaiveDate, u32), ServiceError> {
    let (time_zone, window): (String, i64) =
        sqlx::query_as("SELECT time_zone, expiring_soon_days FROM agencies WHERE id = $1")
            .bind(agency_id)
            .fetch_one(db.pool())
            .await?;
    Ok((
        agency_today(&time_zone, now),
        u32::try_from(window).unwrap_or(30),
    ))
}

/// A contractor of the actor's agency that the actor may look at: any of them for agents, only
/// its own for a contractor's office; `NotFound` otherwise (also for another agency's id).
async fn visible_contractor(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
) -> Result<(), ServiceError> {
    match actor.kind {
        UserKind::Agent => {}
        UserKind::Contractor if actor.contractor_id == Some(contractor_id) => {}
        UserKind::Contractor => return Err(ServiceError::NotFound("contractor")),
        UserKind::Technician => {
            return Err(ServiceError::Forbidden(
                "technicians have no certification pages",
            ))
        }
    }
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM contractors WHERE id = $1 AND agency_id = $2")
            .bind(contractor_id)
            .bind(actor.agency_id)
            .fetch_optional(db.pool())
            .await?;
    found
        .map(|_| ())
        .ok_or(ServiceError::NotFound("contractor"))
}

async fn own_certificate_type(
    db: &Db,
    actor: &Actor,
    type_id: i64,
) -> Result<String, ServiceError> {
    sqlx::query_scalar("SELECT name FROM certificate_types WHERE id = $1 AND agency_id = $2")
        .bind(type_id)
        .bind(actor.agency_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(ServiceError::NotFound("certificate type"))
}

/// Requires a certificate type of a contractor. Asking again for one already required changes
/// nothing and returns false.
pub async fn request_certificate(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
    certificate_type_id: i64,
    now: i64,
) -> Result<bool, ServiceError> {
    actor.require(Permission::ManageCertification)?;
    visible_contractor(db, actor, contractor_id).await?;
    let type_name = own_certificate_type(db, actor, certificate_type_id).await?;
    let mut tx = db.pool().begin().await?;
    let added = sqlx::query(
        "INSERT INTO certificate_requirements (agency_id, contractor_id, certificate_type_id, \
         requested_by, requested_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (contractor_id, certificate_type_id) DO NOTHING",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .bind(certificate_type_id)
    .bind(actor.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if added {
        audit::record(
            &mut *tx,
            actor.agency_id,
            Some(actor.user_id),
            "certificate_requested",
            None,
            &format!("contractor {contractor_id}: {type_name}"),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// What an upload records besides the file.
#[derive(Clone, Debug, Default)]
pub struct NewDocument {
    pub contractor_id: i64,
    pub certificate_type_id: i64,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub reminder: Option<Reminder>,
    pub relates_to: RelatesTo,
    /// Set only by an agent who has checked the document (imports, uploads on behalf).
    pub validated: bool,
}

/// Records a certificate document, by the contractor's office for itself or by an agent on its
/// behalf. Only an agent can mark it validated; a contractor's own upload always waits.
pub async fn add_document(
    db: &Db,
    actor: &Actor,
    document: NewDocument,
    now: i64,
) -> Result<i64, ServiceError> {
    match actor.kind {
        UserKind::Agent => actor.require(Permission::ManageCertification)?,
        UserKind::Contractor => {
            if document.validated {
                return Err(ServiceError::Forbidden("only agents can tick Valid"));
            }
        }
        UserKind::Technician => {
            return Err(ServiceError::Forbidden(
                "technicians cannot upload certificates here",
            ))
        }
    }
    visible_contractor(db, actor, document.contractor_id).await?;
    let type_name = own_certificate_type(db, actor, document.certificate_type_id).await?;
    if let (Some(start), Some(end)) = (document.start_date, document.end_date) {
        if end < start {
            return Err(ServiceError::invalid(
                "end_date",
                "The end date is before the start date.",
            ));
        }
    }
    let mut tx = db.pool().begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, start_date, \
         end_date, description, reminder, reminder_relates_to, uploaded_by, uploaded_at, validated_by, \
         validated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(document.contractor_id)
    .bind(document.certificate_type_id)
    .bind(document.start_date.map(to_storage))
    .bind(document.end_date.map(to_storage))
    .bind(document.description.as_deref().map(str::trim).filter(|d| !d.is_empty()))
    .bind(document.reminder.map(Reminder::name))
    .bind(match document.relates_to {
        RelatesTo::StartDate => "StartDate",
        RelatesTo::EndDate => "EndDate",
    })
    .bind(actor.user_id)
    .bind(now)
    .bind(document.validated.then_some(actor.user_id))
    .bind(document.validated.then_some(now))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        if document.validated {
            "certificate_uploaded_valid"
        } else {
            "certificate_uploaded"
        },
        None,
        &format!(
            "contractor {}: {type_name} (document {id})",
            document.contractor_id
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An agent ticks a document Valid. Validating twice changes nothing.
pub async fn validate_document(
    db: &Db,
    actor: &Actor,
    document_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let mut tx = db.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE certificate_documents SET validated_by = $1, validated_at = $2 \
         WHERE id = $3 AND agency_id = $4 AND validated_at IS NULL",
    )
    .bind(actor.user_id)
    .bind(now)
    .bind(document_id)
    .bind(actor.agency_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM certificate_documents WHERE id = $1 AND agency_id = $2",
        )
        .bind(document_id)
        .bind(actor.agency_id)
        .fetch_optional(&mut *tx)
        .await?;
        return exists.map(|_| ()).ok_or(ServiceError::NotFound("document"));
    }
    audit::record(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        "certificate_validated",
        None,
        &format!("document {document_id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    contractor_id: i64,
    certificate_type_id: i64,
    uploaded_at: i64,
    end_date: Option<String>,
    validated_at: Option<i64>,
}

/// Requirements and documents of an agency (or one contractor), grouped per contractor and type.
async fn statuses(
    db: &Db,
    agency_id: i64,
    contractor: Option<i64>,
    today: NaiveDate,
    window: u32,
) -> Result<BTreeMap<i64, Vec<RequirementStatus>>, ServiceError> {
    // 0 is no contractor's id: it selects them all.
    let filter = "AND ($2 = 0 OR r.contractor_id = $2)";
    let requirements: Vec<(i64, i64, String)> = sqlx::query_as(&format!(
        "SELECT r.contractor_id, r.certificate_type_id, t.name FROM certificate_requirements r \
         JOIN certificate_types t ON t.id = r.certificate_type_id \
         WHERE r.agency_id = $1 {filter} ORDER BY r.contractor_id, lower(t.name)"
    ))
    .bind(agency_id)
    .bind(contractor.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let filter = filter.replace("r.", "d.");
    let documents: Vec<DocumentRow> = sqlx::query_as(&format!(
        "SELECT d.contractor_id, d.certificate_type_id, d.uploaded_at, d.end_date, d.validated_at \
         FROM certificate_documents d WHERE d.agency_id = $1 {filter}"
    ))
    .bind(agency_id)
    .bind(contractor.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let mut by_requirement: HashMap<(i64, i64), Vec<DocumentFacts>> = HashMap::new();
    for d in documents {
        by_requirement
            .entry((d.contractor_id, d.certificate_type_id))
            .or_default()
            .push(DocumentFacts {
                uploaded_at: d.uploaded_at,
                end_date: d.end_date.as_deref().and_then(from_storage),
                validated: d.validated_at.is_some(),
            });
    }
    let mut out: BTreeMap<i64, Vec<RequirementStatus>> = BTreeMap::new();
    for (contractor_id, type_id, name) in requirements {
        let docs = by_requirement
            .get(&(contractor_id, type_id))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        out.entry(contractor_id)
            .or_default()
            .push(RequirementStatus {
                certificate_type_id: type_id,
                certificate_type: name,
                status: type_status(true, docs, today, window),
            });
    }
    Ok(out)
}

/// The certification tab of one contractor: each required type with its status.
pub async fn contractor_requirements(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
    now: i64,
) -> Result<Vec<RequirementStatus>, ServiceError> {
    visible_contractor(db, actor, contractor_id).await?;
    requirements_of(db, actor.agency_id, contractor_id, now).await
}

/// One contractor's required types with their statuses; the caller has checked visibility.
async fn requirements_of(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    now: i64,
) -> Result<Vec<RequirementStatus>, ServiceError> {
    let (today, window) = agency_clock(db, agency_id, now).await?;
    Ok(statuses(db, agency_id, Some(contractor_id), today, window)
        .await?
        .remove(&contractor_id)
        .unwrap_or_default())
}

/// The agency's contractors with their traffic lights, optionally only those of one light.
pub async fn contractor_list(
    db: &Db,
    actor: &Actor,
    light: Option<TrafficLight>,
    now: i64,
) -> Result<Vec<ContractorRow>, ServiceError> {
    actor.require_agent()?;
    let (today, window) = agency_clock(db, actor.agency_id, now).await?;
    let mut all = statuses(db, actor.agency_id, None, today, window).await?;
    let contractors: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, company_name, external_ref, trade FROM contractors WHERE agency_id = $1 \
         ORDER BY lower(company_name), id",
    )
    .bind(actor.agency_id)
    .fetch_all(db.pool())
    .await?;
    Ok(contractors
        .into_iter()
        .map(|(id, company_name, external_ref, trade)| {
            let requirements = all.remove(&id).unwrap_or_default();
            let light_now = traffic_light(requirements.iter().map(|r| r.status.status));
            let mut problems: BTreeMap<u8, (ComplianceStatus, u32)> = BTreeMap::new();
            for r in &requirements {
                let rank = match r.status.status {
                    ComplianceStatus::Expired => 0,
                    ComplianceStatus::Missing => 1,
                    ComplianceStatus::ExpiringSoon => 2,
                    ComplianceStatus::NeedsValidation => 3,
                    _ => continue,
                };
                problems.entry(rank).or_insert((r.status.status, 0)).1 += 1;
            }
            ContractorRow {
                id,
                company_name,
                external_ref,
                trade,
                light: light_now,
                problems: problems.into_values().collect(),
            }
        })
        .filter(|row| light.is_none_or(|wanted| row.light == wanted))
        .collect())
}

/// The dashboard panel: contractors per light, certificates per status, and the ten validated
/// certificates that end soonest from 30 days ago on (renewals to chase).
pub async fn summary(db: &Db, actor: &Actor, now: i64) -> Result<ComplianceSummary, ServiceError> {
    actor.require_agent()?;
    let (today, window) = agency_clock(db, actor.agency_id, now).await?;
    let all = statuses(db, actor.agency_id, None, today, window).await?;
    let names: HashMap<i64, String> =
        sqlx::query_as("SELECT id, company_name FROM contractors WHERE agency_id = $1")
            .bind(actor.agency_id)
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect();
    let mut lights = [0u32; 3];
    let mut counts: HashMap<ComplianceStatus, u32> = HashMap::new();
    let mut renewals = Vec::new();
    let since = today
        .checked_sub_days(chrono::Days::new(30))
        .unwrap_or(today);
    for contractor_id in names.keys() {
        let requirements = all.get(contractor_id).map(Vec::as_slice).unwrap_or(&[]);
        let light = traffic_light(requirements.iter().map(|r| r.status.status));
        lights[match light {
            TrafficLight::Red => 0,
            TrafficLight::Orange => 1,
            TrafficLight::Green => 2,
        }] += 1;
        for r in requirements {
            *counts.entry(r.status.status).or_default() += 1;
            if let Some(end) = r.status.valid_until.filter(|end| *end >= since) {
                renewals.push((
                    *contractor_id,
                    names[contractor_id].clone(),
                    r.certificate_type.clone(),
                    end,
                ));
            }
        }
    }
    renewals.sort_by(|a, b| a.3.cmp(&b.3).then_with(|| a.1.cmp(&b.1)));
    renewals.truncate(10);
    Ok(ComplianceSummary {
        lights,
        statuses: ComplianceStatus::ALL
            .into_iter()
            .filter(|s| *s != ComplianceStatus::NotRequired)
            .map(|s| (s, counts.get(&s).copied().unwrap_or(0)))
            .collect(),
        renewals,
    })
}

/// What the matrix shows: optional certificate type, status and contractor-name filters.
#[derive(Clone, Debug, Default)]
pub struct MatrixFilter {
    pub certificate_type_id: Option<i64>,
    pub status: Option<ComplianceStatus>,
    pub name: Option<String>,
    pub page: u32,
}

pub const MATRIX_PAGE_SIZE: u32 = 50;

/// People > Contractor certification: contractors by certificate type, filtered on the server
/// (a contractor matches the status filter when any shown cell has that status) and paged.
pub async fn matrix(
    db: &Db,
    actor: &Actor,
    filter: MatrixFilter,
    now: i64,
) -> Result<MatrixPage, ServiceError> {
    actor.require_agent()?;
    let (today, window) = agency_clock(db, actor.agency_id, now).await?;
    let all_types: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM certificate_types WHERE agency_id = $1 ORDER BY lower(name)",
    )
    .bind(actor.agency_id)
    .fetch_all(db.pool())
    .await?;
    let types: Vec<(i64, String)> = match filter.certificate_type_id {
        Some(id) => {
            let chosen: Vec<_> = all_types.into_iter().filter(|(t, _)| *t == id).collect();
            if chosen.is_empty() {
                return Err(ServiceError::NotFound("certificate type"));
            }
            chosen
        }
        None => all_types,
    };
    let name = filter
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_lowercase();
    let contractors: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, company_name FROM contractors WHERE agency_id = $1 \
         AND ($2 = '' OR lower(company_name) LIKE '%' || $2 || '%') ORDER BY lower(company_name), id",
    )
    .bind(actor.agency_id)
    .bind(&name)
    .fetch_all(db.pool())
    .await?;
    let mut all = statuses(db, actor.agency_id, None, today, window).await?;
    let not_required = type_status(false, &[], today, window);
    let rows: Vec<MatrixRow> = contractors
        .into_iter()
        .map(|(id, company_name)| {
            let requirements = all.remove(&id).unwrap_or_default();
            let light = traffic_light(requirements.iter().map(|r| r.status.status));
            let cells = types
                .iter()
                .map(|(type_id, _)| {
                    requirements
                        .iter()
                        .find(|r| r.certificate_type_id == *type_id)
                        .map(|r| r.status)
                        .unwrap_or(not_required)
                })
                .collect();
            MatrixRow {
                contractor_id: id,
                company_name,
                light,
                cells,
            }
        })
        .filter(|row| {
            filter
                .status
                .is_none_or(|wanted| row.cells.iter().any(|c| c.status == wanted))
        })
        .collect();
    let total = rows.len() as u32;
    let start = (filter.page * MATRIX_PAGE_SIZE) as usize;
    Ok(MatrixPage {
        types,
        rows: rows
            .into_iter()
            .skip(start)
            .take(MATRIX_PAGE_SIZE as usize)
            .collect(),
        total,
        page: filter.page,
        page_size: MATRIX_PAGE_SIZE,
    })
}

/// What the compliance rule says about sending work to a contractor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instruction {
    Allowed,
    /// Red and overridden with a reason; the override is in the audit log.
    Overridden,
    /// Red: the certificates at fault ("Gas safety: expired"), and whether this agent could
    /// override by giving a reason.
    Blocked {
        problems: Vec<String>,
        can_override: bool,
    },
}

/// Checks, inside the caller's transaction, whether the actor may send work to a contractor, and
/// records an override. Task assignment and quote requests call this before they write.
pub async fn check_instruction(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    contractor_id: i64,
    override_reason: Option<&str>,
    now: i64,
) -> Result<Instruction, ServiceError> {
    actor.require(Permission::InstructWork)?;
    let requirements = contractor_requirements(db, actor, contractor_id, now).await?;
    let light = traffic_light(requirements.iter().map(|r| r.status.status));
    let may_override = actor.permissions.allows(Permission::OverrideCompliance);
    let problems = || {
        requirements
            .iter()
            .filter(|r| r.status.status.light() == Some(TrafficLight::Red))
            .map(|r| {
                format!(
                    "{}: {}",
                    r.certificate_type,
                    r.status.status.label().to_lowercase()
                )
            })
            .collect::<Vec<_>>()
    };
    Ok(
        match instruct_decision(light, may_override, override_reason) {
            InstructDecision::Allowed => Instruction::Allowed,
            InstructDecision::NeedsReason => Instruction::Blocked {
                problems: problems(),
                can_override: true,
            },
            InstructDecision::Refused => Instruction::Blocked {
                problems: problems(),
                can_override: false,
            },
            InstructDecision::Overridden(reason) => {
                audit::record(
                    &mut *conn,
                    actor.agency_id,
                    Some(actor.user_id),
                    "compliance_overridden",
                    None,
                    &format!(
                        "contractor {contractor_id} ({}): {reason}",
                        problems().join("; ")
                    ),
                    now,
                )
                .await?;
                Instruction::Overridden
            }
        },
    )
}

#[derive(sqlx::FromRow)]
struct DocumentDetailRow {
    id: i64,
    certificate_type_id: i64,
    start_date: Option<String>,
    end_date: Option<String>,
    description: Option<String>,
    reminder: Option<String>,
    validated_at: Option<i64>,
    uploaded_at: i64,
}

/// The contractor profile's Certification tab: every required type with its status and
/// documents (newest first), and the types that can still be requested.
pub async fn contractor_certification(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
    now: i64,
) -> Result<ContractorCertification, ServiceError> {
    visible_contractor(db, actor, contractor_id).await?;
    let company_name: String =
        sqlx::query_scalar("SELECT company_name FROM contractors WHERE id = $1")
            .bind(contractor_id)
            .fetch_one(db.pool())
            .await?;
    let statuses = requirements_of(db, actor.agency_id, contractor_id, now).await?;
    let documents: Vec<DocumentDetailRow> = sqlx::query_as(
        "SELECT id, certificate_type_id, start_date, end_date, description, reminder, validated_at, \
         uploaded_at FROM certificate_documents WHERE agency_id = $1 AND contractor_id = $2 \
         ORDER BY uploaded_at DESC, id DESC",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(db.pool())
    .await?;
    let requirements: Vec<RequirementDetail> = statuses
        .into_iter()
        .map(|r| RequirementDetail {
            documents: documents
                .iter()
                .filter(|d| d.certificate_type_id == r.certificate_type_id)
                .map(|d| DocumentSummary {
                    id: d.id,
                    start_date: d.start_date.as_deref().and_then(from_storage),
                    end_date: d.end_date.as_deref().and_then(from_storage),
                    description: d.description.clone(),
                    reminder: d.reminder.clone(),
                    validated: d.validated_at.is_some(),
                    uploaded_at_ms: d.uploaded_at,
                })
                .collect(),
            certificate_type_id: r.certificate_type_id,
            certificate_type: r.certificate_type,
            status: r.status,
        })
        .collect();
    let requestable: Vec<(i64, String)> = sqlx::query_as(
        "SELECT t.id, t.name FROM certificate_types t WHERE t.agency_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM certificate_requirements r WHERE r.certificate_type_id = t.id \
         AND r.contractor_id = $2) ORDER BY lower(t.name)",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(db.pool())
    .await?;
    Ok(ContractorCertification {
        contractor_id,
        company_name,
        light: traffic_light(requirements.iter().map(|r| r.status.status)),
        requirements,
        requestable,
        can_manage: actor.require(Permission::ManageCertification).is_ok(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_agencys_day() {
        // 2026-11-22 23:30 UTC is already the 23rd in Auckland and still the 22nd in London.
        let late = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(
            agency_today("Europe/London", late).to_string(),
            "2026-11-22"
        );
        assert_eq!(
            agency_today("Pacific/Auckland", late).to_string(),
            "2026-11-23"
        );
        assert_eq!(
            agency_today("America/New_York", late).to_string(),
            "2026-11-22"
        );
        assert_eq!(agency_today("Nowhere/Else", late).to_string(), "2026-11-22");
    }
}
