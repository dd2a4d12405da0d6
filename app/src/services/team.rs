//! The contractor's team: its office manages its technicians (who sign in by emailed link only)
//! and uploads their accreditations. The agency reads accreditations where it sees them on a task.

use super::auth::Actor;
use super::compliance::Upload;
use super::ServiceError;
use crate::db::{audit, id_list, sessions};
use crate::domain::accreditation::Accreditation;
use crate::domain::dates::{from_storage, to_storage};
use crate::domain::files::safe_file_name;
use crate::domain::identity::{normalize_email, normalize_mobile, UserKind};
use crate::domain::records::{AccreditationRow, Team, TeamMember, TechnicianDetails};
use crate::files::Staged;
use crate::services::Context;
use chrono::NaiveDate;
use sqlx::FromRow;
use std::collections::HashMap;

#[derive(FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    mobile: Option<String>,
    active: i64,
}

#[derive(FromRow)]
struct AccreditationDbRow {
    id: i64,
    technician_id: i64,
    type_name: String,
    start_date: Option<String>,
    end_date: Option<String>,
    file_name: Option<String>,
}

/// The office's technicians (active first) with their accreditations, newest first.
pub async fn team(cx: &Context, actor: &Actor, now: i64) -> Result<Team, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let members: Vec<MemberRow> = sqlx::query_as(
        "SELECT id, name, email, mobile, active FROM users \
         WHERE agency_id = $1 AND contractor_id = $2 AND kind = 'technician' \
         ORDER BY active DESC, lower(name), id",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(cx.db.pool())
    .await?;
    let rows: Vec<AccreditationDbRow> = sqlx::query_as(
        "SELECT a.id, a.technician_id, t.name AS type_name, a.start_date, a.end_date, a.file_name \
         FROM technician_certificates a JOIN certificate_types t ON t.id = a.certificate_type_id \
         WHERE a.agency_id = $1 AND a.contractor_id = $2 ORDER BY a.uploaded_at DESC, a.id DESC",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(cx.db.pool())
    .await?;
    let today = actor.today(now);
    let mut by_technician: HashMap<i64, Vec<AccreditationRow>> = HashMap::new();
    for r in rows {
        let end_date = r.end_date.as_deref().and_then(from_storage);
        by_technician
            .entry(r.technician_id)
            .or_default()
            .push(AccreditationRow {
                id: r.id,
                type_name: r.type_name,
                start_date: r.start_date.as_deref().and_then(from_storage),
                end_date,
                has_file: r.file_name.is_some(),
                file_name: r.file_name.unwrap_or_default(),
                expired: end_date.is_some_and(|end| end < today),
            });
    }
    let technician_types = sqlx::query_as(
        "SELECT id, name FROM certificate_types WHERE agency_id = $1 AND applies_to_technicians = 1 \
         ORDER BY lower(name), id",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    Ok(Team {
        members: members
            .into_iter()
            .map(|m| TeamMember {
                accreditations: by_technician.remove(&m.id).unwrap_or_default(),
                id: m.id,
                name: m.name,
                email: m.email,
                mobile: m.mobile,
                active: m.active == 1,
            })
            .collect(),
        technician_types,
    })
}

/// Checks a technician's details: a name, an email address, an optional mobile number.
fn check_details(
    details: &TechnicianDetails,
) -> Result<(String, String, Option<String>), ServiceError> {
    let name = details.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ServiceError::invalid(
            "name",
            "Give the technician's name (up to 100 characters).",
        ));
    }
    let email = normalize_email(&details.email).map_err(|_| {
        ServiceError::invalid(
            "email",
            "Give the email address their sign-in links go to, like name@example.com.",
        )
    })?;
    let mobile =
        normalize_mobile(&details.mobile).map_err(|e| ServiceError::invalid("mobile", e))?;
    Ok((name.to_string(), email, mobile))
}

