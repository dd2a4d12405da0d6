//! The Calendar page: a person's private calendar address.

use super::ApiError;
use crate::domain::calendar::CalendarLinkStatus;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::services::{auth::now, calendar},
};

#[server(prefix = "/rpc", endpoint = "calendar/status")]
pub async fn calendar_status() -> Result<CalendarLinkStatus, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(calendar::status(&context, &actor).await?)
}

/// Makes a new address (the old one stops); answers it, shown only now.
#[server(prefix = "/rpc", endpoint = "calendar/make")]
pub async fn make_calendar_link() -> Result<String, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(calendar::make_link(&context, &actor, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "calendar/stop")]
pub async fn stop_calendar_link() -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(calendar::stop(&context, &actor, now()).await?)
}
