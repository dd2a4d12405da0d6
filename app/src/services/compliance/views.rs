//! What the certification pages read: the contractor list and its pages, a contractor's
//! certification with each document and its history, the compliance summary and matrix, and the
//! office's outstanding certificates.

use super::access::visible_contractor;
use super::cache::{
    agency_clock, agency_view, name_needle, standing_of, statuses, AgencyView, Contractor,
};
use crate::db::{audit, Db};
use crate::domain::certificate_reading::{DocumentCheck, ReadOutcome, Reading};
use crate::domain::compliance::{
    traffic_light, type_status, validation_undoable, ComplianceStatus, TrafficLight, TypeStatus,
};
use crate::domain::dates::from_storage;
use crate::domain::escalation::{chase_line, Step};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{
    ComplianceSummary, ContractorCertification, ContractorListPage, ContractorRow, DocumentSummary,
    HistoryEntry, MatrixPage, MatrixRow, RequirementDetail, RequirementStatus,
};
use crate::services::auth::Actor;
use crate::services::Context;
use crate::services::ServiceError;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// The certification tab of one contractor: each required type with its status.
pub async fn contractor_requirements(
    cx: &Context,
    actor: &Actor,
    contractor_id: i64,
    now: i64,
) -> Result<Vec<RequirementStatus>, ServiceError> {
    visible_contractor(&cx.db, actor, contractor_id).await?;
    requirements_of(&cx.db, actor.agency_id, contractor_id, now).await
}

/// One contractor's required types with their statuses; the caller has checked visibility.
async fn requirements_of(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    now: i64,
) -> Result<Vec<RequirementStatus>, ServiceError> {
    let clock = agency_clock(db, agency_id, now).await?;
    Ok(statuses(db, agency_id, contractor_id, &clock)
        .await?
        .remove(&contractor_id)
        .unwrap_or_default())
}

/// The agency's contractors with their traffic lights, optionally only those of one light.
pub async fn contractor_list(
    cx: &Context,
    actor: &Actor,
    light: Option<TrafficLight>,
    now: i64,
) -> Result<Vec<ContractorRow>, ServiceError> {
    actor.require_agent()?;
    let view = agency_view(&cx.db, &cx.statuses, actor.agency_id, now).await?;
    Ok(view
        .contractors
        .iter()
        .map(|c| (c, light_of(&view, c.id)))
        .filter(|(_, light_now)| light.is_none_or(|wanted| *light_now == wanted))
        .map(|(c, light_now)| contractor_row(&view, c, light_now))
        .collect())
}

/// A contractor's light now, from its requirements' statuses.
fn light_of(view: &AgencyView, contractor_id: i64) -> TrafficLight {
    traffic_light(
        view.requirements(contractor_id)
            .iter()
            .map(|r| r.status.status),
    )
}

/// A contractor's line in the list: its light and its problems, worst first.
fn contractor_row(view: &AgencyView, c: &Contractor, light: TrafficLight) -> ContractorRow {
    let mut problems: BTreeMap<u8, (ComplianceStatus, u32)> = BTreeMap::new();
    for r in view.requirements(c.id) {
        let rank = match r.status.status {
            ComplianceStatus::Expired => 0,
            ComplianceStatus::CoverTooLow => 1,
            ComplianceStatus::Missing => 2,
            ComplianceStatus::ExpiringSoon => 3,
            ComplianceStatus::NeedsValidation => 4,
            _ => continue,
        };
        problems.entry(rank).or_insert((r.status.status, 0)).1 += 1;
    }
    ContractorRow {
        id: c.id,
        company_name: c.company_name.clone(),
        external_ref: c.external_ref.clone(),
        trade: c.trade.clone(),
        light,
        problems: problems.into_values().collect(),
        suspended: view.suspensions.contains_key(&c.id),
    }
}

/// What the contractor list shows: one light, part of a name or reference, a page from 1.
#[derive(Clone, Debug, Default)]
pub struct ContractorQuery {
    pub light: Option<TrafficLight>,
    pub name: Option<String>,
    /// Only contractors given this kind of work.
    pub work_kind_id: Option<i64>,
    pub page: u32,
}

pub const CONTRACTOR_PAGE_SIZE: u32 = 50;

