//! Certificate files over HTTP: the upload (multipart, answered in JSON for the page's script),
//! the reading that pre-fills the upload form, and the download, all after the services'
//! authorization checks.

use super::edge::{download, Disposition, Form, Refusal};
use app::api::ApiError;
use app::domain::certificate_reading::parse_pounds;
use app::domain::compliance::{RelatesTo, Reminder};
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::domain::form_fields;
use app::services::auth::{self, Actor};
use app::services::certificate_reading;
use app::services::compliance::{self, NewDocument};
use app::services::Context;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A certificate file plus its form fields; the file's own limit is checked while reading.
pub const UPLOAD_BODY_LIMIT: usize = MAX_CERTIFICATE_BYTES as usize + 1024 * 1024;

/// `POST /files/certificates`: a certificate document with its file. Fields: `contractor_id`
/// (ignored for a contractor's office, which uploads for itself), `certificate_type_id`,
/// `start_date`, `end_date` (YYYY-MM-DD), `description`, `reminder`, `relates_to`, `cover`,
/// `issuer`, `reference`, `validated` (agents only) and `file`.
pub async fn upload_certificate(
    State(context): State<Context>,
    actor: Actor,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let mut form = Form::read(multipart, MAX_CERTIFICATE_BYTES as usize).await?;
    let contractor_id = match actor.contractor_id {
        Some(own) => own,
        None => form_fields::id("contractor_id", form.text("contractor_id"))?,
    };
    let document = read_document(&form, contractor_id)?;
    let upload = form.take_file("file").unwrap_or_default();
    let id = compliance::upload_document(&context, &actor, document, upload, auth::now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "document_id": id }))).into_response())
}

/// `POST /files/certificates/read`: what the upload form is pre-filled with. The same multipart
/// form as an upload (only `certificate_type_id` and `file` are read); nothing is stored.
/// Answers `{outcome, message, reading: {start_date, end_date, issuer, reference, cover}}`.
pub async fn read_certificate(
    State(context): State<Context>,
    actor: Actor,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let mut form = Form::read(multipart, MAX_CERTIFICATE_BYTES as usize).await?;
    let type_id = form_fields::id("certificate_type_id", form.text("certificate_type_id"))?;
    let upload = form
        .take_file("file")
        .ok_or_else(|| Refusal::field("file", "Choose the certificate's file."))?;
    let proposal = certificate_reading::propose(&context, &actor, type_id, &upload).await?;
    Ok(Json(json!({
        "outcome": proposal.outcome.map(|o| o.name()),
        "message": proposal.message(),
        "reading": proposal.reading,
    }))
    .into_response())
}

/// A certificate document's fields from its multipart form (the page's and the API's).
pub(crate) fn read_document(form: &Form, contractor_id: i64) -> Result<NewDocument, Refusal> {
    let reminder = match form.text("reminder") {
        "" => None,
        text => Some(Reminder::parse(text).map_err(|e| Refusal::field("reminder", e.to_string()))?),
    };
    let relates_to = RelatesTo::parse(form.text("relates_to"))
        .map_err(|e| Refusal::field("relates_to", e.to_string()))?;
    let cover = match form.text("cover") {
        "" => None,
        text => Some(parse_pounds(text).ok_or_else(|| {
            Refusal::field("cover", "Write the cover in pounds, e.g. 5000000 or £5m.")
        })?),
    };
    let text = |name: &str| {
        let value = form.text(name);
        (!value.is_empty()).then(|| value.chars().take(200).collect::<String>())
    };
    let description = form.text("description");
    Ok(NewDocument {
        cover,
        issuer: text("issuer"),
        reference: text("reference"),
        contractor_id,
        certificate_type_id: form_fields::id(
            "certificate_type_id",
            form.text("certificate_type_id"),
        )?,
        start_date: form_fields::optional_date("start_date", form.text("start_date"))?,
        end_date: form_fields::optional_date("end_date", form.text("end_date"))?,
        description: (!description.is_empty()).then(|| description.to_string()),
        reminder,
        relates_to,
        validated: form_fields::flag("validated", form.text("validated"))?,
    })
}

/// `GET /files/certificates/{id}`: the document's file, for those who may see the contractor.
pub async fn download_certificate(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    Path(id): Path<i64>,
) -> Response {
    download(actor, Disposition::Attachment, |actor| async move {
        compliance::document_file(&context, &actor, id).await
    })
    .await
}
