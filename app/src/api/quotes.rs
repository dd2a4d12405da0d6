//! Requests for quotes: the agent's list, form, comparison and choice; the office's answers.
//! A quote's amount, note and document are sent as a multipart form (`server::routes::quotes`).

use super::ApiError;
use crate::domain::quotes::{
    DeskQuote, QuoteRequestDetail, QuoteRequestOutcome, QuoteRequestSummary,
};
use crate::domain::records::InstructOutcome;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::{date_field, id_list, request},
    crate::services::auth::now,
    crate::services::quotes,
};

/// The "Request quotes" form, sent as `request[field]`.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct QuoteRequestForm {
    pub property_id: i64,
    pub title: String,
    pub description: Option<String>,
    /// `YYYY-MM-DD`; empty is none.
    pub due_date: Option<String>,
    pub priority: String,
    #[serde(default)]
    pub work_kind: Option<String>,
    /// The contractors' ids, comma-separated.
    #[serde(default)]
    pub contractors: Option<String>,
    pub override_reason: Option<String>,
}

#[server(prefix = "/rpc", endpoint = "quotes/request")]
pub async fn request_quotes(request: QuoteRequestForm) -> Result<QuoteRequestOutcome, ApiError> {
    let (context, actor) = request::actor().await?;
    let new = quotes::NewQuoteRequest {
        property_id: request.property_id,
        title: request.title,
        description: request.description,
        due_date: date_field("due_date", request.due_date.as_deref())?,
        priority: request.priority,
        work_kind_id: id_list("work_kind", request.work_kind.as_deref())?
            .into_iter()
            .next(),
        contractor_ids: id_list("contractors", request.contractors.as_deref())?,
        override_reason: request.override_reason,
    };
    Ok(quotes::request_quotes(&context, &actor, new, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "quotes/list")]
pub async fn list_quote_requests() -> Result<Vec<QuoteRequestSummary>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(quotes::requests(&context, &actor).await?)
}

#[server(prefix = "/rpc", endpoint = "quotes/detail")]
pub async fn load_quote_request(request_id: i64) -> Result<QuoteRequestDetail, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(quotes::request_detail(&context, &actor, request_id, now()).await?)
}

/// Accepts a quote, which instructs the works; a red contractor answers `Blocked` unless
/// overridden with a reason.
#[server(prefix = "/rpc", endpoint = "quotes/accept")]
pub async fn accept_quote(
    quote_id: i64,
    #[server(default)] override_reason: Option<String>,
) -> Result<InstructOutcome, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(quotes::accept(
        &context,
        &actor,
        quote_id,
        override_reason.as_deref(),
        now(),
    )
    .await?)
}

#[server(prefix = "/rpc", endpoint = "quotes/withdraw")]
pub async fn withdraw_quote_request(request_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(quotes::withdraw(&context, &actor, request_id, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "quotes/desk")]
pub async fn desk_quotes() -> Result<Vec<DeskQuote>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(quotes::desk_quotes(&context, &actor).await?)
}

/// How many requests still wait for this office's quote.
#[server(prefix = "/rpc", endpoint = "quotes/to_answer")]
pub async fn quotes_to_answer() -> Result<u32, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(quotes::to_answer(&context, &actor).await?)
}

#[server(prefix = "/rpc", endpoint = "quotes/decline")]
pub async fn decline_quote(
    quote_id: i64,
    #[server(default)] note: Option<String>,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(quotes::decline(&context, &actor, quote_id, note.as_deref(), now()).await?)
}