/// A page of the contractor list, with how many contractors matching the name have each light
/// (the filter chips' counts).
pub async fn contractor_page(
    cx: &Context,
    actor: &Actor,
    query: ContractorQuery,
    now: i64,
) -> Result<ContractorListPage, ServiceError> {
    actor.require_agent()?;
    let needle = name_needle(query.name.as_deref());
    let kind = kind_filter(&cx.db, actor, query.work_kind_id).await?;
    let view = agency_view(&cx.db, &cx.statuses, actor.agency_id, now).await?;
    // Every contractor is judged for the chips' counts, but only the page's are written out
    // (the agency's 2,000 rows' names and problems were built and then thrown away).
    let named: Vec<(&Contractor, TrafficLight)> = view
        .contractors
        .iter()
        .filter(|c| kind.admits(c.id))
        .filter(|c| {
            needle.is_empty()
                || c.company_name.to_lowercase().contains(&needle)
                || c.external_ref
                    .as_deref()
                    .is_some_and(|r| r.to_lowercase().contains(&needle))
        })
        .map(|c| (c, light_of(&view, c.id)))
        .collect();
    let mut lights = [0u32; 3];
    for (_, light) in &named {
        lights[light.index()] += 1;
    }
    let matching: Vec<(&Contractor, TrafficLight)> = named
        .into_iter()
        .filter(|(_, light)| query.light.is_none_or(|wanted| *light == wanted))
        .collect();
    let page = query.page.max(1);
    Ok(ContractorListPage {
        total: matching.len() as u32,
        rows: matching
            .into_iter()
            .skip(((page - 1) * CONTRACTOR_PAGE_SIZE) as usize)
            .take(CONTRACTOR_PAGE_SIZE as usize)
            .map(|(c, light)| contractor_row(&view, c, light))
            .collect(),
        page,
        page_size: CONTRACTOR_PAGE_SIZE,
        lights,
        work_kinds: kind.all,
    })
}

/// A list's "kind of work" filter: the agency's kinds (for the filter's choices) and, when one
/// is chosen, its certificate types and the contractors who have it.
struct KindFilter {
    all: Vec<(i64, String)>,
    chosen: Option<ChosenKind>,
}

struct ChosenKind {
    types: Vec<(i64, String)>,
    holders: std::collections::HashSet<i64>,
}

impl KindFilter {
    fn admits(&self, contractor_id: i64) -> bool {
        self.chosen
            .as_ref()
            .is_none_or(|kind| kind.holders.contains(&contractor_id))
    }
}

async fn kind_filter(
    db: &Db,
    actor: &Actor,
    work_kind_id: Option<i64>,
) -> Result<KindFilter, ServiceError> {
    let all: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM work_kinds WHERE agency_id = $1 ORDER BY lower(name), id",
    )
    .bind(actor.agency_id)
    .fetch_all(db.pool())
    .await?;
    let chosen = match work_kind_id {
        None => None,
        Some(kind) => {
            let mut conn = db.pool().acquire().await?;
            let types =
                crate::services::work_kinds::kind_types(&mut conn, actor.agency_id, kind).await?;
            let holders: Vec<i64> = sqlx::query_scalar(
                "SELECT contractor_id FROM contractor_work_kinds WHERE work_kind_id = $1",
            )
            .bind(kind)
            .fetch_all(&mut *conn)
            .await?;
            Some(ChosenKind {
                types,
                holders: holders.into_iter().collect(),
            })
        }
    };
    Ok(KindFilter { all, chosen })
}

