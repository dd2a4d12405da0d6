//! Certificates as people handle them: an agent requests a type of a contractor, the office (or
//! an agent on its behalf) uploads a document, an agent ticks it Valid (and may undo it for a
//! short while); each write notifies, audits and bumps the agency's certification version.

use super::access::{own_certificate_type, visible_contractor};
use super::cache::{agency_view, bump_certification_version, Changed};
use crate::db::{audit, Db};
use crate::domain::certificate_reading::{Proposal, ReadOutcome};
use crate::domain::compliance::{validation_undoable, RelatesTo, Reminder, VALIDATION_UNDO_MS};
use crate::domain::dates::to_storage;
use crate::domain::files::{check_upload, safe_file_name, FileKind, MAX_CERTIFICATE_BYTES};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::webhooks::EventType;
use crate::events::{Change, Topic};
use crate::files::Staged;
use crate::services::auth::Actor;
use crate::services::webhooks::{self, Event};
use crate::services::Context;
use crate::services::{certificate_reading, mail, ServiceError};
use chrono::NaiveDate;
use serde_json::json;

/// Who reads a contractor's certification mail: its active office users, or the company's own
/// address when it has none.
pub(crate) async fn contractor_recipients(
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
    cx: &Context,
    actor: &Actor,
    contractor_id: i64,
    certificate_type_id: i64,
    now: i64,
) -> Result<bool, ServiceError> {
    actor.require(Permission::ManageCertification)?;
    visible_contractor(&cx.db, actor, contractor_id).await?;
    let type_name = own_certificate_type(&cx.db, actor, certificate_type_id).await?;
    let mut tx = cx.db.begin_write().await?;
    let request = Request {
        contractor_id,
        certificate_type_id,
        type_name: &type_name,
    };
    if !require_certificate_in(&mut tx, actor, &request, &cx.public_url, now).await? {
        return Ok(false);
    }
    bump_certification_version(&mut tx, actor.agency_id, Changed::Contractor(contractor_id))
        .await?;
    tx.commit().await?;
    cx.db
        .publish(certification_changed(actor.agency_id, contractor_id))
        .await;
    Ok(true)
}

/// A certificate type to require of a contractor; both already checked as the agency's.
pub(crate) struct Request<'a> {
    pub contractor_id: i64,
    pub certificate_type_id: i64,
    pub type_name: &'a str,
}

/// Inside the caller's transaction: records the requirement, its audit entry and the email to
/// the contractor's office; false (and nothing written) when it was already required. The caller
/// moves the certification version and publishes the change.
pub(crate) async fn require_certificate_in(
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
        actor.audit_by(),
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
    cx: &Context,
    actor: &Actor,
    document: NewDocument,
    upload: Upload,
    now: i64,
) -> Result<i64, ServiceError> {
    let type_name = may_add_document(&cx.db, actor, &document).await?;
    let kind = upload.certificate_file_kind()?;
    // Read before anything is written: a PDF that cannot be read costs the reading, not the upload.
    let proposal = certificate_reading::read_file(kind, &upload.bytes, &type_name).await;
    let mut staged = Staged::new(&cx.files);
    let key = staged
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
    let recorded = record_document(
        &cx.db,
        actor,
        &document,
        &type_name,
        Some((&stored, &proposal)),
        now,
    )
    .await;
    staged.settle(recorded).await
}

/// Records a certificate document without a file (imports, and dates typed from a paper copy).
pub async fn add_document(
    cx: &Context,
    actor: &Actor,
    document: NewDocument,
    now: i64,
) -> Result<i64, ServiceError> {
    let type_name = may_add_document(&cx.db, actor, &document).await?;
    record_document(&cx.db, actor, &document, &type_name, None, now).await
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
    bump_certification_version(
        &mut tx,
        actor.agency_id,
        Changed::Contractor(document.contractor_id),
    )
    .await?;
    let data = json!({
        "document_id": id,
        "contractor_id": document.contractor_id,
        "certificate_type_id": document.certificate_type_id,
        "certificate_type": type_name,
        "start_date": document.start_date.map(to_storage),
        "end_date": document.end_date.map(to_storage),
        "file_name": file.map(|f| f.name.as_str()),
        "validated": document.validated,
        "by": actor.name,
    });
    if document.validated {
        let event = Event::new(EventType::CertificateValidated, data.clone());
        webhooks::emit(&mut tx, actor.agency_id, &event, now).await?;
    }
    let event = Event::new(EventType::CertificateUploaded, data);
    webhooks::emit(&mut tx, actor.agency_id, &event, now).await?;
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
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
    cx: &Context,
    actor: &Actor,
    document_id: i64,
) -> Result<crate::files::StoredFile, ServiceError> {
    #[derive(sqlx::FromRow)]
    struct FileRow {
        contractor_id: i64,
        file_key: Option<String>,
        file_name: Option<String>,
        content_type: Option<String>,
    }
    let row: Option<FileRow> = sqlx::query_as(
        "SELECT contractor_id, file_key, file_name, content_type FROM certificate_documents \
         WHERE id = $1 AND agency_id = $2",
    )
    .bind(document_id)
    .bind(actor.agency_id)
    .fetch_optional(cx.db.pool())
    .await?;
    let row = row.ok_or(ServiceError::NotFound("document"))?;
    visible_contractor(&cx.db, actor, row.contractor_id)
        .await
        .map_err(|e| match e {
            ServiceError::Forbidden(_) | ServiceError::NotFound(_) => {
                ServiceError::NotFound("document")
            }
            other => other,
        })?;
    let key = row.file_key.ok_or(ServiceError::NotFound("file"))?;
    let bytes = cx.files.read(&key).await.map_err(|e| {
        tracing::error!("document {document_id}: stored file unreadable: {e}");
        ServiceError::NotFound("file")
    })?;
    Ok(crate::files::StoredFile {
        name: row.file_name.unwrap_or_else(|| "document".into()),
        content_type: row
            .content_type
            .unwrap_or_else(|| "application/octet-stream".into()),
        bytes,
    })
}

/// An agent ticks a document Valid. Validating twice changes nothing.
pub async fn validate_document(
    cx: &Context,
    actor: &Actor,
    document_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let mut tx = cx.db.begin_write().await?;
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
    let event = Event::new(
        EventType::CertificateValidated,
        json!({
            "document_id": document_id,
            "contractor_id": contractor_id,
            "certificate_type_id": type_id,
            "by": actor.name,
        }),
    );
    webhooks::emit(&mut tx, actor.agency_id, &event, now).await?;
    validation_changed(
        &cx.db,
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
    bump_certification_version(&mut tx, actor.agency_id, Changed::Contractor(contractor_id))
        .await?;
    let type_name: String = sqlx::query_scalar("SELECT name FROM certificate_types WHERE id = $1")
        .bind(type_id)
        .fetch_one(&mut *tx)
        .await?;
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
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
    cx: &Context,
    actor: &Actor,
    document_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let mut tx = cx.db.begin_write().await?;
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
        &cx.db,
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
pub async fn to_validate(cx: &Context, actor: &Actor, now: i64) -> Result<u32, ServiceError> {
    actor.require_agent()?;
    if actor.require(Permission::ManageCertification).is_err() {
        return Ok(0);
    }
    Ok(agency_view(&cx.db, &cx.statuses, actor.agency_id, now)
        .await?
        .awaiting_validation())
}
