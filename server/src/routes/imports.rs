//! Importing and exporting certification data over HTTP: the templates, the contractor export,
//! and the import's preview, commit and error report (multipart uploads, answered in JSON or as
//! a download). The services check who is asking.

use super::edge::{file_answer, Disposition, Form, Refusal};
use app::api::ApiError;
use app::files::StoredFile;
use app::services::auth::{self, Actor};
use app::services::import::{self, MAX_IMPORT_BYTES};
use app::services::Context;
use app::services::ServiceError;
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The body limit of an import upload.
pub const IMPORT_BODY_LIMIT: usize = MAX_IMPORT_BYTES + 1024 * 1024;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A CSV download with a byte order mark, so Excel opens accents correctly.
fn csv_file(text: String, name: &str) -> StoredFile {
    StoredFile {
        name: name.into(),
        content_type: "text/csv; charset=utf-8".into(),
        bytes: format!("\u{feff}{text}").into_bytes(),
    }
}

/// `GET /imports/certifications/template.csv`
pub async fn csv_template(actor: Result<Actor, ApiError>) -> Response {
    let file = actor.and_then(|actor| {
        actor
            .require_agent()
            .map_err(|_| ServiceError::Forbidden("only agents import certification"))?;
        Ok(csv_file(
            import::csv_template(&actor),
            "certification-import-template.csv",
        ))
    });
    file_answer(file, Disposition::Attachment)
}

/// `GET /imports/certifications/template.xlsx`
pub async fn xlsx_template(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
) -> Response {
    super::edge::download(actor, Disposition::Attachment, |actor| async move {
        Ok(StoredFile {
            name: "certification-import-template.xlsx".into(),
            content_type: XLSX.into(),
            bytes: import::xlsx_template(&context, &actor).await?,
        })
    })
    .await
}

/// `GET /exports/contractors.csv`: "Export as import CSV".
pub async fn contractor_export(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
) -> Response {
    super::edge::download(actor, Disposition::Attachment, |actor| async move {
        let text = import::contractor_export(&context, &actor).await?;
        Ok(csv_file(text, "contractors.csv"))
    })
    .await
}

/// The uploaded file of an import form, and whether "all or nothing" was ticked.
struct ImportUpload {
    bytes: Vec<u8>,
    all_or_nothing: bool,
}

async fn uploaded(multipart: Multipart) -> Result<ImportUpload, Refusal> {
    let mut form = Form::read(multipart, MAX_IMPORT_BYTES).await?;
    let all_or_nothing = form.ticked("all_or_nothing")?;
    match form.take_file("file") {
        Some(upload) if !upload.bytes.is_empty() => Ok(ImportUpload {
            bytes: upload.bytes,
            all_or_nothing,
        }),
        _ => Err(Refusal::field(
            "file",
            "Choose a .csv or .xlsx file to import.",
        )),
    }
}

/// `POST /imports/certifications/preview`: every row's outcome; nothing changes.
pub async fn preview(
    State(context): State<Context>,
    actor: Actor,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let upload = uploaded(multipart).await?;
    let preview = import::preview(&context, &actor, &upload.bytes).await?;
    Ok(Json(preview).into_response())
}

/// `POST /imports/certifications/commit`: applies the valid rows (or, all or nothing, none).
pub async fn commit(
    State(context): State<Context>,
    actor: Actor,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let upload = uploaded(multipart).await?;
    let result = import::commit(
        &context,
        &actor,
        &upload.bytes,
        upload.all_or_nothing,
        auth::now(),
    )
    .await?;
    Ok(Json(result).into_response())
}

/// `POST /imports/certifications/errors`: the rejected rows with a Reason column, as CSV.
pub async fn error_report(
    State(context): State<Context>,
    actor: Actor,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let upload = uploaded(multipart).await?;
    let text = import::error_report(&context, &actor, &upload.bytes).await?;
    Ok(file_answer(
        Ok(csv_file(text, "certification-import-errors.csv")),
        Disposition::Attachment,
    ))
}
