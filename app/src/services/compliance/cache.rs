//! Certification statuses, computed once per agency and version and kept in memory: the agency's
//! day and "expiring soon" window (`AgencyClock`), every contractor's requirements judged with
//! `domain::compliance`, suspensions, and the version every certification write bumps so a
//! cached view is never stale.

use crate::db::escalations::{self, LadderRow, ReachedStep, LADDER_COLUMNS};
use crate::db::Db;
use crate::domain::compliance::{type_status, DocumentFacts};
use crate::domain::dates::from_storage;
use crate::domain::escalation::{
    outstanding_since, suspension, Ladder, Step, Suspension, SuspensionStep,
};
use crate::domain::records::RequirementStatus;
use crate::services::heavy::{self, Work};
use crate::services::ServiceError;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

/// An agency's day, its "expiring soon" window, its certification version and its time zone.
pub(crate) struct AgencyClock {
    pub today: NaiveDate,
    pub window: u32,
    pub version: i64,
    /// The last version that changed every contractor's statuses (see `Changed::Everyone`).
    pub reset: i64,
    pub time_zone: String,
    /// The agency's chasing ladder: read with the rest of its row, as the pages that show
    /// chasing need both.
    pub ladder: Ladder,
}

impl AgencyClock {
    /// The agency's date at an instant.
    pub fn day_of(&self, at_ms: i64) -> NaiveDate {
        crate::domain::dates::local_today(&self.time_zone, at_ms)
    }
}

pub(crate) async fn agency_clock(
    db: &Db,
    agency_id: i64,
    now: i64,
) -> Result<AgencyClock, ServiceError> {
    #[derive(sqlx::FromRow)]
    struct ClockRow {
        time_zone: String,
        expiring_soon_days: i64,
        certification_version: i64,
        certification_reset: i64,
        #[sqlx(flatten)]
        ladder: LadderRow,
    }
    static SELECT_CLOCK: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT time_zone, expiring_soon_days, certification_version, certification_reset, \
             {LADDER_COLUMNS} FROM agencies WHERE id = $1"
        )
    });
    let row: ClockRow = sqlx::query_as(&SELECT_CLOCK)
        .bind(agency_id)
        .fetch_one(db.pool())
        .await?;
    Ok(AgencyClock {
        today: crate::domain::dates::local_today(&row.time_zone, now),
        window: u32::try_from(row.expiring_soon_days).unwrap_or(30),
        version: row.certification_version,
        reset: row.certification_reset,
        time_zone: row.time_zone,
        ladder: row.ladder.into(),
    })
}

/// Every contractor's required types with their statuses, by contractor id, as judged.
type Judged = BTreeMap<i64, Vec<RequirementStatus>>;

/// The same as kept: each contractor's entry shared, so bringing the agency's statuses up to
/// date for a few contractors copies pointers, not every contractor's requirements.
type Statuses = BTreeMap<i64, Arc<[RequirementStatus]>>;

/// The agency-wide statuses each agency's pages last computed. Computing them reads every
/// requirement and document of the agency (tens of thousands of rows for a large one), while
/// they change only when certification data does, the agency's day turns, or its window is
/// edited: all three are in the key, the first as `agencies.certification_version`, which every
/// write of requirements or documents moves in its own transaction, so every instance sees it.
///
/// After a change every open page of the agency asks again at once: one computation per agency
/// runs at a time in an instance, and the readers that missed wait for it instead of each
/// making its own (several at once, each reading every row, starved every other request).
#[derive(Debug, Default)]
pub struct StatusCache {
    kept: Mutex<HashMap<i64, CachedStatuses>>,
    /// Per agency, held while its statuses are computed.
    computing: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    computed: AtomicU64,
    patched: AtomicU64,
}

impl StatusCache {
    /// The kept statuses, if they are at least as new as `clock`'s version and of its day and
    /// window: newer ones than asked for (computed since the reader read the version) serve too.
    fn fresh(&self, agency_id: i64, clock: &AgencyClock) -> Option<AgencyView> {
        let c = self.kept(agency_id)?;
        let (version, today, window) = c.key;
        (version >= clock.version && today == clock.today && window == clock.window).then_some(
            AgencyView {
                today,
                window,
                ladder: clock.ladder,
                statuses: c.statuses,
                contractors: c.contractors,
                suspensions: c.suspensions,
            },
        )
    }

