//! Task files over HTTP: the client's documents (agents), "Complete task" with the contractor's
//! reports, invoices and quotes (the office), and downloads for whoever may see the task.

use crate::file_routes::{date, file_answer, file_named, problem, service_problem, signed_in_form};
use app::api::AppContext;
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::domain::service_tasks::Severity;
use app::domain::task_work::DocumentKind;
use app::services::{auth, report, service_tasks, task_work};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tower_sessions::Session;

/// Completing may carry several files; each is also held to the certificate limit.
pub const COMPLETE_LIMIT: usize = 3 * MAX_CERTIFICATE_BYTES as usize;
pub const COMPLETE_BODY_LIMIT: usize = COMPLETE_LIMIT + 1024 * 1024;

/// `POST /files/tasks/{task_id}/documents`: an agent adds a client's document (`file`).
pub async fn add_client_document(
    State(context): State<AppContext>,
    session: Session,
    Path(task_id): Path<i64>,
    mut form: Multipart,
) -> Response {
    let (actor, _, files) = match signed_in_form(
        &context,
        &session,
        &mut form,
        MAX_CERTIFICATE_BYTES as usize,
    )
    .await
    {
        Ok(read) => read,
        Err(response) => return response,
    };
    let Some(upload) = file_named(files, "file") else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "file",
            "Choose a file to add.",
        );
    };
    match task_work::add_client_document(
        &context.db,
        &context.files,
        &actor,
        task_id,
        upload,
        auth::now(),
    )
    .await
    {
        Ok(()) => (StatusCode::CREATED, Json(json!({}))).into_response(),
        Err(e) => service_problem(e),
    }
}

/// `POST /files/tasks/{task_id}/complete`: `on_site_date` (YYYY-MM-DD) and any number of files
/// in the fields `report`, `invoice` and `quote`.
pub async fn complete_task(
    State(context): State<AppContext>,
    session: Session,
    Path(task_id): Path<i64>,
    mut form: Multipart,
) -> Response {
    let (actor, fields, files) =
        match signed_in_form(&context, &session, &mut form, COMPLETE_LIMIT).await {
            Ok(read) => read,
            Err(response) => return response,
        };
    let on_site = fields.get("on_site_date").map(String::as_str).unwrap_or("");
    let on_site = match date("on_site_date", on_site) {
        Ok(d) => d,
        Err((field, message)) => return problem(StatusCode::UNPROCESSABLE_ENTITY, field, message),
    };
    let mut uploads = Vec::with_capacity(files.len());
    for (field, upload) in files {
        match DocumentKind::parse(&field).filter(|k| DocumentKind::COMPLETION.contains(k)) {
            Some(kind) => uploads.push((kind, upload)),
            None => {
                return problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "file",
                    "Send reports, invoices and quotes only.",
                )
            }
        }
    }
    match task_work::complete(
        &context.db,
        &context.files,
        &actor,
        task_id,
        on_site,
        uploads,
        &context.public_url,
        auth::now(),
    )
    .await
    {
        Ok(status) => {
            report::issue_in_background(
                context.db,
                context.files,
                actor,
                context.public_url,
                task_id,
            );
            (StatusCode::OK, Json(json!({ "status": status.as_str() }))).into_response()
        }
        Err(e) => service_problem(e),
    }
}

/// `GET /files/task-documents/{id}`.
pub async fn download(
    State(context): State<AppContext>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let actor = auth::resolve(&context.db, &session, auth::now()).await?;
        task_work::document_file(&context.db, &context.files, &actor, id).await
    }
    .await;
    file_answer(result)
}

/// `POST /files/tasks/{task_id}/defects`: `description`, `severity`, optional
/// `service_task_id`, and any number of `photo` files (JPEG or PNG).
pub async fn report_defect(
    State(context): State<AppContext>,
    session: Session,
    Path(task_id): Path<i64>,
    mut form: Multipart,
) -> Response {
    let (actor, fields, files) =
        match signed_in_form(&context, &session, &mut form, COMPLETE_LIMIT).await {
            Ok(read) => read,
            Err(response) => return response,
        };
    let field = |name: &str| fields.get(name).map(|v| v.trim()).unwrap_or("");
    let Some(severity) = Severity::parse(field("severity")) else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "severity",
            "Choose how serious the defect is.",
        );
    };
    let service_task_id = match field("service_task_id") {
        "" => None,
        id => match id.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                return problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "service_task_id",
                    "Choose a service task of this task.",
                )
            }
        },
    };
    let photos = files
        .into_iter()
        .filter_map(|(name, upload)| (name == "photo").then_some(upload))
        .collect();
    let defect = service_tasks::NewDefect {
        service_task_id,
        description: field("description").to_string(),
        severity,
        photos,
    };
    match service_tasks::report_defect(
        &context.db,
        &context.files,
        &actor,
        task_id,
        defect,
        auth::now(),
    )
    .await
    {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "id": id }))).into_response(),
        Err(e) => service_problem(e),
    }
}

/// `GET /files/defect-photos/{id}/{size}`, size `thumbnail` or `view`; shown in the page.
pub async fn defect_photo(
    State(context): State<AppContext>,
    session: Session,
    Path((id, size)): Path<(i64, String)>,
) -> Response {
    let size = match size.as_str() {
        "thumbnail" => service_tasks::PhotoSize::Thumbnail,
        "view" => service_tasks::PhotoSize::View,
        _ => return (StatusCode::NOT_FOUND, "File not found.").into_response(),
    };
    let result = async {
        let actor = auth::resolve(&context.db, &session, auth::now()).await?;
        service_tasks::defect_photo(&context.db, &context.files, &actor, id, size).await
    }
    .await;
    let mut response = file_answer(result.map(|bytes| {
        (
            format!("defect-photo-{id}.jpg"),
            "image/jpeg".to_string(),
            bytes,
        )
    }));
    // Shown in the page rather than downloaded.
    response
        .headers_mut()
        .remove(axum::http::header::CONTENT_DISPOSITION);
    response
}

/// `GET /files/tasks/{task_id}/report`: the service report (PDF), the version issued for the
/// record as it is now.
pub async fn service_report(
    State(context): State<AppContext>,
    session: Session,
    Path(task_id): Path<i64>,
) -> Response {
    let result = async {
        let actor = auth::resolve(&context.db, &session, auth::now()).await?;
        report::service_report(
            &context.db,
            &context.files,
            &actor,
            &context.public_url,
            task_id,
            auth::now(),
        )
        .await
    }
    .await;
    file_answer(result.map(|(name, bytes)| (name, "application/pdf".to_string(), bytes)))
}

/// `GET /files/signatures/{id}`: a signature's PNG, shown in the page.
pub async fn signature(
    State(context): State<AppContext>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let actor = auth::resolve(&context.db, &session, auth::now()).await?;
        report::signature_png(&context.db, &context.files, &actor, id).await
    }
    .await;
    let mut response = file_answer(result.map(|bytes| {
        (
            format!("signature-{id}.png"),
            "image/png".to_string(),
            bytes,
        )
    }));
    response
        .headers_mut()
        .remove(axum::http::header::CONTENT_DISPOSITION);
    response
}
