//! Technicians' accreditations over HTTP: the office uploads one (multipart, answered in JSON
//! for the page's script); downloads for the office, the technician and the agency.

use crate::file_routes::{date, file_answer, file_named, problem, service_problem, signed_in_form};
use app::api::AppContext;
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::services::auth;
use app::services::team::{self, NewAccreditation};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tower_sessions::Session;

/// `POST /files/technicians/{technician_id}/accreditations`: fields `certificate_type_id`,
/// `start_date`, `end_date` (YYYY-MM-DD) and `file`.
pub async fn upload_accreditation(
    State(context): State<AppContext>,
    session: Session,
    Path(technician_id): Path<i64>,
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
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let Ok(certificate_type_id) = get("certificate_type_id").trim().parse::<i64>() else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "certificate_type_id",
            "Choose the accreditation's certificate type.",
        );
    };
    let dates = date("start_date", get("start_date"))
        .and_then(|start| Ok((start, date("end_date", get("end_date"))?)));
    let (start_date, end_date) = match dates {
        Ok(dates) => dates,
        Err((field, message)) => return problem(StatusCode::UNPROCESSABLE_ENTITY, field, message),
    };
    let accreditation = NewAccreditation {
        technician_id,
        certificate_type_id,
        start_date,
        end_date,
    };
    let upload = file_named(files, "file").unwrap_or_default();
    match team::upload_accreditation(
        &context.db,
        &context.files,
        &actor,
        accreditation,
        upload,
        auth::now(),
    )
    .await
    {
        Ok(id) => (StatusCode::CREATED, Json(json!({ "accreditation_id": id }))).into_response(),
        Err(e) => service_problem(e),
    }
}

/// `GET /files/accreditations/{id}`: the accreditation's file.
pub async fn download_accreditation(
    State(context): State<AppContext>,
    session: Session,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let actor = auth::resolve(&context.db, &session, auth::now()).await?;
        team::accreditation_file(&context.db, &context.files, &actor, id).await
    }
    .await;
    file_answer(result)
}