/// Adds a technician to the office's company; they sign in by emailed link, never a password.
pub async fn add_technician(
    cx: &Context,
    actor: &Actor,
    details: &TechnicianDetails,
    now: i64,
) -> Result<i64, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let (name, email, mobile) = check_details(details)?;
    let mut tx = cx.db.begin_write().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = $1")
        .bind(&email)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(ServiceError::invalid(
            "email",
            "Someone already signs in with this address. Each technician needs their own.",
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, mobile, active, created_at) \
         VALUES ($1, 'technician', $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .bind(&email)
    .bind(&name)
    .bind(mobile)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "technician_added",
        Some(id),
        &name,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// One of the office's own technicians, or not found.
async fn own_technician(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    technician_id: i64,
) -> Result<String, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1 AND agency_id = $2 AND contractor_id = $3 \
         AND kind = 'technician'",
    )
    .bind(technician_id)
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_optional(conn)
    .await?
    .ok_or(ServiceError::NotFound("technician"))
}

/// Corrects a technician's name or mobile, or makes them inactive (which signs them out at
/// once and keeps them off pickers) or active again. Their email address is their identity and
/// stays as it is.
pub async fn update_technician(
    cx: &Context,
    actor: &Actor,
    technician_id: i64,
    name: &str,
    mobile: &str,
    active: bool,
    now: i64,
) -> Result<(), ServiceError> {
    let details = TechnicianDetails {
        name: name.into(),
        email: "kept@as.is".into(),
        mobile: mobile.into(),
    };
    let (name, _, mobile) = check_details(&details)?;
    let mut tx = cx.db.begin_write().await?;
    own_technician(&mut tx, actor, technician_id).await?;
    sqlx::query("UPDATE users SET name = $1, mobile = $2, active = $3 WHERE id = $4")
        .bind(&name)
        .bind(mobile)
        .bind(i64::from(active))
        .bind(technician_id)
        .execute(&mut *tx)
        .await?;
    if !active {
        sessions::end_all_for_user(&mut *tx, technician_id).await?;
    }
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        if active {
            "technician_updated"
        } else {
            "technician_made_inactive"
        },
        Some(technician_id),
        &name,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An accreditation as the office uploads it.
#[derive(Clone, Debug)]
pub struct NewAccreditation {
    pub technician_id: i64,
    pub certificate_type_id: i64,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// Uploads a technician's accreditation with its file: checked by content and size, stored,
/// then recorded; if recording fails the stored file is removed again.
pub async fn upload_accreditation(
    cx: &Context,
    actor: &Actor,
    accreditation: NewAccreditation,
    upload: Upload,
    now: i64,
) -> Result<i64, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let mut conn = cx.db.pool().acquire().await?;
    let technician = own_technician(&mut conn, actor, accreditation.technician_id).await?;
    let type_name: String = sqlx::query_scalar(
        "SELECT name FROM certificate_types WHERE id = $1 AND agency_id = $2 \
         AND applies_to_technicians = 1",
    )
    .bind(accreditation.certificate_type_id)
    .bind(actor.agency_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| {
        ServiceError::invalid(
            "certificate_type_id",
            "Choose one of the certificate types the agency asks of technicians.",
        )
    })?;
    drop(conn);
    if let (Some(start), Some(end)) = (accreditation.start_date, accreditation.end_date) {
        if end < start {
            return Err(ServiceError::invalid(
                "end_date",
                "The end date is before the start date.",
            ));
        }
    }
    if upload.bytes.is_empty() && upload.file_name.is_empty() {
        return Err(ServiceError::invalid(
            "file",
            "Choose the accreditation's file (PDF or photo).",
        ));
    }
    let kind = upload.certificate_file_kind()?;
    let mut staged = Staged::new(&cx.files);
    let key = staged
        .put(
            "accreditations",
            actor.agency_id,
            kind.extension(),
            &upload.bytes,
        )
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let file_name = safe_file_name(&upload.file_name, Some(kind));
    let recorded = async {
        let mut tx = cx.db.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO technician_certificates (agency_id, contractor_id, technician_id, \
             certificate_type_id, file_key, file_name, content_type, size_bytes, start_date, \
             end_date, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(actor.agency_id)
        .bind(contractor_id)
        .bind(accreditation.technician_id)
        .bind(accreditation.certificate_type_id)
        .bind(&key)
        .bind(&file_name)
        .bind(kind.content_type())
        .bind(upload.bytes.len() as i64)
        .bind(accreditation.start_date.map(to_storage))
        .bind(accreditation.end_date.map(to_storage))
        .bind(actor.user_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut *tx,
            actor.agency_id,
            actor.audit_by(),
            "accreditation_uploaded",
            Some(accreditation.technician_id),
            &format!("{technician}: {type_name}"),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<i64, ServiceError>(id)
    }
    .await;
    staged.settle(recorded).await
}

/// An accreditation's file, for the technician's own office, the technician, or the agency:
/// (safe file name, content type, bytes).
pub async fn accreditation_file(
    cx: &Context,
    actor: &Actor,
    id: i64,
) -> Result<crate::files::StoredFile, ServiceError> {
    #[derive(sqlx::FromRow)]
    struct FileRow {
        contractor_id: i64,
        technician_id: i64,
        file_key: Option<String>,
        file_name: Option<String>,
        content_type: Option<String>,
    }
    let row: Option<FileRow> = sqlx::query_as(
        "SELECT contractor_id, technician_id, file_key, file_name, content_type \
         FROM technician_certificates WHERE id = $1 AND agency_id = $2",
    )
    .bind(id)
    .bind(actor.agency_id)
    .fetch_optional(cx.db.pool())
    .await?;
    let row = row.ok_or(ServiceError::NotFound("accreditation"))?;
    let allowed = match actor.kind {
        UserKind::Agent => true,
        UserKind::Contractor => actor.contractor_id == Some(row.contractor_id),
        UserKind::Technician => actor.user_id == row.technician_id,
    };
    if !allowed {
        return Err(ServiceError::NotFound("accreditation"));
    }
    let key = row.file_key.ok_or(ServiceError::NotFound("file"))?;
    let bytes = cx.files.read(&key).await.map_err(|e| {
        tracing::error!("accreditation {id}: stored file unreadable: {e}");
        ServiceError::NotFound("file")
    })?;
    Ok(crate::files::StoredFile {
        name: row.file_name.unwrap_or_else(|| "accreditation".into()),
        content_type: row
            .content_type
            .unwrap_or_else(|| "application/octet-stream".into()),
        bytes,
    })
}

/// Every accreditation of these technicians (by technician), as the rule reads them.
pub(super) async fn accreditations_of(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    technician_ids: &[i64],
) -> Result<HashMap<i64, Vec<Accreditation>>, ServiceError> {
    let mut held: HashMap<i64, Vec<Accreditation>> = HashMap::new();
    if technician_ids.is_empty() {
        return Ok(held);
    }
    #[derive(sqlx::FromRow)]
    struct AccreditationRow {
        technician_id: i64,
        certificate_type_id: i64,
        end_date: Option<String>,
        uploaded_at: i64,
    }
    let rows: Vec<AccreditationRow> = sqlx::query_as(&format!(
        "SELECT technician_id, certificate_type_id, end_date, uploaded_at \
         FROM technician_certificates WHERE agency_id = $1 AND technician_id IN ({})",
        id_list(technician_ids)
    ))
    .bind(agency_id)
    .fetch_all(conn)
    .await?;
    for row in rows {
        held.entry(row.technician_id)
            .or_default()
            .push(Accreditation {
                certificate_type_id: row.certificate_type_id,
                end_date: row.end_date.as_deref().and_then(from_storage),
                uploaded_at: row.uploaded_at,
            });
    }
    Ok(held)
}
