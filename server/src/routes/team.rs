//! Technicians' accreditations over HTTP: the office uploads one (multipart, answered in JSON
//! for the page's script); downloads for the office, the technician and the agency.

use super::edge::{download, Disposition, Form, Refusal};
use app::api::ApiError;
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::domain::form_fields;
use app::services::auth::{self, Actor};
use app::services::team::{self, NewAccreditation};
use app::services::Context;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// `POST /files/technicians/{technician_id}/accreditations`: fields `certificate_type_id`,
/// `start_date`, `end_date` (YYYY-MM-DD) and `file`.
pub async fn upload_accreditation(
    State(context): State<Context>,
    actor: Actor,
    Path(technician_id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let mut form = Form::read(multipart, MAX_CERTIFICATE_BYTES as usize).await?;
    let accreditation = NewAccreditation {
        technician_id,
        certificate_type_id: form_fields::id(
            "certificate_type_id",
            form.text("certificate_type_id"),
        )?,
        start_date: form_fields::optional_date("start_date", form.text("start_date"))?,
        end_date: form_fields::optional_date("end_date", form.text("end_date"))?,
    };
    let upload = form.take_file("file").unwrap_or_default();
    let id =
        team::upload_accreditation(&context, &actor, accreditation, upload, auth::now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "accreditation_id": id }))).into_response())
}

/// `GET /files/accreditations/{id}`: the accreditation's file.
pub async fn download_accreditation(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    Path(id): Path<i64>,
) -> Response {
    download(actor, Disposition::Attachment, |actor| async move {
        team::accreditation_file(&context, &actor, id).await
    })
    .await
}
