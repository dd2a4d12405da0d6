//! Service tasks, results and defects: listed by the agent when instructing, recorded by the
//! contractor's office (Desk view) or an assigned technician (Tech view) between accepting and
//! performing, read by everyone who may see the task. Each record lands in the task timeline.

use super::access::{add_judged_to_timeline, publish_task_change, TaskAccess, TimelineEvent};
use crate::db::{audit, Db};
use crate::domain::acted_at::{ActedAt, Judged};
use crate::domain::records::{DefectEntry, ServiceTaskEntry};
use crate::domain::service_tasks::{
    can_record_work, check_defect, check_result, Outcome, ResultKind, Severity,
};
use crate::domain::task_status::{TaskRole, TaskStatus};
use crate::events::Topic;
use crate::files::photos::{self, Photo};
use crate::files::Staged;
use crate::services::auth::Actor;
use crate::services::compliance::Upload;
use crate::services::Context;
use crate::services::ServiceError;
use sqlx::{AnyConnection, FromRow};

/// Adds the agent's list to a new task, in the caller's transaction.
pub(crate) async fn insert(
    tx: &mut sqlx::AnyConnection,
    agency_id: i64,
    task_id: i64,
    list: &[(String, ResultKind)],
) -> Result<(), ServiceError> {
    for (position, (name, kind)) in list.iter().enumerate() {
        sqlx::query(
            "INSERT INTO service_tasks (agency_id, task_id, position, name, result_kind) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(agency_id)
        .bind(task_id)
        .bind(position as i64)
        .bind(name)
        .bind(kind.as_str())
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// The task as the one recording sees it, if they may record on it now.
async fn recordable(
    db: &Db,
    actor: &Actor,
    task_id: i64,
) -> Result<(Option<i64>, TaskStatus), ServiceError> {
    let TaskAccess {
        contractor_id,
        status,
        archived,
        role,
        ..
    } = TaskAccess::load(db, actor, task_id).await?;
    if role == TaskRole::Agent {
        return Err(ServiceError::Forbidden(
            "results and defects are recorded by the contractor",
        ));
    }
    if archived || !can_record_work(status) {
        let signed = if status == TaskStatus::PerformedNeedDocs {
            " It was signed as performed: the office can reopen it, with a reason."
        } else {
            ""
        };
        return Err(ServiceError::Refused(format!(
            "Results and defects are recorded once the task is accepted and until the work is \
             signed as performed; this task is {}.{signed}",
            status.label()
        )));
    }
    Ok((contractor_id, status))
}

/// Adds a line to the task timeline and the audit log, in the caller's transaction.
async fn note(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    task_id: i64,
    status: TaskStatus,
    what: &str,
    detail: &str,
    when: Judged,
) -> Result<(), ServiceError> {
    let event = TimelineEvent {
        task_id,
        action: what,
        from: status,
        to: status,
        reason: Some(detail),
    };
    add_judged_to_timeline(&mut *tx, actor, event, when).await?;
    // The audit log is the server's own account: when the record was made.
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "task_work_recorded",
        None,
        &format!("task {task_id}: {what}: {detail}"),
        when.received,
    )
    .await?;
    Ok(())
}

/// Records (or corrects) a service task's result, at `acted`: the server's time, or the phone's
/// for a result queued on a phone without signal when the server's clock makes it plausible
/// (`domain::acted_at`; the timeline keeps both).
pub async fn record_result(
    cx: &Context,
    actor: &Actor,
    service_task_id: i64,
    outcome: Outcome,
    reading: Option<&str>,
    acted: impl Into<ActedAt>,
) -> Result<(), ServiceError> {
    let when = acted.into().judge(None);
    #[derive(FromRow)]
    struct ServiceTaskRow {
        task_id: i64,
        name: String,
        result_kind: String,
    }
    let ServiceTaskRow {
        task_id,
        name,
        result_kind: kind,
    } = sqlx::query_as(
        "SELECT task_id, name, result_kind FROM service_tasks WHERE id = $1 AND agency_id = $2",
    )
    .bind(service_task_id)
    .bind(actor.agency_id)
    .fetch_optional(cx.db.pool())
    .await?
    .ok_or(ServiceError::NotFound("service task"))?;
    let (contractor_id, status) =
        recordable(&cx.db, actor, task_id)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound(_) => ServiceError::NotFound("service task"),
                other => other,
            })?;
    let kind = ResultKind::parse(&kind).unwrap_or(ResultKind::PassFail);
    let reading = check_result(kind, outcome, reading)
        .map_err(|e| ServiceError::invalid("reading", e.to_string()))?;
    let mut tx = cx.db.begin_write().await?;
    sqlx::query(
        "UPDATE service_tasks SET outcome = $1, reading = $2, recorded_by = $3, recorded_at = $4 \
         WHERE id = $5",
    )
    .bind(outcome.as_str())
    .bind(reading.as_deref())
    .bind(actor.user_id)
    .bind(when.at)
    .bind(service_task_id)
    .execute(&mut *tx)
    .await?;
    let detail = match &reading {
        Some(r) => format!("{name}: {} ({r})", outcome.label()),
        None => format!("{name}: {}", outcome.label()),
    };
    note(
        &mut tx,
        actor,
        task_id,
        status,
        "Result recorded",
        &detail,
        when,
    )
    .await?;
    tx.commit().await?;
    publish_task_change(&cx.db, actor.agency_id, contractor_id, task_id, Topic::Task).await;
    Ok(())
}

