//! The service report: a PDF of a task performed on site (the task and property, service tasks
//! with their results, defects with severity and photos, the notes, and the signatures with
//! names and times), issued once and kept, so its SHA-256 means something.
//!
//! A version is issued the first time the report is needed after what it shows changed (the
//! work performed, the Desk view completing the task, a defect added): the content's digest is
//! compared with the latest version's. The task page and the performing request ask for it at
//! once, a download asks again, so a crash between the two loses nothing. Each version carries
//! an unguessable code; `/verify/{code}` answers without signing in, with only what proves the
//! record, and checks a file against the hash. The agency may withdraw a code.

use super::service_work::{defect_photo, PhotoSize};
use crate::db::Db;
use crate::domain::identity::Permission;
use crate::domain::records::{ReportVerification, ReportVersionEntry};
use crate::domain::signature::Drawing;
use crate::files::pdf::{Column, Frame, PdfWriter};
use crate::files::{signatures, Staged};
use crate::services::auth::Actor;
use crate::services::heavy::{self, Work};
use crate::services::Context;
use crate::services::ServiceError;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A version of a task's report as issued.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct IssuedReport {
    pub id: i64,
    pub task_id: i64,
    pub version: i64,
    pub code: String,
    pub file_key: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub pages: i64,
    pub content_digest: String,
    pub issued_at: i64,
    pub withdrawn_at: Option<i64>,
}

const REPORT_COLUMNS: &str = "id, task_id, version, code, file_key, sha256, size_bytes, pages, \
                              content_digest, issued_at, withdrawn_at";

/// What the report prints; its digest decides whether a new version is due.
#[derive(Serialize)]
struct ReportContent {
    reference: String,
    title: String,
    agency: String,
    details: Vec<(&'static str, String)>,
    technicians: Vec<String>,
    service_tasks: Vec<[String; 3]>,
    defects: Vec<DefectContent>,
    notes: Option<String>,
    signatures: Vec<SignatureContent>,
}

#[derive(Serialize)]
struct DefectContent {
    cells: [String; 4],
    photos: Vec<i64>,
}

#[derive(Serialize)]
struct SignatureContent {
    id: i64,
    line: String,
}

impl ReportContent {
    fn from_task(task: &crate::domain::records::TaskDetail, actor: &Actor) -> Self {
        let format = actor.date_format;
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| format.format(d)).unwrap_or("—".into());
        let s = &task.summary;
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        ReportContent {
            reference: s.reference.clone(),
            title: s.title.clone(),
            agency: actor.agency_name.clone(),
            details: vec![
                ("Agency", actor.agency_name.clone()),
                ("Contractor", or_dash(&task.contractor)),
                ("Property", s.address.clone()),
                ("Access", or_dash(&task.access_details)),
                ("Due", date(s.due_date)),
                ("Scheduled", date(s.scheduled_date)),
                ("On site", date(task.on_site_date)),
                ("Purchase order", or_dash(&task.purchase_order)),
                ("Status", s.status.label().to_string()),
            ],
            technicians: task.technicians.iter().map(|t| t.name.clone()).collect(),
            service_tasks: task
                .service_tasks
                .iter()
                .map(|st| {
                    let result = match (&st.outcome, &st.reading) {
                        (Some(o), Some(r)) => format!("{} (reading {r})", o.label()),
                        (Some(o), None) => o.label().to_string(),
                        (None, _) => "No result recorded".into(),
                    };
                    [st.name.clone(), result, or_dash(&st.recorded)]
                })
                .collect(),
            defects: task
                .defects
                .iter()
                .map(|d| DefectContent {
                    cells: [
                        d.severity.label().to_string(),
                        d.description.clone(),
                        or_dash(&d.service_task),
                        format!("{}, {}", d.who, d.when),
                    ],
                    photos: d.photos.clone(),
                })
                .collect(),
            notes: task.performed_notes.clone(),
            signatures: task
                .signatures
                .iter()
                .map(|e| SignatureContent {
                    id: e.id,
                    line: format!("{}: {}, signed {}", e.role, e.name, e.when),
                })
                .collect(),
        }
    }