/// The dashboard panel: contractors per light, certificates per status, and the ten validated
/// certificates that end soonest from 30 days ago on (renewals to chase).
pub async fn summary(
    cx: &Context,
    actor: &Actor,
    now: i64,
) -> Result<ComplianceSummary, ServiceError> {
    actor.require_agent()?;
    let view = agency_view(&cx.db, &cx.statuses, actor.agency_id, now).await?;
    let today = view.today;
    let mut lights = [0u32; 3];
    let mut counts: HashMap<ComplianceStatus, u32> = HashMap::new();
    let mut renewals = Vec::new();
    let since = today
        .checked_sub_days(chrono::Days::new(30))
        .unwrap_or(today);
    for contractor in view.contractors.iter() {
        let requirements = view.requirements(contractor.id);
        let light = traffic_light(requirements.iter().map(|r| r.status.status));
        lights[light.index()] += 1;
        for r in requirements {
            *counts.entry(r.status.status).or_default() += 1;
            if let Some(end) = r.status.valid_until.filter(|end| *end >= since) {
                renewals.push((
                    contractor.id,
                    contractor.company_name.clone(),
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
    /// Only contractors given this kind of work, and only its certificate types as columns.
    pub work_kind_id: Option<i64>,
    pub status: Option<ComplianceStatus>,
    pub name: Option<String>,
    pub page: u32,
}

pub const MATRIX_PAGE_SIZE: u32 = 50;

/// People > Contractor certification: contractors by certificate type, filtered on the server
/// (a contractor matches the status filter when any shown cell has that status) and paged.
pub async fn matrix(
    cx: &Context,
    actor: &Actor,
    filter: MatrixFilter,
    now: i64,
) -> Result<MatrixPage, ServiceError> {
    actor.require_agent()?;
    let view = agency_view(&cx.db, &cx.statuses, actor.agency_id, now).await?;
    let all_types: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM certificate_types WHERE agency_id = $1 ORDER BY lower(name)",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    let kind = kind_filter(&cx.db, actor, filter.work_kind_id).await?;
    // A kind's columns are its types, unless one type is asked for.
    let all_types: Vec<(i64, String)> = match &kind.chosen {
        Some(chosen) if filter.certificate_type_id.is_none() => all_types
            .into_iter()
            .filter(|(t, _)| chosen.types.iter().any(|(k, _)| k == t))
            .collect(),
        _ => all_types,
    };
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
    let name = name_needle(filter.name.as_deref());
    let not_required = type_status(false, &[], view.today, view.window, None);
    let cells_of = |c: &Contractor| -> Vec<TypeStatus> {
        let requirements = view.requirements(c.id);
        types
            .iter()
            .map(|(type_id, _)| {
                requirements
                    .iter()
                    .find(|r| r.certificate_type_id == *type_id)
                    .map(|r| r.status)
                    .unwrap_or(not_required)
            })
            .collect()
    };
    // Cells are worked out for every contractor only when the status filter needs them;
    // otherwise only for the page's rows (50 of up to thousands).
    let matching: Vec<(&Contractor, Option<Vec<TypeStatus>>)> = view
        .contractors
        .iter()
        .filter(|c| kind.admits(c.id))
        .filter(|c| name.is_empty() || c.company_name.to_lowercase().contains(&name))
        .filter_map(|c| match filter.status {
            None => Some((c, None)),
            Some(wanted) => {
                let cells = cells_of(c);
                cells
                    .iter()
                    .any(|cell| cell.status == wanted)
                    .then_some((c, Some(cells)))
            }
        })
        .collect();
    let total = matching.len() as u32;
    let start = (filter.page * MATRIX_PAGE_SIZE) as usize;
    let rows = matching
        .into_iter()
        .skip(start)
        .take(MATRIX_PAGE_SIZE as usize)
        .map(|(c, cells)| MatrixRow {
            contractor_id: c.id,
            company_name: c.company_name.clone(),
            light: traffic_light(view.requirements(c.id).iter().map(|r| r.status.status)),
            cells: cells.unwrap_or_else(|| cells_of(c)),
            suspended: view.suspensions.contains_key(&c.id),
        })
        .collect();
    Ok(MatrixPage {
        types,
        rows,
        total,
        page: filter.page,
        page_size: MATRIX_PAGE_SIZE,
        work_kinds: kind.all,
    })
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
    file_name: Option<String>,
    uploaded_by: Option<String>,
    cover: Option<i64>,
    issuer: Option<String>,
    reference: Option<String>,
    read_outcome: Option<String>,
    read_start_date: Option<String>,
    read_end_date: Option<String>,
    read_cover: Option<i64>,
    content_type: Option<String>,
}

impl DocumentDetailRow {
    fn check(&self, start: Option<NaiveDate>, end: Option<NaiveDate>) -> Option<DocumentCheck> {
        let outcome = ReadOutcome::from_name(self.read_outcome.as_deref()?)?;
        let read = Reading {
            start_date: self.read_start_date.as_deref().and_then(from_storage),
            end_date: self.read_end_date.as_deref().and_then(from_storage),
            cover: self.read_cover,
            ..Default::default()
        };
        Some(DocumentCheck::of(outcome, (start, end, self.cover), &read))
    }
}

/// The contractor profile's Certification tab: every required type with its status and
/// documents (newest first), and the types that can still be requested.
pub async fn contractor_certification(
    cx: &Context,
    actor: &Actor,
    contractor_id: i64,
    now: i64,
) -> Result<ContractorCertification, ServiceError> {
    let company_name = visible_contractor(&cx.db, actor, contractor_id).await?;
    let clock = agency_clock(&cx.db, actor.agency_id, now).await?;
    let standing = standing_of(&cx.db, actor.agency_id, contractor_id, &clock).await?;
    let (statuses, suspension, steps) =
        (standing.requirements, standing.suspension, standing.steps);
    let ladder = &clock.ladder;
    let chasing = |r: &RequirementStatus| {
        let reached: Vec<(Step, NaiveDate)> = steps
            .iter()
            .filter(|s| {
                s.certificate_type_id == r.certificate_type_id
                    && Some(s.since) == r.outstanding_since
            })
            .map(|s| (s.step, clock.day_of(s.reached_at)))
            .collect();
        chase_line(ladder, r, &reached, clock.today, actor.date_format)
    };
    let documents: Vec<DocumentDetailRow> = sqlx::query_as(
        "SELECT d.id, d.certificate_type_id, d.start_date, d.end_date, d.description, d.reminder, \
         d.validated_at, d.uploaded_at, d.file_name, u.name AS uploaded_by, d.cover, d.issuer, \
         d.reference, d.read_outcome, d.read_start_date, d.read_end_date, d.read_cover, \
         d.content_type FROM certificate_documents d LEFT JOIN users u ON u.id = d.uploaded_by \
         WHERE d.agency_id = $1 AND d.contractor_id = $2 ORDER BY d.uploaded_at DESC, d.id DESC",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(cx.db.pool())
    .await?;
    let requirements: Vec<RequirementDetail> = statuses
        .into_iter()
        .map(|r| RequirementDetail {
            chasing: chasing(&r),
            documents: documents
                .iter()
                .filter(|d| d.certificate_type_id == r.certificate_type_id)
                .map(|d| {
                    let start_date = d.start_date.as_deref().and_then(from_storage);
                    let end_date = d.end_date.as_deref().and_then(from_storage);
                    DocumentSummary {
                        id: d.id,
                        start_date,
                        end_date,
                        description: d.description.clone(),
                        reminder: d.reminder.clone(),
                        validated: d.validated_at.is_some(),
                        uploaded_at_ms: d.uploaded_at,
                        file_name: d.file_name.clone(),
                        uploaded_by: d.uploaded_by.clone(),
                        cover: d.cover,
                        issuer: d.issuer.clone(),
                        reference: d.reference.clone(),
                        check: d.check(start_date, end_date),
                        undoable: validation_undoable(d.validated_at, now),
                        is_image: d
                            .content_type
                            .as_deref()
                            .is_some_and(|t| t.starts_with("image/")),
                    }
                })
                .collect(),
            certificate_type_id: r.certificate_type_id,
            minimum_cover: r.minimum_cover,
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
    .fetch_all(cx.db.pool())
    .await?;
    Ok(ContractorCertification {
        contractor_id,
        company_name,
        light: traffic_light(requirements.iter().map(|r| r.status.status)),
        suspension: suspension.map(|s| s.problem(actor.date_format)),
        requirements,
        requestable,
        can_manage: actor.require(Permission::ManageCertification).is_ok(),
        can_upload: actor.kind == UserKind::Contractor
            || actor.require(Permission::ManageCertification).is_ok(),
        history: if actor.kind == UserKind::Agent {
            history(&cx.db, actor, contractor_id).await?
        } else {
            Vec::new()
        },
        work_kinds: crate::services::work_kinds::choices(&cx.db, actor, contractor_id).await?,
    })
}

async fn history(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
) -> Result<Vec<HistoryEntry>, ServiceError> {
    let when = actor.instant_format();
    Ok(
        audit::contractor_history(db.pool(), actor.agency_id, contractor_id, 50)
            .await?
            .into_iter()
            .map(|row| HistoryEntry {
                when: when(row.at),
                who: row.actor_name.unwrap_or_else(|| "Certidesk".into()),
                what: format!(
                    "{}: {}",
                    crate::domain::audit::action_label(&row.action),
                    row.detail
                ),
            })
            .collect(),
    )
}

/// The contractor portal's badge: required certificates the office still has to provide
/// (missing, expired or expiring soon, with nothing waiting for validation).
pub async fn outstanding_requests(
    cx: &Context,
    actor: &Actor,
    now: i64,
) -> Result<u32, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    Ok(
        outstanding_certificates(&cx.db, actor.agency_id, contractor_id, now)
            .await?
            .len() as u32,
    )
}

/// The certificate types an agency still waits for from a contractor: missing, expired or
/// expiring soon, with nothing uploaded that waits for validation.
pub(crate) async fn outstanding_certificates(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    now: i64,
) -> Result<Vec<String>, ServiceError> {
    let requirements = requirements_of(db, agency_id, contractor_id, now).await?;
    Ok(requirements
        .into_iter()
        .filter(|r| {
            !r.status.awaiting_validation
                && matches!(
                    r.status.status,
                    ComplianceStatus::Missing
                        | ComplianceStatus::Expired
                        | ComplianceStatus::ExpiringSoon
                )
        })
        .map(|r| r.certificate_type)
        .collect())
}

/// Every contractor of the agency with its light, for pickers (instructing works).
pub async fn contractor_lights(
    cx: &Context,
    actor: &Actor,
    now: i64,
) -> Result<Vec<crate::domain::records::ContractorChoice>, ServiceError> {
    actor.require_agent()?;
    let view = agency_view(&cx.db, &cx.statuses, actor.agency_id, now).await?;
    Ok(view
        .contractors
        .iter()
        .map(|c| crate::domain::records::ContractorChoice {
            id: c.id,
            company_name: c.company_name.clone(),
            trade: c.trade.clone(),
            light: light_of(&view, c.id),
            suspended: view.suspensions.contains_key(&c.id),
        })
        .collect())
}
