//! `POST /verify/{code}/check`: anyone holding a service report checks it against the SHA-256
//! the report was issued with. No sign-in: the code is the key, and nothing of the file is kept.

use crate::file_routes::{problem, read_form, service_problem};
use app::api::AppContext;
use app::services::report;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A report is a few MB at most; a copy larger than this is not one.
pub const CHECK_LIMIT: usize = 20 * 1024 * 1024;

pub async fn check_report(
    State(context): State<AppContext>,
    Path(code): Path<String>,
    mut form: Multipart,
) -> Response {
    let (_, files) = match read_form(&mut form, CHECK_LIMIT).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let Some((_, upload)) = files.into_iter().next() else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "file",
            "Choose the PDF you were given.",
        );
    };
    match report::check_file(&context.db, &code, upload.bytes).await {
        Ok(check) => (StatusCode::OK, Json(check)).into_response(),
        Err(e) => service_problem(e),
    }
}