    fn digest(&self) -> String {
        hex(&Sha256::digest(
            serde_json::to_vec(self).expect("report content serialises"),
        ))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a file, as the verification page shows it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Where a report's code is checked.
pub fn verify_url(public_url: &str, code: &str) -> String {
    format!("{}/verify/{code}", public_url.trim_end_matches('/'))
}

/// 20 characters of a lower-case base-32 alphabet without look-alikes: 100 random bits, short
/// enough to type from paper.
fn new_code() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect()
}

/// The report's file, issued first if what it shows has changed, as (file name, PDF bytes).
pub async fn service_report(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    now: i64,
) -> Result<(String, Vec<u8>), ServiceError> {
    let (reference, issued) = current_report(cx, actor, task_id, now).await?;
    let bytes = cx
        .files
        .read(&issued.file_key)
        .await
        .map_err(|e| ServiceError::Internal(format!("report {} unreadable: {e}", issued.id)))?;
    Ok((
        format!("service-report-{reference}-v{}.pdf", issued.version),
        bytes,
    ))
}

/// The latest version of the task's report, issuing a new one when the record changed since,
/// with the task's reference.
pub async fn current_report(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    now: i64,
) -> Result<(String, IssuedReport), ServiceError> {
    let task = super::detail::task_detail(cx, actor, task_id, now).await?;
    if !task.report_available {
        return Err(ServiceError::Refused(
            "The service report exists once the work is performed on site.".into(),
        ));
    }
    let content = ReportContent::from_task(&task, actor);
    let digest = content.digest();
    let reference = content.reference.clone();
    let latest = latest_version(&cx.db, task_id).await?;
    if let Some(latest) = latest.as_ref().filter(|l| l.content_digest == digest) {
        return Ok((reference, latest.clone()));
    }
    let version = latest.map_or(1, |l| l.version + 1);
    let issued = issue(cx, actor, task_id, content, &digest, version, now).await?;
    Ok((reference, issued))
}

/// Issues the report a change brought, in the background: the person who made the change does
/// not wait for it, and a failure is only logged, since the next download issues it anyway.
pub fn issue_in_background(cx: Context, actor: Actor, task_id: i64) {
    tokio::spawn(async move {
        let now = crate::services::auth::now();
        if let Err(e) = current_report(&cx, &actor, task_id, now).await {
            tracing::warn!("task {task_id}: the service report was not issued now: {e}");
        }
    });
}

async fn latest_version(db: &Db, task_id: i64) -> Result<Option<IssuedReport>, ServiceError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM service_reports WHERE task_id = $1 \
         ORDER BY version DESC LIMIT 1"
    ))
    .bind(task_id)
    .fetch_optional(db.pool())
    .await?)
}