    /// What is kept for the agency (its maps shared, not copied).
    fn kept(&self, agency_id: i64) -> Option<CachedStatuses> {
        self.kept
            .lock()
            .expect("the cache lock is never held across a panic")
            .get(&agency_id)
            .cloned()
    }

    fn computing(&self, agency_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        self.computing
            .lock()
            .expect("the cache lock is never held across a panic")
            .entry(agency_id)
            .or_default()
            .clone()
    }

    /// How many times the statuses were computed whole, and how many brought up to date for
    /// the contractors that changed.
    #[cfg(feature = "test-support")]
    pub(crate) fn computed(&self) -> (u64, u64) {
        (
            self.computed.load(Ordering::Relaxed),
            self.patched.load(Ordering::Relaxed),
        )
    }

    /// What is kept, to bring up to date change by change: of the clock's day and window, no
    /// change to every contractor since, and not too far behind.
    fn patchable(&self, agency_id: i64, clock: &AgencyClock) -> Option<CachedStatuses> {
        let c = self.kept(agency_id)?;
        let (version, today, window) = c.key;
        (today == clock.today
            && window == clock.window
            && clock.reset <= version
            && clock.version - version <= CHANGES_KEPT)
            .then_some(c)
    }
}

#[derive(Clone, Debug)]
struct CachedStatuses {
    key: (i64, NaiveDate, u32),
    statuses: Arc<Statuses>,
    contractors: Arc<Vec<Contractor>>,
    suspensions: Arc<Suspensions>,
}

/// The suspended contractors' suspensions, by contractor id.
type Suspensions = HashMap<i64, Suspension>;

/// One of the agency's contractors as its lists show it. The cached list is in the lists' order
/// (by name); migration 0013 moves the certification version whenever a contractor is added,
/// renamed or removed, so the list is as current as the statuses.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct Contractor {
    pub id: i64,
    pub company_name: String,
    pub external_ref: Option<String>,
    pub trade: Option<String>,
}

/// What the agency's certification lists are computed from.
pub(crate) struct AgencyView {
    pub today: NaiveDate,
    pub window: u32,
    /// The agency's chasing ladder, read with its day.
    pub ladder: Ladder,
    pub statuses: Arc<Statuses>,
    pub contractors: Arc<Vec<Contractor>>,
    pub suspensions: Arc<Suspensions>,
}

impl AgencyView {
    /// Required certificates with an upload waiting for an agent to tick it Valid.
    pub fn awaiting_validation(&self) -> u32 {
        self.statuses
            .values()
            .flat_map(|r| r.iter())
            .filter(|r| r.status.awaiting_validation)
            .count() as u32
    }

    /// The contractor's requirements with their statuses (none when nothing is asked of them).
    pub fn requirements(&self, contractor_id: i64) -> &[RequirementStatus] {
        self.statuses
            .get(&contractor_id)
            .map(AsRef::as_ref)
            .unwrap_or(&[])
    }
}

/// What a name search looks for: trimmed, lower case; empty matches everyone.
pub(crate) fn name_needle(name: Option<&str>) -> String {
    name.unwrap_or("").trim().to_lowercase()
}

/// How many versions back the changes of single contractors are kept (and a kept computation
/// brought up to date by them); older, a computation is made whole again.
const CHANGES_KEPT: i64 = 1_000;

/// Past this many contractors changed since the kept computation, it is made whole again.
const PATCH_AT_MOST: usize = 64;

/// Whose certification a write changed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Changed {
    /// One contractor's requirements, documents or validations.
    Contractor(i64),
    /// What every contractor's statuses may depend on: a certificate type's minimum cover,
    /// kinds of work, an import, a suspension.
    Everyone,
}

