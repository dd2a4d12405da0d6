//! A contractor's quote over HTTP: its amount, note and document as one multipart form, and the
//! document's download for the agency and the office that sent it.

use super::certificates::UPLOAD_BODY_LIMIT;
use super::edge::{download, Disposition, Form, Refusal};
use app::api::ApiError;
use app::domain::files::MAX_CERTIFICATE_BYTES;
use app::services::auth::{self, Actor};
use app::services::quotes;
use app::services::Context;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The body limit of the answer's route: one document and the text fields.
pub const ANSWER_BODY_LIMIT: usize = UPLOAD_BODY_LIMIT;

/// `POST /files/quotes/{quote_id}/answer`: `amount` (pounds), `note`, and optionally a document
/// in the field `quote`.
pub async fn answer(
    State(context): State<Context>,
    actor: Actor,
    Path(quote_id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, Refusal> {
    let mut form = Form::read(multipart, MAX_CERTIFICATE_BYTES as usize).await?;
    let answer = quotes::QuoteAnswer {
        amount: form.raw_text("amount").unwrap_or_default(),
        note: form.raw_text("note"),
        document: form.take_file("quote"),
    };
    quotes::answer(&context, &actor, quote_id, answer, auth::now()).await?;
    Ok(Json(json!({})).into_response())
}

/// `GET /files/quotes/{quote_id}/document`.
pub async fn document(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    Path(quote_id): Path<i64>,
) -> Response {
    download(actor, Disposition::Attachment, |actor| async move {
        quotes::quote_document(&context, &actor, quote_id).await
    })
    .await
}
