//! Task files over HTTP: the client's documents (agents), "Complete task" with the contractor's
//! reports, invoices and quotes (the office), defects with photos, and downloads for whoever may
//! see the task.

use super::edge::{download, Disposition, Form, FormPost, Refusal};
use app::api::ApiError;
use app::domain::acted_at::{self, ActedAt};
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::domain::form_fields;
use app::domain::service_tasks::Severity;
use app::domain::task_work::DocumentKind;
use app::files::StoredFile;
use app::services::auth::{self, Actor};
use app::services::tasks::{report, service_work, work};
use app::services::Context;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Completing may carry several files; each is also held to the certificate limit.
pub const COMPLETE_LIMIT: usize = 3 * MAX_CERTIFICATE_BYTES as usize;
pub const COMPLETE_BODY_LIMIT: usize = COMPLETE_LIMIT + 1024 * 1024;

/// `POST /files/tasks/{task_id}/documents`: an agent adds a client's document (`file`).
pub async fn add_client_document(
    State(context): State<Context>,
    post: FormPost,
    Path(task_id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let actor = &post.actor;
    let back = actor.kind.task_path(task_id);
    let added = async {
        let mut form = Form::read(multipart, MAX_CERTIFICATE_BYTES as usize).await?;
        let upload = form
            .take_file("file")
            .ok_or_else(|| Refusal::field("file", "Choose a file to add."))?;
        work::add_client_document(&context, actor, task_id, upload, auth::now()).await?;
        Ok::<_, Refusal>(json!({}))
    };
    post.reply(&back, StatusCode::CREATED, added.await)
}

/// `POST /files/tasks/{task_id}/complete`: `on_site_date` (YYYY-MM-DD) and any number of files
/// in the fields `report`, `invoice` and `quote`.
pub async fn complete_task(
    State(context): State<Context>,
    post: FormPost,
    Path(task_id): Path<i64>,
    multipart: Multipart,
) -> Response {
    let actor = &post.actor;
    let back = actor.kind.task_path(task_id);
    let completed = async {
        let form = Form::read(multipart, COMPLETE_LIMIT).await?;
        let on_site = form_fields::optional_date("on_site_date", form.text("on_site_date"))?;
        let uploads = form
            .into_files()
            .into_iter()
            .map(|(field, upload)| {
                DocumentKind::parse(&field)
                    .filter(|kind| DocumentKind::COMPLETION.contains(kind))
                    .map(|kind| (kind, upload))
                    .ok_or_else(|| {
                        Refusal::field("file", "Send reports, invoices and quotes only.")
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let status =
            work::complete(&context, actor, task_id, on_site, uploads, auth::now()).await?;
        report::issue_in_background(context.clone(), actor.clone(), task_id);
        Ok::<_, Refusal>(json!({ "status": status.as_str() }))
    };
    post.reply(&back, StatusCode::OK, completed.await)
}

/// `GET /files/task-documents/{id}`.
pub async fn download_document(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    Path(id): Path<i64>,
) -> Response {
    download(actor, Disposition::Attachment, |actor| async move {
        work::document_file(&context, &actor, id).await
    })
    .await
}

/// `POST /files/tasks/{task_id}/defects`: `description`, `severity`, optional
/// `service_task_id`, and any number of `photo` files (JPEG, PNG or HEIC).
pub async fn report_defect(
    State(context): State<Context>,
    post: FormPost,
    Path(task_id): Path<i64>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let actor = &post.actor;
    let back = actor.kind.task_path(task_id);
    // A defect queued on a phone without signal carries the phone's time of the act.
    let phone_time = headers.get(acted_at::HEADER).and_then(|v| v.to_str().ok());
    let acted = ActedAt::from_header(phone_time, auth::now());
    let reported = async {
        let form = Form::read(multipart, COMPLETE_LIMIT).await?;
        let severity = Severity::parse(form.text("severity"))
            .ok_or_else(|| Refusal::field("severity", "Choose how serious the defect is."))?;
        let service_task_id =
            form_fields::optional_id("service_task_id", form.text("service_task_id"))?;
        let description = form.text("description").to_string();
        let photos = form
            .into_files()
            .into_iter()
            .filter_map(|(name, upload)| (name == "photo").then_some(upload))
            .collect();
        let defect = service_work::NewDefect {
            service_task_id,
            description,
            severity,
            photos,
        };
        let id = service_work::report_defect(&context, actor, task_id, defect, acted).await?;
        Ok::<_, Refusal>(json!({ "id": id }))
    };
    post.reply(&back, StatusCode::CREATED, reported.await)
}

/// `GET /files/defect-photos/{id}/{size}`, size `thumbnail` or `view`; shown in the page.
pub async fn defect_photo(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    Path((id, size)): Path<(i64, String)>,
) -> Response {
    let size = match size.as_str() {
        "thumbnail" => service_work::PhotoSize::Thumbnail,
        "view" => service_work::PhotoSize::View,
        _ => return ApiError::NotFound("photo".into()).into_response(),
    };
    download(actor, Disposition::Inline, |actor| async move {
        let bytes = service_work::defect_photo(&context, &actor, id, size).await?;
        Ok(StoredFile {
            name: format!("defect-photo-{id}.jpg"),
            content_type: "image/jpeg".into(),
            bytes,
        })
    })
    .await
}

/// `GET /files/tasks/{task_id}/report`: the service report (PDF), the version issued for the
/// record as it is now.
pub async fn service_report(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    Path(task_id): Path<i64>,
) -> Response {
    download(actor, Disposition::Attachment, |actor| async move {
        let (name, bytes) = report::service_report(&context, &actor, task_id, auth::now()).await?;
        Ok(StoredFile {
            name,
            content_type: "application/pdf".into(),
            bytes,
        })
    })
    .await
}

/// `GET /files/signatures/{id}`: a signature's PNG, shown in the page.
pub async fn signature(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    Path(id): Path<i64>,
) -> Response {
    download(actor, Disposition::Inline, |actor| async move {
        let bytes = report::signature_png(&context, &actor, id).await?;
        Ok(StoredFile {
            name: format!("signature-{id}.png"),
            content_type: "image/png".into(),
            bytes,
        })
    })
    .await
}
