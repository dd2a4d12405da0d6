//! Webhook endpoints on the Settings > Webhooks page.

use super::ApiError;
use crate::domain::webhooks::{DeliverySummary, EndpointSummary, NewEndpointShown};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::domain::webhooks::{EventSet, EventType},
    crate::services::{auth::now, webhooks},
};

#[server(prefix = "/rpc", endpoint = "webhooks/list")]
pub async fn list_webhooks() -> Result<Vec<EndpointSummary>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(webhooks::list(&context, &actor).await?)
}

/// The form: the address, a description, and one checkbox per event (sent as "on" only when
/// ticked, named after the event with `_` for `.`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct WebhookForm {
    pub url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub certificate_uploaded: Option<String>,
    #[serde(default)]
    pub certificate_validated: Option<String>,
    #[serde(default)]
    pub certificate_expiring: Option<String>,
    #[serde(default)]
    pub certificate_expired: Option<String>,
    #[serde(default)]
    pub contractor_compliance_changed: Option<String>,
    #[serde(default)]
    pub task_status_changed: Option<String>,
    #[serde(default)]
    pub task_message_posted: Option<String>,
    #[serde(default)]
    pub task_performed: Option<String>,
}

#[server(prefix = "/rpc", endpoint = "webhooks/create")]
pub async fn create_webhook(hook: WebhookForm) -> Result<NewEndpointShown, ApiError> {
    let (context, actor) = request::actor().await?;
    let ticked = [
        (
            hook.certificate_uploaded.is_some(),
            EventType::CertificateUploaded,
        ),
        (
            hook.certificate_validated.is_some(),
            EventType::CertificateValidated,
        ),
        (
            hook.certificate_expiring.is_some(),
            EventType::CertificateExpiring,
        ),
        (
            hook.certificate_expired.is_some(),
            EventType::CertificateExpired,
        ),
        (
            hook.contractor_compliance_changed.is_some(),
            EventType::ComplianceChanged,
        ),
        (
            hook.task_status_changed.is_some(),
            EventType::TaskStatusChanged,
        ),
        (
            hook.task_message_posted.is_some(),
            EventType::TaskMessagePosted,
        ),
        (hook.task_performed.is_some(), EventType::TaskPerformed),
    ];
    let events = EventSet::chosen(
        ticked
            .into_iter()
            .filter_map(|(ticked, event)| ticked.then_some(event.as_str())),
    )?;
    Ok(webhooks::register(
        &context,
        &actor,
        &hook.url,
        &hook.description,
        events,
        now(),
    )
    .await?)
}

#[server(prefix = "/rpc", endpoint = "webhooks/delete")]
pub async fn delete_webhook(endpoint_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(webhooks::delete(&context, &actor, endpoint_id, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "webhooks/enable")]
pub async fn enable_webhook(endpoint_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(webhooks::enable(&context, &actor, endpoint_id, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "webhooks/test")]
pub async fn send_test_webhook(endpoint_id: i64) -> Result<String, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(webhooks::send_test(&context, &actor, endpoint_id, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "webhooks/deliveries")]
pub async fn webhook_deliveries(endpoint_id: i64) -> Result<Vec<DeliverySummary>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(webhooks::deliveries(&context, &actor, endpoint_id).await?)
}

/// The form field of an event's checkbox.
pub fn field_name(event: &str) -> String {
    event.replace('.', "_")
}
