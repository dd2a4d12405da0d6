//! Contractor certification: requirements, documents, validation and the statuses computed from
//! them with `domain::compliance`. Agents act within their agency; a contractor's office only on
//! its own company.

use super::auth::Actor;
use super::{certificate_reading, mail, ServiceError};
use crate::db::escalations;
use crate::db::{audit, Db};
use crate::domain::certificate_reading::{DocumentCheck, Proposal, ReadOutcome, Reading};
use crate::domain::compliance::{
    instruct_decision, traffic_light, type_status, validation_undoable, ComplianceStatus,
    DocumentFacts, InstructDecision, RelatesTo, Reminder, TrafficLight, TypeStatus,
    VALIDATION_UNDO_MS,
};
use crate::domain::dates::{from_storage, to_storage};
use crate::domain::escalation::{
    chase_line, outstanding_since, suspension, Step, Suspension, SuspensionStep,
};
use crate::domain::files::{check_upload, safe_file_name, FileKind, MAX_CERTIFICATE_BYTES};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{
    ComplianceSummary, ContractorCertification, ContractorListPage, ContractorRow, DocumentSummary,
    HistoryEntry, MatrixPage, MatrixRow, RequirementDetail, RequirementStatus,
};
use crate::domain::work_date::{requirements_for_kind, WorkVerdict};
use crate::events::{Change, Topic};
use crate::files::FileStore;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The agency's calendar day now, in its own time zone (an unknown zone falls back to UTC).
pub fn agency_today(time_zone: &str, now_ms: i64) -> NaiveDate {
    crate::domain::escalation::local_day_and_hour(time_zone, now_ms).0
}

/// An agency's day, its "expiring soon" window, its certification version and its time zone.
pub(super) struct AgencyClock {
    pub today: NaiveDate,
    pub window: u32,
    pub version: i64,
    pub time_zone: String,
}

impl AgencyClock {
    /// The agency's date at an instant.
    fn day_of(&self, at_ms: i64) -> NaiveDate {
        agency_today(&self.time_zone, at_ms)
    }
}

pub(super) async fn agency_clock(
    db: &Db,
    agency_id: i64,
    now: i64,
) -> Result<AgencyClock, ServiceError> {
    let (time_zone, window, version): (String, i64, i64) = sqlx::query_as(
        "SELECT time_zone, expiring_soon_days, certification_version FROM agencies WHERE id = $1",
    )
    .bind(agency_id)
    .fetch_one(db.pool())
    .await?;
    Ok(AgencyClock {
        today: agency_today(&time_zone, now),
        window: u32::try_from(window).unwrap_or(30),
        version,
        time_zone,
    })
}

/// Every contractor's required types with their statuses, by contractor id.
type Statuses = BTreeMap<i64, Vec<RequirementStatus>>;

/// The agency-wide statuses each agency's pages last computed. Computing them reads every
/// requirement and document of the agency (tens of thousands of rows for a large one), while
/// they change only when certification data does, the agency's day turns, or its window is
/// edited: all three are in the key, the first as `agencies.certification_version`, which every
/// write of requirements or documents moves in its own transaction, so every instance sees it.
#[derive(Debug, Default)]
pub struct StatusCache(Mutex<HashMap<i64, CachedStatuses>>);

#[derive(Debug)]
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
#[derive(Debug)]
struct Contractor {
    id: i64,
    company_name: String,
    external_ref: Option<String>,
    trade: Option<String>,
}

/// What the agency's certification lists are computed from.
pub(super) struct AgencyView {
    pub today: NaiveDate,
    pub window: u32,
    pub statuses: Arc<Statuses>,
    contractors: Arc<Vec<Contractor>>,
    pub suspensions: Arc<Suspensions>,
}

impl AgencyView {
    /// Required certificates with an upload waiting for an agent to tick it Valid.
    pub fn awaiting_validation(&self) -> u32 {
        self.statuses
            .values()
            .flatten()
            .filter(|r| r.status.awaiting_validation)
            .count() as u32
    }

