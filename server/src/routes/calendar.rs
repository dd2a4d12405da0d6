//! `GET /calendar/{token}.ics`: a person's calendar feed for their calendar app. No sign-in: the
//! address is the key, checked and worked out again on every read (`services::calendar`).

use super::edge::Refusal;
use app::services::{auth, calendar, Context};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub async fn feed(
    State(context): State<Context>,
    Path(file): Path<String>,
) -> Result<Response, Refusal> {
    let token = file.strip_suffix(".ics").unwrap_or_default();
    let text = calendar::feed(&context, token, auth::now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            // Calendar apps poll; a few minutes' reuse spares the database without hiding a
            // change for long. Private: the feed is one person's.
            (header::CACHE_CONTROL, "private, max-age=300"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"certidesk.ics\"",
            ),
        ],
        text,
    )
        .into_response())
}