/// Marks the agency's certification data changed; call inside the transaction that changes it.
pub(crate) async fn bump_certification_version(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    changed: Changed,
) -> Result<(), ServiceError> {
    let contractor_id = match changed {
        Changed::Everyone => {
            sqlx::query(
                "UPDATE agencies SET certification_version = certification_version + 1, \
                 certification_reset = certification_version + 1 WHERE id = $1",
            )
            .bind(agency_id)
            .execute(conn)
            .await?;
            return Ok(());
        }
        Changed::Contractor(id) => id,
    };
    let version: i64 = sqlx::query_scalar(
        "UPDATE agencies SET certification_version = certification_version + 1 WHERE id = $1 \
         RETURNING certification_version",
    )
    .bind(agency_id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO certification_changes (agency_id, version, contractor_id) VALUES ($1, $2, $3)",
    )
    .bind(agency_id)
    .bind(version)
    .bind(contractor_id)
    .execute(&mut *conn)
    .await?;
    if version % CHANGES_KEPT == 0 {
        sqlx::query("DELETE FROM certification_changes WHERE agency_id = $1 AND version <= $2")
            .bind(agency_id)
            .bind(version - CHANGES_KEPT)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Today, the window, every contractor and every contractor's statuses, from the cache while
/// they still hold.
pub(crate) async fn agency_view(
    db: &Db,
    cache: &StatusCache,
    agency_id: i64,
    now: i64,
) -> Result<AgencyView, ServiceError> {
    let clock = agency_clock(db, agency_id, now).await?;
    if let Some(view) = cache.fresh(agency_id, &clock) {
        return Ok(view);
    }
    let computing = cache.computing(agency_id);
    let _turn = computing.lock().await;
    if let Some(view) = cache.fresh(agency_id, &clock) {
        return Ok(view);
    }
    // Read again: the readers that queued behind this one since it read the version are served
    // by this computation too. The rows are read after it, so what is kept under a version is
    // at least as new as that version.
    let clock = agency_clock(db, agency_id, now).await?;
    let contractors: Vec<Contractor> = sqlx::query_as(
        "SELECT id, company_name, external_ref, trade FROM contractors WHERE agency_id = $1 \
         ORDER BY lower(company_name), id",
    )
    .bind(agency_id)
    .fetch_all(db.pool())
    .await?;
    let patchable = match cache.patchable(agency_id, &clock) {
        Some(kept) => changed_since(db, agency_id, &kept, &contractors)
            .await?
            .map(|changed| (kept, changed)),
        None => None,
    };
    let (statuses, suspensions) = match patchable {
        Some((kept, changed)) => {
            cache.patched.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                agency_id,
                changed = changed.len(),
                "statuses brought up to date"
            );
            patch(db, agency_id, &clock, kept, &contractors, changed).await?
        }
        None => {
            cache.computed.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                agency_id,
                version = clock.version,
                "statuses computed whole"
            );
            whole(db, agency_id, &clock).await?
        }
    };
    let kept = CachedStatuses {
        key: (clock.version, clock.today, clock.window),
        statuses: Arc::new(statuses),
        contractors: Arc::new(contractors),
        suspensions: Arc::new(suspensions),
    };
    let view = AgencyView {
        today: clock.today,
        window: clock.window,
        ladder: clock.ladder,
        statuses: kept.statuses.clone(),
        contractors: kept.contractors.clone(),
        suspensions: kept.suspensions.clone(),
    };
    cache
        .kept
        .lock()
        .expect("the cache lock is never held across a panic")
        .insert(agency_id, kept);
    Ok(view)
}

/// Every contractor's statuses and the suspensions, from all the agency's rows.
async fn whole(
    db: &Db,
    agency_id: i64,
    clock: &AgencyClock,
) -> Result<(Statuses, Suspensions), ServiceError> {
    let rows = status_rows(db, agency_id, None).await?;
    let steps = escalations::reached_steps(db.pool(), agency_id, None).await?;
    let (today, window, time_zone) = (clock.today, clock.window, clock.time_zone.clone());
    heavy::run(Work::Statuses, move || {
        let judged = judge(rows, today, window, &time_zone);
        let suspensions = suspensions_of(&time_zone, &judged, &steps);
        let statuses = judged.into_iter().map(|(id, r)| (id, r.into())).collect();
        (statuses, suspensions)
    })
    .await
}

