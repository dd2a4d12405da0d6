//! The service report: a PDF made on the server for a task performed on site, from the record
//! as it is at that moment (so it is always current): the task and property, service tasks with
//! their results, defects with severity and photos, the notes, and the signatures with names and
//! times. Anyone who can read the task can download it.

use super::auth::Actor;
use super::service_tasks::{defect_photo, PhotoSize};
use super::ServiceError;
use crate::db::Db;
use crate::domain::signature::Drawing;
use crate::domain::task_status::TaskStatus;
use crate::files::pdf::PdfWriter;
use crate::files::{signatures, FileStore};

/// A report exists from "I've performed this work" on.
pub fn has_report(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::PerformedNeedDocs | TaskStatus::Performed | TaskStatus::Completed
    )
}

/// The report as (file name, PDF bytes).
pub async fn service_report(
    db: &Db,
    files: &FileStore,
    actor: &Actor,
    task_id: i64,
    now: i64,
) -> Result<(String, Vec<u8>), ServiceError> {
    let task = super::tasks::task_detail(db, actor, task_id, now).await?;
    if !task.report_available {
        return Err(ServiceError::Refused(
            "The service report exists once the work is performed on site.".into(),
        ));
    }
    let format = actor.date_format;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| format.format(d)).unwrap_or("—".into());
    let s = &task.summary;
    let mut pdf = PdfWriter::new();
    pdf.text(&format!("Service report {}", s.reference), 18.0, true);
    pdf.text(&s.title, 13.0, false);
    pdf.gap(6.0);
    for (label, value) in [
        ("Agency", actor.agency_name.clone()),
        ("Contractor", task.contractor.clone().unwrap_or("—".into())),
        ("Property", s.address.clone()),
        ("Access", task.access_details.clone().unwrap_or("—".into())),
        ("Due", date(s.due_date)),
        ("Scheduled", date(s.scheduled_date)),
        ("On site", date(task.on_site_date)),
        (
            "Purchase order",
            task.purchase_order.clone().unwrap_or("—".into()),
        ),
        ("Status", s.status.label().to_string()),
    ] {
        pdf.text(&format!("{label}: {value}"), 10.0, false);
    }
    if !s.technicians.is_empty() || !task.technicians.is_empty() {
        let names: Vec<&str> = task.technicians.iter().map(|t| t.name.as_str()).collect();
        pdf.text(&format!("Technicians: {}", names.join(", ")), 10.0, false);
    }

    pdf.heading("Service tasks");
    if task.service_tasks.is_empty() {
        pdf.text("None were listed.", 10.0, false);
    }
    for st in &task.service_tasks {
        let result = match (&st.outcome, &st.reading) {
            (Some(o), Some(r)) => format!("{} (reading {r})", o.label()),
            (Some(o), None) => o.label().to_string(),
            (None, _) => "No result recorded".into(),
        };
        let by = st
            .recorded
            .as_deref()
            .map(|r| format!(" — {r}"))
            .unwrap_or_default();
        pdf.text(&format!("• {}: {result}{by}", st.name), 10.0, false);
    }

    pdf.heading("Defects");
    if task.defects.is_empty() {
        pdf.text("No defects were reported.", 10.0, false);
    }
    for defect in &task.defects {
        let on = defect
            .service_task
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        pdf.text(
            &format!("• {}: {}{on}", defect.severity.label(), defect.description),
            10.0,
            true,
        );
        pdf.text(
            &format!("  Reported by {}, {}", defect.who, defect.when),
            9.0,
            false,
        );
        for photo in &defect.photos {
            let jpeg = defect_photo(db, files, actor, *photo, PhotoSize::Thumbnail).await?;
            if let Some((w, h)) = jpeg_size(&jpeg) {
                pdf.image(jpeg, w, h, 160.0);
            }
        }
    }

    pdf.heading("Notes");
    pdf.text(
        task.performed_notes.as_deref().unwrap_or("No notes."),
        10.0,
        false,
    );

    pdf.heading("Signatures");
    let strokes: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, strokes FROM signatures WHERE task_id = $1 ORDER BY id")
            .bind(task_id)
            .fetch_all(db.pool())
            .await?;
    for entry in &task.signatures {
        pdf.text(
            &format!("{}: {}, signed {}", entry.role, entry.name, entry.when),
            10.0,
            true,
        );
        let drawing = strokes
            .iter()
            .find(|(id, _)| *id == entry.id)
            .and_then(|(_, json)| serde_json::from_str::<Drawing>(json).ok());
        if let Some(drawing) = drawing {
            pdf.image(
                signatures::jpeg(&drawing),
                signatures::WIDTH,
                signatures::HEIGHT,
                210.0,
            );
        }
    }
    let generated = super::agency::instant_format(db, actor).await?;
    pdf.gap(12.0);
    pdf.text(&format!("Generated {}", generated(now)), 8.0, false);
    Ok((format!("service-report-{}.pdf", s.reference), pdf.finish()))
}

/// Width and height of a JPEG, from its header.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Jpeg)
        .into_dimensions()
        .ok()
}

/// A signature's PNG for whoever may read its task.
pub async fn signature_png(
    db: &Db,
    files: &FileStore,
    actor: &Actor,
    signature_id: i64,
) -> Result<Vec<u8>, ServiceError> {
    let row: Option<(Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT task_id, user_id, png_key FROM signatures WHERE id = $1 AND agency_id = $2",
    )
    .bind(signature_id)
    .bind(actor.agency_id)
    .fetch_optional(db.pool())
    .await?;
    let (task_id, user_id, key) = row.ok_or(ServiceError::NotFound("signature"))?;
    match task_id {
        Some(task_id) => {
            super::tasks::role_on_task(db, actor, task_id)
                .await
                .map_err(|_| ServiceError::NotFound("signature"))?;
        }
        // A saved signature is its owner's only.
        None if user_id == Some(actor.user_id) => {}
        None => return Err(ServiceError::NotFound("signature")),
    }
    files.read(&key).await.map_err(|e| {
        tracing::error!("signature {signature_id}: stored file unreadable: {e}");
        ServiceError::NotFound("signature")
    })
}
