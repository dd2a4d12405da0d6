//! Certificate files over HTTP: the upload (multipart, answered in JSON for the page's script)
//! and the download, both only after the services' authorization checks.

use app::api::AppContext;
use app::domain::certificate_reading::parse_pounds;
use app::domain::compliance::{RelatesTo, Reminder};
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::services::auth::Actor;
use app::services::certificate_reading;
use app::services::compliance::{self, NewDocument, Upload};
use app::services::{auth, ServiceError};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde_json::json;
use std::collections::HashMap;
use tower_sessions::Session;

/// The longest text field a multipart form may carry, in characters.
const MAX_TEXT_CHARS: usize = 2_000;

/// A certificate file plus its form fields; the file's own limit is checked while reading.
pub const UPLOAD_BODY_LIMIT: usize = MAX_CERTIFICATE_BYTES as usize + 1024 * 1024;

/// The answer to a multipart stream that broke off or ran over the body limit.
fn interrupted(e: axum::extract::multipart::MultipartError, limit: usize) -> Response {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    problem(
        status,
        "file",
        format!("The upload was interrupted ({}). Try again.", e.body_text()),
    )
}

fn too_large(limit: usize) -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file",
        format!(
            "The file is larger than {} MB. Make it smaller or split it.",
            limit / 1_048_576
        ),
    )
}

/// An answer the page shows beside the field it names.
pub(crate) fn problem(status: StatusCode, field: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "field": field, "message": message.into() })),
    )
        .into_response()
}

pub(crate) fn service_problem(e: ServiceError) -> Response {
    match e {
        ServiceError::NotSignedIn => problem(
            StatusCode::UNAUTHORIZED,
            "",
            "Your session has ended. Sign in again, then upload the file.",
        ),
        ServiceError::Forbidden(why) => {
            problem(StatusCode::FORBIDDEN, "", format!("Not allowed: {why}."))
        }
        ServiceError::MissingPermission(p) => problem(
            StatusCode::FORBIDDEN,
            "",
            format!("Your role does not allow you to {}.", p.describe()),
        ),
        ServiceError::NotFound(what) => problem(
            StatusCode::NOT_FOUND,
            "",
            format!("That {what} was not found."),
        ),
        ServiceError::Invalid { field, message } => {
            problem(StatusCode::UNPROCESSABLE_ENTITY, field, message)
        }
        ServiceError::Refused(message) => problem(StatusCode::CONFLICT, "", message),
        other => {
            tracing::error!("upload failed: {other}");
            problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "",
                "The upload could not be saved. Try again in a moment.",
            )
        }
    }
}

/// A form field that cannot be read: which one, and why.
type FieldProblem = (&'static str, String);

pub(crate) fn date(field: &'static str, text: &str) -> Result<Option<NaiveDate>, FieldProblem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| (field, "Choose a real date from the calendar.".into()))
}

fn number(field: &'static str, text: &str) -> Result<i64, FieldProblem> {
    text.trim()
        .parse()
        .map_err(|_| (field, "Missing or not a number.".into()))
}

/// `POST /files/certificates`: a certificate document with its file. Fields: `contractor_id`
/// (ignored for a contractor's office, which uploads for itself), `certificate_type_id`,
/// `start_date`, `end_date` (YYYY-MM-DD), `description`, `reminder`, `relates_to`, `validated`
/// (agents only) and `file`.
pub async fn upload_certificate(
    State(context): State<AppContext>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let (actor, fields, files) = match signed_in_form(
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
    let upload = file_named(files, "file");
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let document = match read_document(&actor, get) {
        Ok(document) => document,
        Err((field, message)) => return problem(StatusCode::UNPROCESSABLE_ENTITY, field, message),
    };
    let upload = upload.unwrap_or_default();
    match compliance::upload_document(
        &context.db,
        &context.files,
        &actor,
        document,
        upload,
        auth::now(),
    )
    .await
    {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "document_id": id }))).into_response(),
        Err(e) => service_problem(e),
    }
}

/// `POST /files/certificates/read`: what the upload form is pre-filled with. The same multipart
/// form as an upload (only `certificate_type_id` and `file` are read); nothing is stored.
/// Answers `{outcome, message, reading: {start_date, end_date, issuer, reference, cover}}`.
pub async fn read_certificate(
    State(context): State<AppContext>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let (actor, fields, files) = match signed_in_form(
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
    let type_id = match number(
        "certificate_type_id",
        fields.get("certificate_type_id").map_or("", String::as_str),
    ) {
        Ok(id) => id,
        Err((field, message)) => return problem(StatusCode::UNPROCESSABLE_ENTITY, field, message),
    };
    let Some(upload) = file_named(files, "file") else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "file",
            "Choose the certificate's file.",
        );
    };
    match certificate_reading::propose(&context.db, &actor, type_id, &upload).await {
        Ok(proposal) => Json(json!({
            "outcome": proposal.outcome.map(|o| o.name()),
            "message": proposal.message(),
            "reading": proposal.reading,
        }))
        .into_response(),
        Err(e) => service_problem(e),
    }
}

