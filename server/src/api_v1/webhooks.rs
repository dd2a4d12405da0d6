//! `/api/v1/webhooks`: register, list and delete the agency's webhook endpoints, send a test
//! event, and read an endpoint's delivery log; all with the `webhooks:manage` scope.

use super::caller::Caller;
use super::problem::{BodyRefusals, Json, Path, Problem, Refusals};
use app::api::ApiError;
use app::domain::api_keys::Scope;
use app::domain::webhooks::{DeliveryState, EventSet};
use app::services::{auth, webhooks, Context};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    /// The events it receives, such as `task.status_changed`.
    pub events: Vec<String>,
    /// False once disabled for failing; enable it again on the Webhooks page.
    pub enabled: bool,
    /// Failed attempts since its last success.
    pub failures: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    pub data: Vec<Endpoint>,
}

/// The agency's webhook endpoints.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses(
        (status = 200, description = "Every endpoint", body = EndpointList),
        Refusals,
    ))]
pub async fn list(
    State(cx): State<Context>,
    Caller(caller): Caller,
) -> Result<Json<EndpointList>, Problem> {
    caller.require(Scope::WebhooksManage)?;
    let data = webhooks::list(&cx, &caller.actor)
        .await?
        .into_iter()
        .map(|e| Endpoint {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.events.iter().map(|e| e.as_str().to_string()).collect(),
            enabled: e.disabled.is_none(),
            failures: e.failures,
        })
        .collect();
    Ok(Json(EndpointList { data }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewEndpoint {
    /// An `https://` address reachable from the internet.
    #[schema(max_length = 500)]
    pub url: String,
    #[serde(default)]
    #[schema(max_length = 120)]
    pub description: String,
    /// At least one of: certificate.uploaded, certificate.validated, certificate.expiring,
    /// certificate.expired, contractor.compliance_changed, task.status_changed,
    /// task.message_posted, task.performed.
    #[schema(min_items = 1, max_items = 8)]
    pub events: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredEndpoint {
    pub id: i64,
    pub url: String,
    /// Signs every delivery (Standard Webhooks); returned only here.
    pub secret: String,
}

/// Registers an endpoint. Deliveries are posted as JSON with the Standard Webhooks headers
/// `webhook-id`, `webhook-timestamp` and `webhook-signature`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    request_body = NewEndpoint,
    responses(
        (status = 201, description = "Registered", body = RegisteredEndpoint),
        Refusals, BodyRefusals,
    ))]
pub async fn register(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Json(body): Json<NewEndpoint>,
) -> Result<(StatusCode, Json<RegisteredEndpoint>), Problem> {
    caller.require(Scope::WebhooksManage)?;
    let events =
        EventSet::chosen(body.events.iter().map(String::as_str)).map_err(ApiError::from)?;
    let made = webhooks::register(
        &cx,
        &caller.actor,
        &body.url,
        &body.description,
        events,
        auth::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisteredEndpoint {
            id: made.id,
            url: made.url,
            secret: made.secret,
        }),
    ))
}

/// Deletes an endpoint: nothing more is sent to it.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses(
        (status = 204, description = "Deleted"),
        Refusals,
    ))]
pub async fn delete(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    caller.require(Scope::WebhooksManage)?;
    webhooks::delete(&cx, &caller.actor, id, auth::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestEvent {
    /// The `webhook-id` the test delivery carries.
    pub event_id: String,
}

/// Queues a `webhook.test` event for the endpoint; it is posted within seconds.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses(
        (status = 202, description = "Queued", body = TestEvent),
        Refusals,
    ))]
pub async fn send_test(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<TestEvent>), Problem> {
    caller.require(Scope::WebhooksManage)?;
    let event_id = webhooks::send_test(&cx, &caller.actor, id, auth::now()).await?;
    Ok((StatusCode::ACCEPTED, Json(TestEvent { event_id })))
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Waiting,
    Delivered,
    Retrying,
    GaveUp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    #[schema(inline)]
    pub state: DeliveryStatus,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    /// The newest deliveries first (up to 50).
    pub data: Vec<Delivery>,
}

/// The endpoint's newest deliveries.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "Its delivery log", body = DeliveryList),
        Refusals,
    ))]
pub async fn deliveries(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<Json<DeliveryList>, Problem> {
    caller.require(Scope::WebhooksManage)?;
    let data = webhooks::deliveries(&cx, &caller.actor, id)
        .await?
        .into_iter()
        .map(|d| Delivery {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            state: match d.state {
                DeliveryState::Waiting => DeliveryStatus::Waiting,
                DeliveryState::Delivered => DeliveryStatus::Delivered,
                DeliveryState::Retrying => DeliveryStatus::Retrying,
                DeliveryState::GaveUp => DeliveryStatus::GaveUp,
            },
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
        })
        .collect();
    Ok(Json(DeliveryList { data }))
}