#[allow(clippy::too_many_arguments)]
async fn issue(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    content: ReportContent,
    digest: &str,
    version: i64,
    now: i64,
) -> Result<IssuedReport, ServiceError> {
    let mut photos = Vec::new();
    for defect in &content.defects {
        let mut jpegs = Vec::new();
        for photo in &defect.photos {
            jpegs.push(defect_photo(cx, actor, *photo, PhotoSize::Thumbnail).await?);
        }
        photos.push(jpegs);
    }
    let strokes: Vec<SignatureStrokes> = sqlx::query_as(
        "SELECT id, strokes FROM signatures WHERE task_id = $1 AND withdrawn_at IS NULL \
             ORDER BY id",
    )
    .bind(task_id)
    .fetch_all(cx.db.pool())
    .await?;
    let drawings: Vec<Option<Drawing>> = content
        .signatures
        .iter()
        .map(|s| {
            strokes
                .iter()
                .find(|row| row.id == s.id)
                .and_then(|row| serde_json::from_str(&row.strokes).ok())
        })
        .collect();
    let code = new_code();
    let issued_line = format!("Version {version}, issued {}", actor.instant_format()(now));
    let address = verify_url(&cx.public_url, &code);
    let created = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    let (bytes, pages) = heavy::run(Work::Pdf, move || {
        render(
            &content,
            &photos,
            &drawings,
            &address,
            &issued_line,
            created,
        )
    })
    .await?
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let sha256 = sha256_hex(&bytes);
    let mut staged = Staged::new(&cx.files);
    let key = staged
        .put("reports", actor.agency_id, "pdf", &bytes)
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let recorded = async {
        let mut tx = cx.db.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO service_reports (agency_id, task_id, version, code, file_key, sha256, \
             size_bytes, pages, content_digest, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(actor.agency_id)
        .bind(task_id)
        .bind(version)
        .bind(&code)
        .bind(&key)
        .bind(&sha256)
        .bind(bytes.len() as i64)
        .bind(pages as i64)
        .bind(digest)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok::<i64, ServiceError>(id)
    }
    .await;
    match staged.settle(recorded).await {
        Ok(id) => Ok(IssuedReport {
            id,
            task_id,
            version,
            code,
            file_key: key,
            sha256,
            size_bytes: bytes.len() as i64,
            pages: pages as i64,
            content_digest: digest.to_string(),
            issued_at: now,
            withdrawn_at: None,
        }),
        Err(e) => {
            // Another request issued this version at the same moment: theirs stands.
            match latest_version(&cx.db, task_id).await? {
                Some(latest) if latest.content_digest == digest => Ok(latest),
                _ => Err(e),
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct SignatureStrokes {
    id: i64,
    strokes: String,
}

/// Lays the report out and writes it; answers the bytes and the number of pages.
fn render(
    content: &ReportContent,
    photos: &[Vec<Vec<u8>>],
    drawings: &[Option<Drawing>],
    address: &str,
    issued_line: &str,
    created: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<u8>, usize), crate::files::pdf::PdfError> {
    let mut pdf = PdfWriter::new();
    pdf.text(&format!("Service report {}", content.reference), 18.0, true);
    pdf.text(&content.title, 13.0, false);
    pdf.gap(8.0);
    let mut details = content.details.clone();
    if !content.technicians.is_empty() {
        details.push(("Technicians", content.technicians.join(", ")));
    }
    pdf.details(&details);

    pdf.heading("Service tasks");
    if content.service_tasks.is_empty() {
        pdf.text("None were listed.", 10.0, false);
    } else {
        let rows: Vec<Vec<String>> = content.service_tasks.iter().map(|r| r.to_vec()).collect();
        pdf.table(
            &[
                column("Service task", 3.0),
                column("Result", 2.0),
                column("Recorded", 2.2),
            ],
            &rows,
        );
    }

    pdf.heading("Defects");
    if content.defects.is_empty() {
        pdf.text("No defects were reported.", 10.0, false);
    } else {
        let rows: Vec<Vec<String>> = content.defects.iter().map(|d| d.cells.to_vec()).collect();
        pdf.table(
            &[
                column("Severity", 1.3),
                column("Defect", 3.2),
                column("Service task", 1.8),
                column("Reported", 2.0),
            ],
            &rows,
        );
        for (defect, jpegs) in content.defects.iter().zip(photos) {
            if jpegs.is_empty() {
                continue;
            }
            pdf.gap(6.0);
            pdf.text(
                &format!("Photos: {} — {}", defect.cells[0], defect.cells[1]),
                9.5,
                true,
            );
            for jpeg in jpegs {
                if let Some((w, h)) = jpeg_size(jpeg) {
                    pdf.image(jpeg.clone(), w, h, 160.0);
                }
            }
        }
    }

    pdf.heading("Notes");
    pdf.text(content.notes.as_deref().unwrap_or("No notes."), 10.0, false);

    pdf.heading("Signatures");
    for (entry, drawing) in content.signatures.iter().zip(drawings) {
        pdf.text(&entry.line, 10.0, true);
        if let Some(drawing) = drawing {
            pdf.image(
                signatures::jpeg(drawing),
                signatures::WIDTH,
                signatures::HEIGHT,
                210.0,
            );
        }
    }

    // The heading, the code and its address on one page.
    pdf.keep_together(84.0 + 50.0);
    pdf.heading("Verify this report");
    pdf.qr_code(
        address,
        84.0,
        &[
            issued_line.to_string(),
            "Open the address or scan the code to see the record this report was issued from, \
             and check that a copy is unaltered."
                .to_string(),
        ],
    )?;
    let pages = pdf.page_count();
    let bytes = pdf.finish(&Frame {
        title: format!("Service report {}", content.reference),
        author: content.agency.clone(),
        header: (content.agency.clone(), content.reference.clone()),
        footer: format!("{issued_line} · {address}"),
        created,
    })?;
    Ok((bytes, pages))
}

fn column(heading: &str, share: f32) -> Column<'_> {
    Column { heading, share }
}

/// Width and height of a JPEG, from its header.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Jpeg)
        .into_dimensions()
        .ok()
}

/// The task's report versions, newest first, for whoever may read the task.
pub async fn report_versions(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
) -> Result<Vec<ReportVersionEntry>, ServiceError> {
    super::access::TaskAccess::load(&cx.db, actor, task_id).await?;
    versions_of(&cx.db, actor, task_id).await
}

/// The versions of a task its reader already holds (so already authorized), for its page.
pub async fn versions_of_task(
    cx: &Context,
    actor: &Actor,
    task: &crate::domain::records::TaskDetail,
) -> Result<Vec<ReportVersionEntry>, ServiceError> {
    versions_of(&cx.db, actor, task.summary.id).await
}

async fn versions_of(
    db: &Db,
    actor: &Actor,
    task_id: i64,
) -> Result<Vec<ReportVersionEntry>, ServiceError> {
    let rows: Vec<IssuedReport> = sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM service_reports WHERE task_id = $1 AND agency_id = $2 \
         ORDER BY version DESC"
    ))
    .bind(task_id)
    .bind(actor.agency_id)
    .fetch_all(db.pool())
    .await?;
    let at = actor.instant_format();
    Ok(rows
        .into_iter()
        .map(|r| ReportVersionEntry {
            version: r.version,
            code: r.code,
            issued: at(r.issued_at),
            withdrawn: r.withdrawn_at.is_some(),
        })
        .collect())
}

/// The agency withdraws a version's code: `/verify/{code}` then says so and shows nothing else.
pub async fn withdraw_code(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    version: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::InstructWork)?;
    let mut tx = cx.db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE service_reports SET withdrawn_at = $1, withdrawn_by = $2 \
         WHERE task_id = $3 AND version = $4 AND agency_id = $5 AND withdrawn_at IS NULL",
    )
    .bind(now)
    .bind(actor.user_id)
    .bind(task_id)
    .bind(version)
    .bind(actor.agency_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(ServiceError::NotFound("report version"));
    }
    crate::db::audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "report.code_withdrawn",
        None,
        &format!("task {task_id}, version {version}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct VerificationRow {
    task_id: i64,
    version: i64,
    sha256: String,
    issued_at: i64,
    withdrawn_at: Option<i64>,
    agency: String,
    time_zone: String,
    date_format: String,
    reference: String,
    postcode: String,
    on_site_date: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SignedRow {
    role: String,
    signer_name: String,
    signed_at: i64,
}

/// Codes are 20 characters of the code alphabet; anything else is not looked up.
fn plausible_code(code: &str) -> bool {
    code.len() == 20
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

async fn verification_row(db: &Db, code: &str) -> Result<VerificationRow, ServiceError> {
    if !plausible_code(code) {
        return Err(ServiceError::NotFound("report"));
    }
    let row: Option<VerificationRow> = sqlx::query_as(
        "SELECT r.task_id, r.version, r.sha256, r.issued_at, r.withdrawn_at, a.name AS agency, \
         a.time_zone, a.date_format, t.reference, p.postcode, t.on_site_date \
         FROM service_reports r JOIN tasks t ON t.id = r.task_id \
         JOIN agencies a ON a.id = r.agency_id JOIN properties p ON p.id = t.property_id \
         WHERE r.code = $1",
    )
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    let row = row.ok_or(ServiceError::NotFound("report"))?;
    if row.withdrawn_at.is_some() {
        return Err(ServiceError::Refused(
            "The agency has withdrawn this verification code. Ask them for a current copy of \
             the report."
                .into(),
        ));
    }
    Ok(row)
}

/// The record behind a code, for anyone who has it.
pub async fn verification(cx: &Context, code: &str) -> Result<ReportVerification, ServiceError> {
    let row = verification_row(&cx.db, code).await?;
    let format =
        crate::domain::dates::DateFormat::from_pattern(&row.date_format).unwrap_or_default();
    let at = crate::domain::dates::instant_formatter(&row.time_zone, format);
    let signed: Vec<SignedRow> = sqlx::query_as(
        "SELECT role, signer_name, signed_at FROM signatures WHERE task_id = $1 \
         AND signed_at <= $2 AND (withdrawn_at IS NULL OR withdrawn_at > $2) ORDER BY id",
    )
    .bind(row.task_id)
    .bind(row.issued_at)
    .fetch_all(cx.db.pool())
    .await?;
    let latest_version: i64 =
        sqlx::query_scalar("SELECT MAX(version) FROM service_reports WHERE task_id = $1")
            .bind(row.task_id)
            .fetch_one(cx.db.pool())
            .await?;
    let performed_on = row
        .on_site_date
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| format.format(d));
    Ok(ReportVerification {
        agency: row.agency,
        reference: row.reference,
        postcode: row.postcode,
        performed_on,
        signatures: signed
            .iter()
            .map(|s| {
                let role = if s.role == "client" {
                    "Client"
                } else {
                    "Contractor"
                };
                format!("{role}: {}, signed {}", s.signer_name, at(s.signed_at))
            })
            .collect(),
        version: row.version,
        latest_version,
        issued: at(row.issued_at),
        sha256: row.sha256,
    })
}

/// Whether a file is the report issued under `code`, byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub unaltered: bool,
    pub sha256: String,
    pub message: String,
}

