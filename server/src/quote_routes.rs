//! A contractor's quote over HTTP: its amount, note and document as one multipart form, and the
//! document's download for the agency and the office that sent it.

use crate::file_routes::{
    file_answer, file_named, service_problem, signed_in_form, UPLOAD_BODY_LIMIT,
};
use app::api::AppContext;
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::services::{auth, quotes};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tower_sessions::Session;

/// The body limit of the answer's route: one document and the text fields.
pub const ANSWER_BODY_LIMIT: usize = UPLOAD_BODY_LIMIT;

/// `POST /files/quotes/{quote_id}/answer`: `amount` (pounds), `note`, and optionally a document
/// in the field `quote`.
pub async fn answer(
    State(context): State<AppContext>,
    session: Session,
    Path(quote_id): Path<i64>,
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
    let answer = quotes::QuoteAnswer {
        amount: fields.get("amount").cloned().unwrap_or_default(),
        note: fields.get("note").cloned(),
        document: file_named(files, "quote"),
    };
    match quotes::answer(
        &context.db,
        &context.files,
        &actor,
        quote_id,
        answer,
        &context.public_url,
        auth::now(),
    )
    .await
    {
        Ok(()) => (StatusCode::OK, Json(json!({}))).into_response(),
        Err(e) => service_problem(e),
    }
}

/// `GET /files/quotes/{quote_id}/document`.
pub async fn document(
    State(context): State<AppContext>,
    session: Session,
    Path(quote_id): Path<i64>,
) -> Response {
    let result = async {
        let actor = auth::resolve(&context.db, &session, auth::now()).await?;
        quotes::quote_document(&context.db, &context.files, &actor, quote_id).await
    }
    .await;
    file_answer(result)
}