/// The contractors whose statuses may differ from what is kept: those a change named since, and
/// those new to the agency's list. `None` when there are too many to bring up to date one by one.
async fn changed_since(
    db: &Db,
    agency_id: i64,
    kept: &CachedStatuses,
    contractors: &[Contractor],
) -> Result<Option<Vec<i64>>, ServiceError> {
    let mut changed: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT contractor_id FROM certification_changes \
         WHERE agency_id = $1 AND version > $2",
    )
    .bind(agency_id)
    .bind(kept.key.0)
    .fetch_all(db.pool())
    .await?;
    let known: std::collections::HashSet<i64> = kept.contractors.iter().map(|c| c.id).collect();
    changed.extend(
        contractors
            .iter()
            .map(|c| c.id)
            .filter(|id| !known.contains(id)),
    );
    changed.sort_unstable();
    changed.dedup();
    Ok((changed.len() <= PATCH_AT_MOST).then_some(changed))
}

/// What is kept, with the changed contractors read and judged again (one statement per table
/// for all of them) and those no longer in the agency's list dropped.
async fn patch(
    db: &Db,
    agency_id: i64,
    clock: &AgencyClock,
    kept: CachedStatuses,
    contractors: &[Contractor],
    changed: Vec<i64>,
) -> Result<(Statuses, Suspensions), ServiceError> {
    let rows = status_rows(db, agency_id, Some(&changed)).await?;
    let steps = escalations::reached_steps(db.pool(), agency_id, Some(&changed)).await?;
    let listed: std::collections::HashSet<i64> = contractors.iter().map(|c| c.id).collect();
    let (today, window, time_zone) = (clock.today, clock.window, clock.time_zone.clone());
    heavy::run(Work::Statuses, move || {
        let mut judged = judge(rows, today, window, &time_zone);
        let mut fresh_suspensions = suspensions_of(&time_zone, &judged, &steps);
        let mut statuses = (*kept.statuses).clone();
        let mut suspensions = (*kept.suspensions).clone();
        statuses.retain(|id, _| listed.contains(id));
        suspensions.retain(|id, _| listed.contains(id));
        for contractor_id in changed {
            // A contractor gone from the list since goes from both maps.
            let gone = !listed.contains(&contractor_id);
            match fresh_suspensions.remove(&contractor_id) {
                Some(s) if !gone => suspensions.insert(contractor_id, s),
                _ => suspensions.remove(&contractor_id),
            };
            match judged.remove(&contractor_id) {
                Some(r) if !gone => statuses.insert(contractor_id, r.into()),
                _ => statuses.remove(&contractor_id),
            };
        }
        (statuses, suspensions)
    })
    .await
}

/// The suspended contractors among those `steps` cover: those with a suspension step whose
/// spell still lasts in `statuses`.
fn suspensions_of<R: AsRef<[RequirementStatus]>>(
    time_zone: &str,
    statuses: &BTreeMap<i64, R>,
    steps: &[ReachedStep],
) -> Suspensions {
    let mut by_contractor: HashMap<i64, Vec<SuspensionStep>> = HashMap::new();
    for step in steps.iter().filter(|s| s.step == Step::Suspended) {
        by_contractor
            .entry(step.contractor_id)
            .or_default()
            .push(SuspensionStep {
                certificate_type_id: step.certificate_type_id,
                since: step.since,
                reached_on: crate::domain::dates::local_today(time_zone, step.reached_at),
            });
    }
    by_contractor
        .into_iter()
        .filter_map(|(contractor_id, steps)| {
            suspension(&steps, statuses.get(&contractor_id)?.as_ref()).map(|s| (contractor_id, s))
        })
        .collect()
}

/// One contractor's standing: its required types with their statuses, its suspension if it has
/// one, and the escalation steps its certificates reached (read once; the chase lines use them too).
pub(crate) struct Standing {
    pub requirements: Vec<RequirementStatus>,
    pub suspension: Option<Suspension>,
    pub steps: Vec<ReachedStep>,
}

