//! `/api/v1/contractors/{id}/documents` and `/api/v1/documents/{id}`: a contractor's certificate
//! documents, uploading one with its file (the same multipart reader and upload service as the
//! contractor page), downloading its file, and ticking it Valid.

use super::caller::Caller;
use super::problem::{BodyRefusals, Json, Multipart, Path, Problem, Query, Refusals};
use crate::routes::certificates::read_document;
use crate::routes::edge::{file_answer, Disposition, Form};
use app::domain::api_keys::Scope;
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::domain::records::DocumentSummary;
use app::services::compliance::{self, documents, views};
use app::services::{auth, Context};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A certificate document: the dates and details recorded with it, and whether an agent has
/// ticked it Valid.
#[derive(Debug, Serialize, ToSchema)]
pub struct Document {
    pub id: i64,
    pub certificate_type_id: i64,
    pub certificate_type: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub description: Option<String>,
    /// Ticked Valid by an agent (or uploaded as checked).
    pub valid: bool,
    pub uploaded_at: DateTime<Utc>,
    /// Who uploaded it; absent for documents recorded by an import.
    pub uploaded_by: Option<String>,
    /// The file's name; absent when the document was recorded without a file (imports).
    pub file_name: Option<String>,
    /// Cover in whole pounds, as the uploader confirmed it.
    pub cover: Option<i64>,
    pub issuer: Option<String>,
    pub reference: Option<String>,
}

impl Document {
    fn of(certificate_type_id: i64, certificate_type: &str, d: DocumentSummary) -> Document {
        Document {
            id: d.id,
            certificate_type_id,
            certificate_type: certificate_type.to_string(),
            start_date: d.start_date,
            end_date: d.end_date,
            description: d.description,
            valid: d.validated,
            uploaded_at: DateTime::from_timestamp_millis(d.uploaded_at_ms).unwrap_or_default(),
            uploaded_by: d.uploaded_by,
            file_name: d.file_name,
            cover: d.cover,
            issuer: d.issuer,
            reference: d.reference,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    /// Newest first.
    pub data: Vec<Document>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilter {
    /// Only documents of this certificate type.
    pub certificate_type_id: Option<i64>,
}

/// The contractor's documents for each certificate type it is required to hold, newest first.
#[utoipa::path(get, path = "/api/v1/contractors/{id}/documents", tag = "certification",
    params(("id" = i64, Path, description = "The contractor's id"), DocumentFilter),
    responses(
        (status = 200, description = "The documents", body = DocumentList),
        Refusals,
    ))]
pub async fn list(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
    Query(filter): Query<DocumentFilter>,
) -> Result<Json<DocumentList>, Problem> {
    caller.require(Scope::CertificationRead)?;
    Ok(Json(DocumentList {
        data: documents_of(&cx, &caller.actor, id, filter.certificate_type_id).await?,
    }))
}

async fn documents_of(
    cx: &Context,
    actor: &auth::Actor,
    contractor_id: i64,
    certificate_type_id: Option<i64>,
) -> Result<Vec<Document>, Problem> {
    let certification =
        views::contractor_certification(cx, actor, contractor_id, auth::now()).await?;
    let mut data: Vec<Document> = certification
        .requirements
        .into_iter()
        .filter(|r| certificate_type_id.is_none_or(|t| t == r.certificate_type_id))
        .flat_map(|r| {
            let (type_id, name) = (r.certificate_type_id, r.certificate_type);
            r.documents
                .into_iter()
                .map(move |d| Document::of(type_id, &name, d))
        })
        .collect();
    data.sort_by(|a, b| b.uploaded_at.cmp(&a.uploaded_at).then(b.id.cmp(&a.id)));
    Ok(data)
}

/// The multipart form of an upload, as the contractor page sends it. Dates are `YYYY-MM-DD`.
#[derive(ToSchema)]
#[allow(dead_code)] // only described: the form is read by the page's own reader
pub struct DocumentUpload {
    /// A type the contractor is required to hold (request it first otherwise).
    pub certificate_type_id: i64,
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub start_date: Option<String>,
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub end_date: Option<String>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// When to remind: Week1 to Week4, Month1 to Month3 before the date it relates to.
    #[schema(max_length = 2000)]
    pub reminder: Option<String>,
    /// EndDate (when absent) or StartDate.
    #[schema(max_length = 2000)]
    pub relates_to: Option<String>,
    /// The cover in pounds, as 5000000 or £5m (insurance).
    #[schema(max_length = 2000)]
    pub cover: Option<String>,
    /// The insurer or issuing body (kept to 200 characters).
    #[schema(max_length = 2000)]
    pub issuer: Option<String>,
    /// The policy or certificate number (kept to 200 characters).
    #[schema(max_length = 2000)]
    pub reference: Option<String>,
    /// Record it as already checked, as an agent uploading on the contractor's behalf may.
    pub validated: Option<bool>,
    /// The certificate: a PDF, JPEG, PNG or HEIC file of at most 10 MB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Uploads a certificate document for the contractor, as "Upload on behalf" does on its page:
/// the file is checked by its content, read for its dates where it is a PDF, stored, and the
/// contractor's compliance recomputed; webhooks hear `certificate.uploaded`.
#[utoipa::path(post, path = "/api/v1/contractors/{id}/documents", tag = "certification",
    params(("id" = i64, Path, description = "The contractor's id")),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Uploaded", body = Document),
        Refusals, BodyRefusals,
    ))]
pub async fn upload(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
    Multipart(multipart): Multipart,
) -> Result<Response, Problem> {
    caller.require(Scope::CertificationWrite)?;
    let mut form = Form::read(multipart, MAX_CERTIFICATE_BYTES as usize).await?;
    let document = read_document(&form, id)?;
    let type_id = document.certificate_type_id;
    // Only a type the contractor is asked for has a place on its page (and in this API's lists).
    let required = views::contractor_requirements(&cx, &caller.actor, id, auth::now()).await?;
    if !required.iter().any(|r| r.certificate_type_id == type_id) {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "certificate_type_id",
            "The contractor is not asked for this certificate type. Request it first (POST /api/v1/contractors/{id}/certificate-requests).",
        ));
    }
    let upload = form.take_file("file").unwrap_or_default();
    let new_id =
        compliance::upload_document(&cx, &caller.actor, document, upload, auth::now()).await?;
    let created = documents_of(&cx, &caller.actor, id, Some(type_id))
        .await?
        .into_iter()
        .find(|d| d.id == new_id)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "That document was not found."))?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// The document's file, as it was uploaded (its type checked by content).
#[utoipa::path(get, path = "/api/v1/documents/{id}/file", tag = "certification",
    params(("id" = i64, Path, description = "The certificate document's id")),
    responses(
        (status = 200, description = "The file", content(
            (Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"), (Vec<u8> = "image/heic"))),
        Refusals,
    ))]
pub async fn file(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Scope::CertificationRead)?;
    let stored = compliance::document_file(&cx, &caller.actor, id).await?;
    Ok(file_answer(Ok(stored), Disposition::Attachment))
}

/// Ticks an uploaded certificate document Valid, as an agent does on the contractor's page.
/// Validating twice changes nothing.
#[utoipa::path(post, path = "/api/v1/documents/{id}/validate", tag = "certification",
    params(("id" = i64, Path, description = "The certificate document's id")),
    responses(
        (status = 204, description = "The document is valid"),
        Refusals,
    ))]
pub async fn validate(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    caller.require(Scope::CertificationWrite)?;
    documents::validate_document(&cx, &caller.actor, id, auth::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