/// A defect as reported from the Desk or Tech view.
pub struct NewDefect {
    pub service_task_id: Option<i64>,
    pub description: String,
    pub severity: Severity,
    pub photos: Vec<Upload>,
}

/// Reports a defect with its photos, at `acted` as a result is (`record_result`). Photos are
/// prepared and stored first, then the defect and its photos are recorded in one transaction; if
/// that fails the stored files are removed.
pub async fn report_defect(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    defect: NewDefect,
    acted: impl Into<ActedAt>,
) -> Result<i64, ServiceError> {
    let when = acted.into().judge(None);
    let (contractor_id, status) = recordable(&cx.db, actor, task_id).await?;
    let description = check_defect(&defect.description, defect.photos.len())
        .map_err(|e| ServiceError::invalid("description", e.to_string()))?
        .to_string();
    let service_task = match defect.service_task_id {
        None => None,
        Some(id) => {
            let name: Option<String> = sqlx::query_scalar(
                "SELECT name FROM service_tasks WHERE id = $1 AND task_id = $2 AND agency_id = $3",
            )
            .bind(id)
            .bind(task_id)
            .bind(actor.agency_id)
            .fetch_optional(cx.db.pool())
            .await?;
            Some((
                id,
                name.ok_or_else(|| {
                    ServiceError::invalid("service_task_id", "Choose a service task of this task.")
                })?,
            ))
        }
    };
    let prepared = prepare_photos(defect.photos).await?;
    let mut staged = Staged::new(&cx.files);
    let mut stored = Vec::with_capacity(prepared.len());
    for (file_name, photo) in prepared {
        let unstored = |_| ServiceError::Internal("could not store a photo".into());
        stored.push(StoredPhoto {
            thumbnail_key: staged
                .put("photos", actor.agency_id, "jpg", &photo.thumbnail)
                .await
                .map_err(unstored)?,
            view_key: staged
                .put("photos", actor.agency_id, "jpg", &photo.view)
                .await
                .map_err(unstored)?,
            file_name,
            width: photo.width,
            height: photo.height,
        });
    }
    let recorded = async {
        let mut tx = cx.db.begin_write().await?;
        let defect_id: i64 = sqlx::query_scalar(
            "INSERT INTO defects (agency_id, task_id, service_task_id, description, severity, \
             reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(actor.agency_id)
        .bind(task_id)
        .bind(service_task.as_ref().map(|(id, _)| *id))
        .bind(&description)
        .bind(defect.severity.as_str())
        .bind(actor.user_id)
        .bind(when.at)
        .fetch_one(&mut *tx)
        .await?;
        for photo in &stored {
            sqlx::query(
                "INSERT INTO defect_photos (agency_id, defect_id, thumbnail_key, view_key, \
                 file_name, width, height) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(actor.agency_id)
            .bind(defect_id)
            .bind(&photo.thumbnail_key)
            .bind(&photo.view_key)
            .bind(&photo.file_name)
            .bind(photo.width as i64)
            .bind(photo.height as i64)
            .execute(&mut *tx)
            .await?;
        }
        let detail = format!(
            "{}{}: {description}{}",
            defect.severity.label(),
            service_task
                .as_ref()
                .map(|(_, name)| format!(" ({name})"))
                .unwrap_or_default(),
            match stored.len() {
                0 => String::new(),
                1 => ", 1 photo".into(),
                n => format!(", {n} photos"),
            }
        );
        note(
            &mut tx,
            actor,
            task_id,
            status,
            "Defect reported",
            &detail,
            when,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, ServiceError>(defect_id)
    }
    .await;
    let defect_id = staged.settle(recorded).await?;
    publish_task_change(&cx.db, actor.agency_id, contractor_id, task_id, Topic::Task).await;
    Ok(defect_id)
}

/// A defect photo in the store, both sizes, before its row is written.
struct StoredPhoto {
    thumbnail_key: String,
    view_key: String,
    file_name: String,
    width: u32,
    height: u32,
}

/// Decodes and resizes every photo as heavy work; the first bad one names itself.
async fn prepare_photos(uploads: Vec<Upload>) -> Result<Vec<(String, Photo)>, ServiceError> {
    crate::services::heavy::run(crate::services::heavy::Work::Image, move || {
        uploads
            .into_iter()
            .map(|upload| {
                let name = crate::domain::files::safe_file_name(&upload.file_name, None);
                match photos::prepare(&upload.bytes) {
                    Ok(photo) => Ok((name, photo)),
                    Err(problem) => {
                        Err(ServiceError::invalid("photo", format!("{name} {problem}.")))
                    }
                }
            })
            .collect()
    })
    .await?
}

/// The service tasks and defects of a task, for `task_detail` (which has checked visibility).
pub(crate) async fn service_work(
    conn: &mut AnyConnection,
    actor: &Actor,
    task_id: i64,
    when: &impl Fn(i64) -> String,
) -> Result<(Vec<ServiceTaskEntry>, Vec<DefectEntry>), ServiceError> {
    #[derive(FromRow)]
    struct Row {
        id: i64,
        name: String,
        result_kind: String,
        outcome: Option<String>,
        reading: Option<String>,
        recorded_at: Option<i64>,
        who: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.name, s.result_kind, s.outcome, s.reading, s.recorded_at, u.name AS who \
         FROM service_tasks s LEFT JOIN users u ON u.id = s.recorded_by \
         WHERE s.task_id = $1 AND s.agency_id = $2 ORDER BY s.position",
    )
    .bind(task_id)
    .bind(actor.agency_id)
    .fetch_all(&mut *conn)
    .await?;
    let service_tasks = rows
        .into_iter()
        .map(|r| ServiceTaskEntry {
            id: r.id,
            name: r.name,
            reading_expected: r.result_kind == ResultKind::Reading.as_str(),
            outcome: r.outcome.as_deref().and_then(Outcome::parse),
            reading: r.reading,
            recorded: r.recorded_at.map(|at| {
                format!(
                    "{}, {}",
                    r.who.unwrap_or_else(|| "Certidesk".into()),
                    when(at)
                )
            }),
        })
        .collect();
    #[derive(FromRow)]
    struct DefectRow {
        id: i64,
        service_task: Option<String>,
        description: String,
        severity: String,
        who: Option<String>,
        reported_at: i64,
    }
    let defects: Vec<DefectRow> = sqlx::query_as(
        "SELECT d.id, s.name AS service_task, d.description, d.severity, u.name AS who, \
         d.reported_at FROM defects d LEFT JOIN service_tasks s ON s.id = d.service_task_id \
         LEFT JOIN users u ON u.id = d.reported_by \
         WHERE d.task_id = $1 AND d.agency_id = $2 ORDER BY d.id",
    )
    .bind(task_id)
    .bind(actor.agency_id)
    .fetch_all(&mut *conn)
    .await?;
    let photos: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT p.defect_id, p.id FROM defect_photos p JOIN defects d ON d.id = p.defect_id \
         WHERE d.task_id = $1 AND p.agency_id = $2 ORDER BY p.id",
    )
    .bind(task_id)
    .bind(actor.agency_id)
    .fetch_all(&mut *conn)
    .await?;
    let defects = defects
        .into_iter()
        .map(|d| DefectEntry {
            photos: photos
                .iter()
                .filter(|(defect, _)| *defect == d.id)
                .map(|(_, id)| *id)
                .collect(),
            id: d.id,
            service_task: d.service_task,
            description: d.description,
            severity: Severity::parse(&d.severity).unwrap_or(Severity::Informational),
            who: d.who.unwrap_or_else(|| "Certidesk".into()),
            when: when(d.reported_at),
        })
        .collect();
    Ok((service_tasks, defects))
}

/// The two sizes a defect photo is kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoSize {
    Thumbnail,
    View,
}

/// A defect photo (JPEG) for whoever may see the task; for anyone else it does not exist.
pub async fn defect_photo(
    cx: &Context,
    actor: &Actor,
    photo_id: i64,
    size: PhotoSize,
) -> Result<Vec<u8>, ServiceError> {
    #[derive(FromRow)]
    struct PhotoRow {
        task_id: i64,
        thumbnail_key: String,
        view_key: String,
    }
    let photo: PhotoRow = sqlx::query_as(
        "SELECT d.task_id, p.thumbnail_key, p.view_key FROM defect_photos p \
         JOIN defects d ON d.id = p.defect_id WHERE p.id = $1 AND p.agency_id = $2",
    )
    .bind(photo_id)
    .bind(actor.agency_id)
    .fetch_optional(cx.db.pool())
    .await?
    .ok_or(ServiceError::NotFound("photo"))?;
    TaskAccess::load_for(&cx.db, actor, photo.task_id, "photo").await?;
    let key = match size {
        PhotoSize::Thumbnail => photo.thumbnail_key,
        PhotoSize::View => photo.view_key,
    };
    cx.files.read(&key).await.map_err(|e| {
        tracing::error!("defect photo {photo_id}: stored file unreadable: {e}");
        ServiceError::NotFound("photo")
    })
}
