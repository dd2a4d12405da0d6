//! Importing and exporting certification data over HTTP: the templates, the contractor export,
//! and the import's preview, commit and error report (multipart uploads, answered in JSON or as
//! a download). The services check who is asking.

use crate::file_routes::{file_named, problem, read_form, service_problem};
use app::api::AppContext;
use app::services::auth::{self, Actor};
use app::services::import::{self, MAX_IMPORT_BYTES};
use app::services::ServiceError;
use axum::extract::{Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tower_sessions::Session;

/// The body limit of an import upload.
pub const IMPORT_BODY_LIMIT: usize = MAX_IMPORT_BYTES + 1024 * 1024;

async fn actor(context: &AppContext, session: &Session) -> Result<Actor, Response> {
    auth::resolve(&context.db, session, auth::now())
        .await
        .map_err(service_problem)
}

fn download(body: impl IntoResponse, content_type: &'static str, name: &str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// A CSV download with a byte order mark, so Excel opens accents correctly.
fn csv_download(text: String, name: &str) -> Response {
    download(format!("\u{feff}{text}"), "text/csv; charset=utf-8", name)
}

/// `GET /imports/certifications/template.csv`
pub async fn csv_template(State(context): State<AppContext>, session: Session) -> Response {
    match actor(&context, &session).await {
        Ok(actor) if actor.require_agent().is_ok() => csv_download(
            import::csv_template(&actor),
            "certification-import-template.csv",
        ),
        Ok(_) => service_problem(ServiceError::Forbidden("only agents import certification")),
        Err(response) => response,
    }
}

/// `GET /imports/certifications/template.xlsx`
pub async fn xlsx_template(State(context): State<AppContext>, session: Session) -> Response {
    let actor = match actor(&context, &session).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    match import::xlsx_template(&context.db, &actor).await {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "certification-import-template.xlsx",
        ),
        Err(e) => service_problem(e),
    }
}

/// `GET /exports/contractors.csv`: "Export as import CSV".
pub async fn contractor_export(State(context): State<AppContext>, session: Session) -> Response {
    let actor = match actor(&context, &session).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    match import::contractor_export(&context.db, &actor).await {
        Ok(text) => csv_download(text, "contractors.csv"),
        Err(e) => service_problem(e),
    }
}

/// The uploaded file of an import form, and whether "all or nothing" was ticked.
async fn uploaded(form: &mut Multipart) -> Result<(Vec<u8>, bool), Response> {
    let (fields, files) = read_form(form, MAX_IMPORT_BYTES).await?;
    let upload = file_named(files, "file");
    let all_or_nothing = matches!(
        fields.get("all_or_nothing").map(String::as_str),
        Some("on" | "true")
    );
    match upload {
        Some(upload) if !upload.bytes.is_empty() => Ok((upload.bytes, all_or_nothing)),
        _ => Err(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "file",
            "Choose a .csv or .xlsx file to import.",
        )),
    }
}

/// Who is asking, and the file they sent.
async fn import_request(
    context: &AppContext,
    session: &Session,
    form: &mut Multipart,
) -> Result<(Actor, Vec<u8>, bool), Response> {
    let actor = actor(context, session).await?;
    let (bytes, all_or_nothing) = uploaded(form).await?;
    Ok((actor, bytes, all_or_nothing))
}

/// `POST /imports/certifications/preview`: every row's outcome; nothing changes.
pub async fn preview(
    State(context): State<AppContext>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let (actor, bytes, _) = match import_request(&context, &session, &mut form).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    match import::preview(&context.db, &actor, &bytes).await {
        Ok(preview) => Json(preview).into_response(),
        Err(e) => service_problem(e),
    }
}

/// `POST /imports/certifications/commit`: applies the valid rows (or, all or nothing, none).
pub async fn commit(
    State(context): State<AppContext>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let (actor, bytes, all_or_nothing) = match import_request(&context, &session, &mut form).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    match import::commit(
        &context.db,
        &actor,
        &bytes,
        all_or_nothing,
        &context.public_url,
        auth::now(),
    )
    .await
    {
        Ok(result) => Json(result).into_response(),
        Err(ServiceError::Refused(message)) => problem(StatusCode::CONFLICT, "", message),
        Err(e) => service_problem(e),
    }
}

/// `POST /imports/certifications/errors`: the rejected rows with a Reason column, as CSV.
pub async fn error_report(
    State(context): State<AppContext>,
    session: Session,
    mut form: Multipart,
) -> Response {
    let (actor, bytes, _) = match import_request(&context, &session, &mut form).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    match import::error_report(&context.db, &actor, &bytes).await {
        Ok(text) => csv_download(text, "certification-import-errors.csv"),
        Err(e) => service_problem(e),
    }
}