/// Compares a file someone was given with the version issued under `code`.
pub async fn check_file(
    cx: &Context,
    code: &str,
    file: Vec<u8>,
) -> Result<FileCheck, ServiceError> {
    let row = verification_row(&cx.db, code).await?;
    let sha256 = heavy::run(Work::Pdf, move || sha256_hex(&file)).await?;
    let unaltered = sha256 == row.sha256;
    let message = if unaltered {
        format!(
            "Unaltered: this file is version {} of the report on {}, exactly as issued.",
            row.version, row.reference
        )
    } else {
        format!(
            "Altered, or not this report: the file's SHA-256 is not the one version {} of {} \
             was issued with. Ask the agency for the original.",
            row.version, row.reference
        )
    };
    Ok(FileCheck {
        unaltered,
        sha256,
        message,
    })
}

/// A signature's PNG for whoever may read its task.
pub async fn signature_png(
    cx: &Context,
    actor: &Actor,
    signature_id: i64,
) -> Result<Vec<u8>, ServiceError> {
    #[derive(sqlx::FromRow)]
    struct SignatureRow {
        task_id: Option<i64>,
        user_id: Option<i64>,
        png_key: String,
    }
    let SignatureRow {
        task_id,
        user_id,
        png_key: key,
    } = sqlx::query_as(
        "SELECT task_id, user_id, png_key FROM signatures WHERE id = $1 AND agency_id = $2",
    )
    .bind(signature_id)
    .bind(actor.agency_id)
    .fetch_optional(cx.db.pool())
    .await?
    .ok_or(ServiceError::NotFound("signature"))?;
    match task_id {
        Some(task_id) => {
            super::access::TaskAccess::load(&cx.db, actor, task_id)
                .await
                .map_err(|_| ServiceError::NotFound("signature"))?;
        }
        // A saved signature is its owner's only.
        None if user_id == Some(actor.user_id) => {}
        None => return Err(ServiceError::NotFound("signature")),
    }
    cx.files.read(&key).await.map_err(|e| {
        tracing::error!("signature {signature_id}: stored file unreadable: {e}");
        ServiceError::NotFound("signature")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_random_and_from_the_alphabet() {
        let a = new_code();
        let b = new_code();
        assert_ne!(a, b);
        assert!(plausible_code(&a) && plausible_code(&b));
        assert!(!a.contains(['0', '1', 'l', 'o']));
        assert!(!plausible_code("../../etc/passwd"));
        assert!(!plausible_code(&"A".repeat(20)));
    }
}