pub(crate) async fn standing_of(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    clock: &AgencyClock,
) -> Result<Standing, ServiceError> {
    let mut by_contractor = statuses(db, agency_id, contractor_id, clock).await?;
    let steps = escalations::reached_steps(db.pool(), agency_id, Some(&[contractor_id])).await?;
    let suspension =
        suspensions_of(&clock.time_zone, &by_contractor, &steps).remove(&contractor_id);
    let requirements = by_contractor.remove(&contractor_id).unwrap_or_default();
    Ok(Standing {
        requirements,
        suspension,
        steps,
    })
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    contractor_id: i64,
    certificate_type_id: i64,
    uploaded_at: i64,
    end_date: Option<String>,
    validated_at: Option<i64>,
    cover: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RequirementRow {
    contractor_id: i64,
    certificate_type_id: i64,
    name: String,
    minimum_cover: Option<i64>,
    requested_at: i64,
}

/// An agency's (or one contractor's) requirements and documents, as read.
struct StatusRows {
    requirements: Vec<RequirementRow>,
    documents: Vec<DocumentRow>,
}

async fn status_rows(
    db: &Db,
    agency_id: i64,
    contractors: Option<&[i64]>,
) -> Result<StatusRows, ServiceError> {
    // Those contractors' rows are read through the (agency, contractor) indexes.
    let (Some(filter), Some(documents_filter)) = (
        crate::db::ContractorFilter::new("r.contractor_id", contractors),
        crate::db::ContractorFilter::new("d.contractor_id", contractors),
    ) else {
        return Ok(StatusRows {
            requirements: Vec::new(),
            documents: Vec::new(),
        });
    };
    let sql = format!(
        "SELECT r.contractor_id, r.certificate_type_id, t.name, t.minimum_cover, r.requested_at \
         FROM certificate_requirements r \
         JOIN certificate_types t ON t.id = r.certificate_type_id \
         WHERE r.agency_id = $1 {} ORDER BY r.contractor_id, lower(t.name)",
        filter.sql
    );
    let requirements: Vec<RequirementRow> = filter
        .query_as(&sql, agency_id)
        .fetch_all(db.pool())
        .await?;
    let sql = format!(
        "SELECT d.contractor_id, d.certificate_type_id, d.uploaded_at, d.end_date, d.validated_at, \
         d.cover FROM certificate_documents d WHERE d.agency_id = $1 {}",
        documents_filter.sql
    );
    let documents: Vec<DocumentRow> = documents_filter
        .query_as(&sql, agency_id)
        .fetch_all(db.pool())
        .await?;
    Ok(StatusRows {
        requirements,
        documents,
    })
}

/// Each requirement judged against its documents on the agency's day, grouped per contractor.
fn judge(rows: StatusRows, today: NaiveDate, window: u32, time_zone: &str) -> Judged {
    let mut by_requirement: HashMap<(i64, i64), Vec<DocumentFacts>> = HashMap::new();
    for d in rows.documents {
        by_requirement
            .entry((d.contractor_id, d.certificate_type_id))
            .or_default()
            .push(DocumentFacts {
                uploaded_at: d.uploaded_at,
                end_date: d.end_date.as_deref().and_then(from_storage),
                validated: d.validated_at.is_some(),
                cover: d.cover,
            });
    }
    let mut out: Judged = BTreeMap::new();
    for r in rows.requirements {
        let docs = by_requirement
            .get(&(r.contractor_id, r.certificate_type_id))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let status = type_status(true, docs, today, window, r.minimum_cover);
        let requested_on = crate::domain::dates::local_today(time_zone, r.requested_at);
        out.entry(r.contractor_id)
            .or_default()
            .push(RequirementStatus {
                certificate_type_id: r.certificate_type_id,
                certificate_type: r.name,
                outstanding_since: outstanding_since(&status, requested_on),
                status,
                minimum_cover: r.minimum_cover,
            });
    }
    out
}

/// One contractor's requirements and documents, judged (the map holds that contractor alone).
pub(crate) async fn statuses(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    clock: &AgencyClock,
) -> Result<Judged, ServiceError> {
    let rows = status_rows(db, agency_id, Some(&[contractor_id])).await?;
    Ok(judge(rows, clock.today, clock.window, &clock.time_zone))
}