    /// The contractor's requirements with their statuses (none when nothing is asked of them).
    fn requirements(&self, contractor_id: i64) -> &[RequirementStatus] {
        self.statuses
            .get(&contractor_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// What a name search looks for: trimmed, lower case; empty matches everyone.
fn name_needle(name: Option<&str>) -> String {
    name.unwrap_or("").trim().to_lowercase()
}

/// Marks the agency's certification data changed; call inside the transaction that changes it.
pub(crate) async fn bump_certification_version(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
) -> Result<(), ServiceError> {
    sqlx::query(
        "UPDATE agencies SET certification_version = certification_version + 1 WHERE id = $1",
    )
    .bind(agency_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Today, the window, every contractor and every contractor's statuses, from the cache while
/// they still hold.
pub(super) async fn agency_view(
    db: &Db,
    agency_id: i64,
    now: i64,
) -> Result<AgencyView, ServiceError> {
    let clock = agency_clock(db, agency_id, now).await?;
    let (today, window) = (clock.today, clock.window);
    let key = (clock.version, today, window);
    let cache = db.certification_cache();
    let cached = cache
        .0
        .lock()
        .expect("the cache lock is never held across a panic")
        .get(&agency_id)
        .filter(|c| c.key == key)
        .map(|c| {
            (
                c.statuses.clone(),
                c.contractors.clone(),
                c.suspensions.clone(),
            )
        });
    if let Some((statuses, contractors, suspensions)) = cached {
        return Ok(AgencyView {
            today,
            window,
            statuses,
            contractors,
            suspensions,
        });
    }
    // Read after the version: what is computed is at least as new as the version it is kept
    // under, so a reader never keeps older data under a newer version.
    let statuses = Arc::new(statuses(db, agency_id, None, &clock).await?);
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, company_name, external_ref, trade FROM contractors WHERE agency_id = $1 \
         ORDER BY lower(company_name), id",
    )
    .bind(agency_id)
    .fetch_all(db.pool())
    .await?;
    let contractors = Arc::new(
        rows.into_iter()
            .map(|(id, company_name, external_ref, trade)| Contractor {
                id,
                company_name,
                external_ref,
                trade,
            })
            .collect::<Vec<_>>(),
    );
    let suspensions = Arc::new(suspensions_of(db, agency_id, None, &clock, &statuses).await?);
    cache
        .0
        .lock()
        .expect("the cache lock is never held across a panic")
        .insert(
            agency_id,
            CachedStatuses {
                key,
                statuses: statuses.clone(),
                contractors: contractors.clone(),
                suspensions: suspensions.clone(),
            },
        );
    Ok(AgencyView {
        today,
        window,
        statuses,
        contractors,
        suspensions,
    })
}

/// The suspended contractors among the agency's (or one contractor): those with a suspension
/// step whose spell still lasts in `statuses`.
async fn suspensions_of(
    db: &Db,
    agency_id: i64,
    contractor_id: Option<i64>,
    clock: &AgencyClock,
    statuses: &Statuses,
) -> Result<Suspensions, ServiceError> {
    let mut conn = db.pool().acquire().await?;
    let mut steps: HashMap<i64, Vec<SuspensionStep>> = HashMap::new();
    for step in escalations::reached_steps(&mut conn, agency_id, contractor_id).await? {
        if step.step == Step::Suspended {
            steps
                .entry(step.contractor_id)
                .or_default()
                .push(SuspensionStep {
                    certificate_type_id: step.certificate_type_id,
                    since: step.since,
                    reached_on: clock.day_of(step.reached_at),
                });
        }
    }
    Ok(steps
        .into_iter()
        .filter_map(|(contractor_id, steps)| {
            suspension(&steps, statuses.get(&contractor_id)?).map(|s| (contractor_id, s))
        })
        .collect())
}

/// One contractor's required types with their statuses, and its suspension if it has one.
async fn standing_of(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    clock: &AgencyClock,
) -> Result<(Vec<RequirementStatus>, Option<Suspension>), ServiceError> {
    let mut by_contractor = statuses(db, agency_id, Some(contractor_id), clock).await?;
    let suspension = suspensions_of(db, agency_id, Some(contractor_id), clock, &by_contractor)
        .await?
        .remove(&contractor_id);
    let requirements = by_contractor.remove(&contractor_id).unwrap_or_default();
    Ok((requirements, suspension))
}

/// A contractor of the actor's agency that the actor may look at: any of them for agents, only
/// its own for a contractor's office; `NotFound` otherwise (also for another agency's id).
pub(super) async fn visible_contractor(
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

pub(crate) async fn own_certificate_type(
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

/// Who reads a contractor's certification mail: its active office users, or the company's own
/// address when it has none.
pub(super) async fn contractor_recipients(
    conn: &mut sqlx::AnyConnection,
    contractor_id: i64,
) -> Result<Vec<String>, ServiceError> {
    let office: Vec<String> = sqlx::query_scalar(
        "SELECT email FROM users WHERE contractor_id = $1 AND kind = 'contractor' AND active = 1 \
         ORDER BY id",
    )
    .bind(contractor_id)
    .fetch_all(&mut *conn)
    .await?;
    if !office.is_empty() {
        return Ok(office);
    }
    Ok(
        sqlx::query_scalar("SELECT email FROM contractors WHERE id = $1")
            .bind(contractor_id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Where a contractor's office uploads certificates, for links in emails.
pub fn upload_url(public_url: &str) -> String {
    format!("{}/desk/certificates", public_url.trim_end_matches('/'))
}

fn certification_changed(agency_id: i64, contractor_id: i64) -> Change {
    Change {
        agency_id,
        contractor_id: Some(contractor_id),
        topic: Topic::Certification,
        task_id: None,
    }
}

/// Requires a certificate type of a contractor and emails the contractor's office. Asking again
/// for one already required changes nothing and returns false.
pub async fn request_certificate(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
    certificate_type_id: i64,
    public_url: &str,
    now: i64,
) -> Result<bool, ServiceError> {
    actor.require(Permission::ManageCertification)?;
    visible_contractor(db, actor, contractor_id).await?;
    let type_name = own_certificate_type(db, actor, certificate_type_id).await?;
    let mut tx = db.begin_write().await?;
    let request = Request {
        contractor_id,
        certificate_type_id,
        type_name: &type_name,
    };
    if !require_certificate_in(&mut tx, actor, &request, public_url, now).await? {
        return Ok(false);
    }
    bump_certification_version(&mut tx, actor.agency_id).await?;
    tx.commit().await?;
    db.publish(certification_changed(actor.agency_id, contractor_id))
        .await;
    Ok(true)
}

/// A certificate type to require of a contractor; both already checked as the agency's.
pub(super) struct Request<'a> {
    pub contractor_id: i64,
    pub certificate_type_id: i64,
    pub type_name: &'a str,
}

/// Inside the caller's transaction: records the requirement, its audit entry and the email to
/// the contractor's office; false (and nothing written) when it was already required. The caller
/// moves the certification version and publishes the change.
pub(super) async fn require_certificate_in(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    request: &Request<'_>,
    public_url: &str,
    now: i64,
) -> Result<bool, ServiceError> {
    let added: Option<i64> = sqlx::query_scalar(
        "INSERT INTO certificate_requirements (agency_id, contractor_id, certificate_type_id, \
         requested_by, requested_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (contractor_id, certificate_type_id) DO NOTHING RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(request.contractor_id)
    .bind(request.certificate_type_id)
    .bind(actor.user_id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(requirement_id) = added else {
        return Ok(false);
    };
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        "certificate_requested",
        request.contractor_id,
        request.type_name,
        now,
    )
    .await?;
    let company: String = sqlx::query_scalar("SELECT company_name FROM contractors WHERE id = $1")
        .bind(request.contractor_id)
        .fetch_one(&mut *tx)
        .await?;
    let email = mail::certificate_requested(
        &company,
        &actor.agency_name,
        request.type_name,
        &upload_url(public_url),
    );
    for to in contractor_recipients(&mut *tx, request.contractor_id).await? {
        let key = format!(
            "certificate_requested:{requirement_id}:{}",
            to.to_lowercase()
        );
        mail::enqueue(
            &mut *tx,
            Some(actor.agency_id),
            &to,
            &email,
            Some(&key),
            now,
        )
        .await?;
    }
    Ok(true)
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
    /// The cover in whole pounds (insurance), as confirmed by the person uploading.
    pub cover: Option<i64>,
    /// The insurer or issuing body.
    pub issuer: Option<String>,
    /// The policy, registration or certificate number.
    pub reference: Option<String>,
}

/// A file as the browser sent it: the name is only kept for downloads, never trusted.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// The kind of a certificate, accreditation or task file, checked by its content and size.
    pub fn certificate_file_kind(&self) -> Result<FileKind, ServiceError> {
        check_upload(
            &self.file_name,
            self.bytes.len() as u64,
            &self.bytes[..self.bytes.len().min(16)],
            MAX_CERTIFICATE_BYTES,
        )
        .map_err(|problem| ServiceError::invalid("file", problem.to_string()))
    }
}

/// Where a document's file went in the file store.
struct SavedUpload {
    key: String,
    name: String,
    content_type: &'static str,
    size: i64,
}

/// Uploads a certificate document with its file. The file is checked by its content and size,
/// stored, then recorded; if recording fails the stored file is removed again.
pub async fn upload_document(
    db: &Db,
    files: &FileStore,
    actor: &Actor,
    document: NewDocument,
    upload: Upload,
    now: i64,
) -> Result<i64, ServiceError> {
    let type_name = may_add_document(db, actor, &document).await?;
    let kind = upload.certificate_file_kind()?;
    // Read before anything is written: a PDF that cannot be read costs the reading, not the upload.
    let proposal = certificate_reading::read_file(kind, &upload.bytes, &type_name).await;
    let key = files
        .put(
            "certificates",
            actor.agency_id,
            kind.extension(),
            &upload.bytes,
        )
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let stored = SavedUpload {
        name: safe_file_name(&upload.file_name, Some(kind)),
        content_type: kind.content_type(),
        size: upload.bytes.len() as i64,
        key,
    };
    match record_document(
        db,
        actor,
        &document,
        &type_name,
        Some((&stored, &proposal)),
        now,
    )
    .await
    {
        Ok(id) => Ok(id),
        Err(e) => {
            if let Err(cleanup) = files.delete(&stored.key).await {
                tracing::warn!("could not remove an unrecorded upload: {cleanup}");
            }
            Err(e)
        }
    }
}

/// Records a certificate document without a file (imports, and dates typed from a paper copy).
pub async fn add_document(
    db: &Db,
    actor: &Actor,
    document: NewDocument,
    now: i64,
) -> Result<i64, ServiceError> {
    let type_name = may_add_document(db, actor, &document).await?;
    record_document(db, actor, &document, &type_name, None, now).await
}

/// Who may upload certificates: the contractor's office, or an agent who manages certification.
pub(crate) fn may_upload(actor: &Actor) -> Result<(), ServiceError> {
    match actor.kind {
        UserKind::Agent => actor.require(Permission::ManageCertification),
        UserKind::Contractor => Ok(()),
        UserKind::Technician => Err(ServiceError::Forbidden(
            "technicians cannot upload certificates here",
        )),
    }
}

/// Checks that the actor may record this document, and its dates; answers the type's name.
/// The contractor's office records for itself, an agent with the permission on its behalf; only
/// an agent can mark it validated, so a contractor's own upload always waits.
async fn may_add_document(
    db: &Db,
    actor: &Actor,
    document: &NewDocument,
) -> Result<String, ServiceError> {
    may_upload(actor)?;
    if document.validated && actor.kind != UserKind::Agent {
        return Err(ServiceError::Forbidden("only agents can tick Valid"));
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
    Ok(type_name)
}

async fn record_document(
    db: &Db,
    actor: &Actor,
    document: &NewDocument,
    type_name: &str,
    file: Option<(&SavedUpload, &Proposal)>,
    now: i64,
) -> Result<i64, ServiceError> {
    let (file, proposal) = match file {
        Some((file, proposal)) => (Some(file), Some(proposal)),
        None => (None, None),
    };
    let read = proposal.map(|p| &p.reading);
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, start_date, \
         end_date, description, reminder, reminder_relates_to, uploaded_by, uploaded_at, validated_by, \
         validated_at, file_key, file_name, content_type, size_bytes, cover, issuer, reference, \
         read_outcome, read_start_date, read_end_date, read_issuer, read_reference, read_cover) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20, $21, $22, $23, $24, $25) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(document.contractor_id)
    .bind(document.certificate_type_id)
    .bind(document.start_date.map(to_storage))
    .bind(document.end_date.map(to_storage))
    .bind(document.description.as_deref().map(str::trim).filter(|d| !d.is_empty()))
    .bind(document.reminder.map(Reminder::name))
    .bind(document.relates_to.name())
    .bind(actor.user_id)
    .bind(now)
    .bind(document.validated.then_some(actor.user_id))
    .bind(document.validated.then_some(now))
    .bind(file.map(|f| f.key.as_str()))
    .bind(file.map(|f| f.name.as_str()))
    .bind(file.map(|f| f.content_type))
    .bind(file.map(|f| f.size))
    .bind(document.cover)
    .bind(text(&document.issuer))
    .bind(text(&document.reference))
    .bind(proposal.and_then(|p| p.outcome).map(ReadOutcome::name))
    .bind(read.and_then(|r| r.start_date).map(to_storage))
    .bind(read.and_then(|r| r.end_date).map(to_storage))
    .bind(read.and_then(|r| r.issuer.clone()))
    .bind(read.and_then(|r| r.reference.clone()))
    .bind(read.and_then(|r| r.cover))
    .fetch_one(&mut *tx)
    .await?;
    bump_certification_version(&mut tx, actor.agency_id).await?;
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        if document.validated {
            "certificate_uploaded_valid"
        } else {
            "certificate_uploaded"
        },
        document.contractor_id,
        &match file {
            Some(f) => format!("{type_name}: {}", f.name),
            None => type_name.to_string(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    db.publish(certification_changed(
        actor.agency_id,
        document.contractor_id,
    ))
    .await;
    Ok(id)
}

/// A document's file for download, if the actor may see that contractor's certificates:
/// (safe file name, content type, bytes).
pub async fn document_file(
    db: &Db,
    files: &FileStore,
    actor: &Actor,
    document_id: i64,
) -> Result<crate::files::StoredFile, ServiceError> {
    type FileRow = (i64, Option<String>, Option<String>, Option<String>);
    let row: Option<FileRow> = sqlx::query_as(
        "SELECT contractor_id, file_key, file_name, content_type FROM certificate_documents \
         WHERE id = $1 AND agency_id = $2",
    )
    .bind(document_id)
    .bind(actor.agency_id)
    .fetch_optional(db.pool())
    .await?;
    let (contractor_id, key, name, content_type) = row.ok_or(ServiceError::NotFound("document"))?;
    visible_contractor(db, actor, contractor_id)
        .await
        .map_err(|e| match e {
            ServiceError::Forbidden(_) | ServiceError::NotFound(_) => {
                ServiceError::NotFound("document")
            }
            other => other,
        })?;
    let key = key.ok_or(ServiceError::NotFound("file"))?;
    let bytes = files.read(&key).await.map_err(|e| {
        tracing::error!("document {document_id}: stored file unreadable: {e}");
        ServiceError::NotFound("file")
    })?;
    Ok(crate::files::StoredFile {
        name: name.unwrap_or_else(|| "document".into()),
        content_type: content_type.unwrap_or_else(|| "application/octet-stream".into()),
        bytes,
    })
}

/// An agent ticks a document Valid. Validating twice changes nothing.
pub async fn validate_document(
    db: &Db,
    actor: &Actor,
    document_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let mut tx = db.begin_write().await?;
    let changed: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE certificate_documents SET validated_by = $1, validated_at = $2 \
         WHERE id = $3 AND agency_id = $4 AND validated_at IS NULL \
         RETURNING contractor_id, certificate_type_id",
    )
    .bind(actor.user_id)
    .bind(now)
    .bind(document_id)
    .bind(actor.agency_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((contractor_id, type_id)) = changed else {
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM certificate_documents WHERE id = $1 AND agency_id = $2",
        )
        .bind(document_id)
        .bind(actor.agency_id)
        .fetch_optional(&mut *tx)
        .await?;
        return exists.map(|_| ()).ok_or(ServiceError::NotFound("document"));
    };
    validation_changed(
        db,
        tx,
        actor,
        contractor_id,
        type_id,
        "certificate_validated",
        now,
    )
    .await
}

/// Ends a transaction that ticked a document Valid or took the tick back: the certification
/// version moves, the history says so, and open pages hear of it.
async fn validation_changed(
    db: &Db,
    mut tx: crate::db::WriteTx,
    actor: &Actor,
    contractor_id: i64,
    type_id: i64,
    action: &str,
    now: i64,
) -> Result<(), ServiceError> {
    bump_certification_version(&mut tx, actor.agency_id).await?;
    let type_name: String = sqlx::query_scalar("SELECT name FROM certificate_types WHERE id = $1")
        .bind(type_id)
        .fetch_one(&mut *tx)
        .await?;
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        Some(actor.user_id),
        action,
        contractor_id,
        &type_name,
        now,
    )
    .await?;
    tx.commit().await?;
    db.publish(certification_changed(actor.agency_id, contractor_id))
        .await;
    Ok(())
}

/// Takes back a tick Valid made moments ago ([`VALIDATION_UNDO_MS`]): the document waits for
/// validation again, in the history as "Undid Valid". Later, a newer certificate replaces it.
pub async fn undo_validation(
    db: &Db,
    actor: &Actor,
    document_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT contractor_id, certificate_type_id, validated_at FROM certificate_documents \
         WHERE id = $1 AND agency_id = $2",
    )
    .bind(document_id)
    .bind(actor.agency_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (contractor_id, type_id, validated_at) = row.ok_or(ServiceError::NotFound("document"))?;
    if validated_at.is_none() {
        return Ok(());
    }
    if !validation_undoable(validated_at, now) {
        return Err(ServiceError::Refused(format!(
            "It was ticked Valid more than {} minutes ago, so it stays Valid; upload a newer \
             certificate to replace it.",
            VALIDATION_UNDO_MS / 60_000
        )));
    }
    sqlx::query(
        "UPDATE certificate_documents SET validated_by = NULL, validated_at = NULL WHERE id = $1",
    )
    .bind(document_id)
    .execute(&mut *tx)
    .await?;
    validation_changed(
        db,
        tx,
        actor,
        contractor_id,
        type_id,
        "certificate_validation_undone",
        now,
    )
    .await
}

/// The agents' "To validate" count: required certificates with an upload waiting for an agent
/// to tick it Valid. Zero for those who may not validate.
pub async fn to_validate(db: &Db, actor: &Actor, now: i64) -> Result<u32, ServiceError> {
    actor.require_agent()?;
    if actor.require(Permission::ManageCertification).is_err() {
        return Ok(0);
    }
    Ok(agency_view(db, actor.agency_id, now)
        .await?
        .awaiting_validation())
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

/// Requirements and documents of an agency (or one contractor), grouped per contractor and type.
async fn statuses(
    db: &Db,
    agency_id: i64,
    contractor: Option<i64>,
    clock: &AgencyClock,
) -> Result<BTreeMap<i64, Vec<RequirementStatus>>, ServiceError> {
    // 0 is no contractor's id: it selects them all.
    let filter = "AND ($2 = 0 OR r.contractor_id = $2)";
    let requirements: Vec<RequirementRow> = sqlx::query_as(&format!(
        "SELECT r.contractor_id, r.certificate_type_id, t.name, t.minimum_cover, r.requested_at \
         FROM certificate_requirements r \
         JOIN certificate_types t ON t.id = r.certificate_type_id \
         WHERE r.agency_id = $1 {filter} ORDER BY r.contractor_id, lower(t.name)"
    ))
    .bind(agency_id)
    .bind(contractor.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let filter = filter.replace("r.", "d.");
    let documents: Vec<DocumentRow> = sqlx::query_as(&format!(
        "SELECT d.contractor_id, d.certificate_type_id, d.uploaded_at, d.end_date, d.validated_at, \
         d.cover FROM certificate_documents d WHERE d.agency_id = $1 {filter}"
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
                cover: d.cover,
            });
    }
    let mut out: BTreeMap<i64, Vec<RequirementStatus>> = BTreeMap::new();
    for r in requirements {
        let docs = by_requirement
            .get(&(r.contractor_id, r.certificate_type_id))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let status = type_status(true, docs, clock.today, clock.window, r.minimum_cover);
        out.entry(r.contractor_id)
            .or_default()
            .push(RequirementStatus {
                certificate_type_id: r.certificate_type_id,
                certificate_type: r.name,
                outstanding_since: outstanding_since(&status, clock.day_of(r.requested_at)),
                status,
                minimum_cover: r.minimum_cover,
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
    let clock = agency_clock(db, agency_id, now).await?;
    Ok(statuses(db, agency_id, Some(contractor_id), &clock)
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
    let view = agency_view(db, actor.agency_id, now).await?;
    Ok(view
        .contractors
        .iter()
        .map(|c| {
            let requirements = view.requirements(c.id);
            let light_now = traffic_light(requirements.iter().map(|r| r.status.status));
            let mut problems: BTreeMap<u8, (ComplianceStatus, u32)> = BTreeMap::new();
            for r in requirements {
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
                light: light_now,
                problems: problems.into_values().collect(),
                suspended: view.suspensions.contains_key(&c.id),
            }
        })
        .filter(|row| light.is_none_or(|wanted| row.light == wanted))
        .collect())
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
    db: &Db,
    actor: &Actor,
    query: ContractorQuery,
    now: i64,
) -> Result<ContractorListPage, ServiceError> {
    actor.require_agent()?;
    let needle = name_needle(query.name.as_deref());
    let kind = kind_filter(db, actor, query.work_kind_id).await?;
    let named: Vec<ContractorRow> = contractor_list(db, actor, None, now)
        .await?
        .into_iter()
        .filter(|row| kind.admits(row.id))
        .filter(|row| {
            needle.is_empty()
                || row.company_name.to_lowercase().contains(&needle)
                || row
                    .external_ref
                    .as_deref()
                    .is_some_and(|r| r.to_lowercase().contains(&needle))
        })
        .collect();
    let mut lights = [0u32; 3];
    for row in &named {
        lights[row.light.index()] += 1;
    }
    let matching: Vec<ContractorRow> = named
        .into_iter()
        .filter(|row| query.light.is_none_or(|wanted| row.light == wanted))
        .collect();
    let page = query.page.max(1);
    Ok(ContractorListPage {
        total: matching.len() as u32,
        rows: matching
            .into_iter()
            .skip(((page - 1) * CONTRACTOR_PAGE_SIZE) as usize)
            .take(CONTRACTOR_PAGE_SIZE as usize)
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
            let types = super::work_kinds::kind_types(&mut conn, actor.agency_id, kind).await?;
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
pub async fn summary(db: &Db, actor: &Actor, now: i64) -> Result<ComplianceSummary, ServiceError> {
    actor.require_agent()?;
    let view = agency_view(db, actor.agency_id, now).await?;
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
    db: &Db,
    actor: &Actor,
    filter: MatrixFilter,
    now: i64,
) -> Result<MatrixPage, ServiceError> {
    actor.require_agent()?;
    let view = agency_view(db, actor.agency_id, now).await?;
    let all_types: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM certificate_types WHERE agency_id = $1 ORDER BY lower(name)",
    )
    .bind(actor.agency_id)
    .fetch_all(db.pool())
    .await?;
    let kind = kind_filter(db, actor, filter.work_kind_id).await?;
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

/// The work a contractor is judged for: its kind (None: every requirement counts) and the day
/// it is expected on site (None: today's statuses decide).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkToJudge {
    pub work_kind_id: Option<i64>,
    pub day: Option<NaiveDate>,
}

/// A contractor judged for a piece of work: the requirements that count, what they say today,
/// and what will have lapsed by the day of the work.
#[derive(Clone, Debug)]
pub struct Judgement {
    pub requirements: Vec<RequirementStatus>,
    pub verdict: WorkVerdict,
    /// Set while the contractor is suspended for new work (by the chasing ladder).
    pub suspension: Option<Suspension>,
}

impl Judgement {
    /// The light the instruct rule applies: a suspended contractor is red for new work.
    pub fn light(&self) -> TrafficLight {
        if self.suspension.is_some() {
            TrafficLight::Red
        } else {
            self.verdict.light()
        }
    }

    /// What is at fault, as the instruct check and the task page say it: a suspension, today's
    /// red certificates, then those lapsing before the work, in the agency's date format.
    pub fn problems(&self, format: crate::domain::dates::DateFormat) -> Vec<String> {
        self.suspension
            .iter()
            .map(|s| s.problem(format))
            .chain(
                self.requirements
                    .iter()
                    .filter(|r| r.status.status.light() == Some(TrafficLight::Red))
                    .map(|r| r.status.problem(&r.certificate_type)),
            )
            .chain(self.verdict.lapses.iter().map(|l| l.problem(format)))
            .collect()
    }
}

/// Judges one of the agency's contractors (already checked as visible) for a piece of work.
pub(super) async fn judge_work(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    contractor_id: i64,
    work: WorkToJudge,
    now: i64,
) -> Result<Judgement, ServiceError> {
    let clock = agency_clock(db, agency_id, now).await?;
    let today = clock.today;
    let (all, suspension) = standing_of(db, agency_id, contractor_id, &clock).await?;
    let kind_types = match work.work_kind_id {
        Some(kind) => Some(super::work_kinds::kind_types(conn, agency_id, kind).await?),
        None => None,
    };
    let requirements = requirements_for_kind(&all, kind_types.as_deref());
    let verdict = WorkVerdict::of(&requirements, today, work.day);
    Ok(Judgement {
        requirements,
        verdict,
        suspension,
    })
}

/// Checks, inside the caller's transaction, whether the actor may send this work to a
/// contractor, and records an override. The contractor is judged on the work's kind, today and
/// on the day of the work: a certificate that will have lapsed by then blocks as red does.
pub async fn check_instruction(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    contractor_id: i64,
    work: WorkToJudge,
    override_reason: Option<&str>,
    now: i64,
) -> Result<Instruction, ServiceError> {
    actor.require(Permission::InstructWork)?;
    visible_contractor(db, actor, contractor_id).await?;
    let judgement = judge_work(db, conn, actor.agency_id, contractor_id, work, now).await?;
    let may_override = actor.permissions.allows(Permission::OverrideCompliance);
    let problems = || judgement.problems(actor.date_format);
    Ok(
        match instruct_decision(judgement.light(), may_override, override_reason) {
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
                audit::record_for_contractor(
                    &mut *conn,
                    actor.agency_id,
                    Some(actor.user_id),
                    "compliance_overridden",
                    contractor_id,
                    &format!("{} — reason: {reason}", problems().join("; ")),
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
    let clock = agency_clock(db, actor.agency_id, now).await?;
    let (statuses, suspension) = standing_of(db, actor.agency_id, contractor_id, &clock).await?;
    let (ladder, steps) = {
        let mut conn = db.pool().acquire().await?;
        (
            escalations::ladder(&mut conn, actor.agency_id).await?,
            escalations::reached_steps(&mut conn, actor.agency_id, Some(contractor_id)).await?,
        )
    };
    let chasing = |r: &RequirementStatus| {
        let reached: Vec<(Step, NaiveDate)> = steps
            .iter()
            .filter(|s| {
                s.certificate_type_id == r.certificate_type_id
                    && Some(s.since) == r.outstanding_since
            })
            .map(|s| (s.step, clock.day_of(s.reached_at)))
            .collect();
        chase_line(&ladder, r, &reached, clock.today, actor.date_format)
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
    .fetch_all(db.pool())
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
    .fetch_all(db.pool())
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
            history(db, actor, contractor_id).await?
        } else {
            Vec::new()
        },
        work_kinds: super::work_kinds::choices(db, actor, contractor_id).await?,
    })
}

async fn history(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
) -> Result<Vec<HistoryEntry>, ServiceError> {
    let when = super::agency::instant_format(db, actor).await?;
    Ok(
        audit::contractor_history(db.pool(), actor.agency_id, contractor_id, 50)
            .await?
            .into_iter()
            .map(|row| HistoryEntry {
                when: when(row.at),
                who: row.actor_name.unwrap_or_else(|| "Certidesk".into()),
                what: format!(
                    "{}: {}",
                    match row.action.as_str() {
                        "certificate_requested" => "Requested",
                        "certificate_uploaded" => "Uploaded",
                        "certificate_uploaded_valid" => "Uploaded as valid",
                        "certificate_validated" => "Ticked Valid",
                        "compliance_overridden" => "Overrode the compliance block",
                        "task_instructed" => "Instructed works",
                        "quote_requested" => "Asked for a quote",
                        "quote_accepted" => "Quote accepted",
                        "certificate_imported" => "Imported",
                        "work_kinds_set" => "Kinds of work",
                        "work_kind_imported" => "Kind of work imported",
                        "certificate_chased" => "Chasing",
                        "certificate_validation_undone" => "Undid Valid",
                        other => other,
                    },
                    row.detail
                ),
            })
            .collect(),
    )
}

/// The contractor portal's badge: required certificates the office still has to provide
/// (missing, expired or expiring soon, with nothing waiting for validation).
pub async fn outstanding_requests(db: &Db, actor: &Actor, now: i64) -> Result<u32, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    Ok(
        outstanding_certificates(db, actor.agency_id, contractor_id, now)
            .await?
            .len() as u32,
    )
}

/// The certificate types an agency still waits for from a contractor: missing, expired or
/// expiring soon, with nothing uploaded that waits for validation.
pub(super) async fn outstanding_certificates(
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
    db: &Db,
    actor: &Actor,
    now: i64,
) -> Result<Vec<crate::domain::records::ContractorChoice>, ServiceError> {
    Ok(contractor_list(db, actor, None, now)
        .await?
        .into_iter()
        .map(|row| crate::domain::records::ContractorChoice {
            id: row.id,
            company_name: row.company_name,
            trade: row.trade,
            light: row.light,
            suspended: row.suspended,
        })
        .collect())
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
