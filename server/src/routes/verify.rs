//! `POST /verify/{code}/check`: anyone holding a service report checks it against the SHA-256
//! the report was issued with. No sign-in: the code is the key, and nothing of the file is kept.

use super::edge::{Form, Refusal};
use app::services::tasks::report;
use app::services::Context;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// A report is a few MB at most; a copy larger than this is not one.
pub const CHECK_LIMIT: usize = 20 * 1024 * 1024;

pub async fn check_report(
    State(context): State<Context>,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let form = Form::read(multipart, CHECK_LIMIT).await?;
    let (_, upload) = form
        .into_files()
        .into_iter()
        .next()
        .ok_or_else(|| Refusal::field("file", "Choose the PDF you were given."))?;
    let check = report::check_file(&context, &code, upload.bytes).await?;
    Ok(Json(check).into_response())
}