/// The person signed in and their multipart form, or the answer that says why not.
pub(crate) async fn signed_in_form(
    context: &AppContext,
    session: &Session,
    form: &mut Multipart,
    limit: usize,
) -> Result<(Actor, HashMap<String, String>, Vec<(String, Upload)>), Response> {
    let actor = auth::resolve(&context.db, session, auth::now())
        .await
        .map_err(service_problem)?;
    let (fields, files) = read_form(form, limit).await?;
    Ok((actor, fields, files))
}

/// A multipart form's text fields and its files (by field name, in order), refusing a file
/// over `limit` bytes, or files over `limit` bytes together, as soon as they are, without
/// reading the rest. A file input left empty sends nothing.
pub(crate) async fn read_form(
    form: &mut Multipart,
    limit: usize,
) -> Result<(HashMap<String, String>, Vec<(String, Upload)>), Response> {
    let mut fields = HashMap::new();
    let mut files: Vec<(String, Upload)> = Vec::new();
    let mut total = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(|e| interrupted(e, limit))? {
        let name = field.name().unwrap_or("").to_string();
        if let Some(file_name) = field.file_name().map(str::to_string) {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| interrupted(e, limit))? {
                bytes.extend_from_slice(&chunk);
                total += chunk.len();
                if bytes.len() > limit || total > limit {
                    return Err(too_large(limit));
                }
            }
            if !(file_name.is_empty() && bytes.is_empty()) {
                files.push((name, Upload { file_name, bytes }));
            }
        } else {
            match field.text().await {
                // Counted in characters, as the forms' own limits are: 2,000 letters of any
                // alphabet pass, whatever their bytes.
                Ok(text) if text.chars().count() <= MAX_TEXT_CHARS => {
                    fields.insert(name, text);
                }
                Ok(_) => {
                    return Err(problem(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &name,
                        "Keep this under 2,000 characters.",
                    ))
                }
                Err(e) => return Err(interrupted(e, limit)),
            }
        }
    }
    Ok((fields, files))
}

/// The form's file named `name`, if one was chosen.
pub(crate) fn file_named(files: Vec<(String, Upload)>, name: &str) -> Option<Upload> {
    files
        .into_iter()
        .find_map(|(field, upload)| (field == name).then_some(upload))
}

fn read_document<'a>(
    actor: &auth::Actor,
    get: impl Fn(&str) -> &'a str,
) -> Result<NewDocument, FieldProblem> {
    let contractor_id = match actor.contractor_id {
        Some(own) => own,
        None => number("contractor_id", get("contractor_id"))?,
    };
    let reminder = match get("reminder").trim() {
        "" => None,
        text => Some(Reminder::parse(text).map_err(|e| ("reminder", e.to_string()))?),
    };
    let relates_to =
        RelatesTo::parse(get("relates_to")).map_err(|e| ("relates_to", e.to_string()))?;
    let description = get("description").trim();
    let cover = match get("cover").trim() {
        "" => None,
        text => Some(parse_pounds(text).ok_or((
            "cover",
            "Write the cover in pounds, e.g. 5000000 or £5m.".to_string(),
        ))?),
    };
    let text = |name: &str| {
        let value = get(name).trim();
        (!value.is_empty()).then(|| value.chars().take(200).collect::<String>())
    };
    Ok(NewDocument {
        cover,
        issuer: text("issuer"),
        reference: text("reference"),
        contractor_id,
        certificate_type_id: number("certificate_type_id", get("certificate_type_id"))?,
        start_date: date("start_date", get("start_date"))?,
        end_date: date("end_date", get("end_date"))?,
        description: (!description.is_empty()).then(|| description.to_string()),
        reminder,
        relates_to,
        validated: matches!(get("validated"), "on" | "true" | "yes"),
    })
}

/// `GET /files/certificates/{id}`: the document's file, for those who may see the contractor.
/// Always an attachment, with the type it was checked to be, never sniffed by the browser.
pub async fn download_certificate(
    State(context): State<AppContext>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let actor = auth::resolve(&context.db, &session, auth::now()).await?;
        compliance::document_file(&context.db, &context.files, &actor, id).await
    }
    .await;
    file_answer(result)
}

/// A stored file as a download: always an attachment, with the type it was checked to be,
/// never sniffed by the browser nor kept in a cache.
pub(crate) fn file_answer(result: Result<(String, String, Vec<u8>), ServiceError>) -> Response {
    match result {
        Ok((name, content_type, bytes)) => {
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            // safe_file_name keeps names to ASCII letters, digits and ._- and spaces.
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(ServiceError::NotSignedIn) => {
            (StatusCode::UNAUTHORIZED, "Sign in to download this file.").into_response()
        }
        Err(ServiceError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, "File not found.").into_response()
        }
        Err(e) => service_problem(e),
    }
}
