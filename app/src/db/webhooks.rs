//! Webhook endpoints and their deliveries. Deliveries are written in the transaction of the
//! change that causes them and leased by a sender, as the mail outbox is (`db::outbox`), so
//! several instances never post the same delivery at once and a sender that dies mid-post leaves
//! it to be posted again when the lease ends.

use super::leases::Queue;
use sqlx::{Any, Executor, FromRow};

const QUEUE: Queue = Queue {
    table: "webhook_deliveries",
    done: "delivered_at",
};

#[derive(Clone, Debug, FromRow)]
pub struct EndpointRow {
    pub id: i64,
    pub agency_id: i64,
    pub url: String,
    pub description: String,
    pub events: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub disabled_reason: Option<String>,
    pub failures: i64,
}

const ENDPOINT_COLUMNS: &str = "id, agency_id, url, description, events, created_at, \
     disabled_at, disabled_reason, failures";

pub struct NewEndpoint<'a> {
    pub agency_id: i64,
    pub url: &'a str,
    pub description: &'a str,
    pub events: &'a str,
    pub secret: &'a str,
    pub created_by: i64,
}

pub async fn insert_endpoint<'c, E: Executor<'c, Database = Any>>(
    e: E,
    endpoint: &NewEndpoint<'_>,
    now: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO webhook_endpoints (agency_id, url, description, events, secret, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(endpoint.agency_id)
    .bind(endpoint.url)
    .bind(endpoint.description)
    .bind(endpoint.events)
    .bind(endpoint.secret)
    .bind(endpoint.created_by)
    .bind(now)
    .fetch_one(e)
    .await
}

/// The agency's endpoints (not deleted), oldest first.
pub async fn of_agency<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
) -> sqlx::Result<Vec<EndpointRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints \
         WHERE agency_id = $1 AND deleted_at IS NULL ORDER BY id"
    ))
    .bind(agency_id)
    .fetch_all(e)
    .await
}

/// One endpoint of the agency (not deleted).
pub async fn endpoint<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    id: i64,
) -> sqlx::Result<Option<EndpointRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints \
         WHERE id = $1 AND agency_id = $2 AND deleted_at IS NULL"
    ))
    .bind(id)
    .bind(agency_id)
    .fetch_optional(e)
    .await
}

/// The agency's endpoints that take deliveries now: (id, subscribed events).
pub async fn active<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "SELECT id, events FROM webhook_endpoints \
         WHERE agency_id = $1 AND deleted_at IS NULL AND disabled_at IS NULL ORDER BY id",
    )
    .bind(agency_id)
    .fetch_all(e)
    .await
}

/// The agencies with at least one endpoint taking deliveries.
pub async fn agencies_listening<'c, E: Executor<'c, Database = Any>>(
    e: E,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT DISTINCT agency_id FROM webhook_endpoints \
         WHERE deleted_at IS NULL AND disabled_at IS NULL ORDER BY agency_id",
    )
    .fetch_all(e)
    .await
}

/// Deletes an endpoint (kept for its deliveries' history); its waiting deliveries are dropped.
/// False when the agency has no such endpoint.
pub async fn delete_endpoint<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    id: i64,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET deleted_at = $3 \
         WHERE id = $1 AND agency_id = $2 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(agency_id)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes deliveries again after being disabled, its count of failures started afresh.
pub async fn enable<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, \
         failing_since = NULL, failures = 0 WHERE id = $1 AND agency_id = $2 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(agency_id)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A delivery to write; `event_id` is the receiver's idempotency key.
pub struct NewDelivery<'a> {
    pub endpoint_id: i64,
    pub agency_id: i64,
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub payload: &'a str,
}

/// Adds a delivery; the same event for the same endpoint again adds nothing (returns false).
pub async fn enqueue<'c, E: Executor<'c, Database = Any>>(
    e: E,
    delivery: &NewDelivery<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO webhook_deliveries (endpoint_id, agency_id, event_id, event_type, payload, \
         created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (endpoint_id, event_id) DO NOTHING",
    )
    .bind(delivery.endpoint_id)
    .bind(delivery.agency_id)
    .bind(delivery.event_id)
    .bind(delivery.event_type)
    .bind(delivery.payload)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ids of deliveries due now and not leased by another sender, oldest first.
pub async fn due<'c, E: Executor<'c, Database = Any>>(
    e: E,
    now: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    QUEUE.due(e, now, limit).await
}

/// Takes a lease on one delivery; true when this sender has it.
pub async fn claim<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    now: i64,
    lease_until: i64,
) -> sqlx::Result<bool> {
    QUEUE.claim(e, id, now, lease_until).await
}

/// A leased delivery with what posting it needs.
#[derive(Clone, Debug, FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub endpoint_id: i64,
    pub agency_id: i64,
    pub event_id: String,
    pub payload: String,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
    /// Disabled or deleted since the delivery was written: it is not posted.
    pub endpoint_gone: i64,
}

pub async fn outgoing<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
) -> sqlx::Result<Option<Outgoing>> {
    sqlx::query_as(
        "SELECT d.id, d.endpoint_id, d.agency_id, d.event_id, d.payload, d.attempts, w.url, \
         w.secret, CASE WHEN w.disabled_at IS NULL AND w.deleted_at IS NULL THEN 0 ELSE 1 END \
         AS endpoint_gone FROM webhook_deliveries d \
         JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(e)
    .await
}

pub async fn mark_delivered<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    status: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET delivered_at = $2, locked_until = NULL, last_status = $3, \
         last_error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(status)
    .execute(e)
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
pub async fn mark_failed<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
    status: Option<i64>,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET locked_until = NULL, last_status = $2, last_error = $3, \
         next_attempt_at = COALESCE($4, next_attempt_at), \
         gave_up_at = CASE WHEN $4 IS NULL THEN $5 ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .execute(e)
    .await?;
    Ok(())
}

/// The endpoint answered: its run of failures ends.
pub async fn endpoint_succeeded<'c, E: Executor<'c, Database = Any>>(
    e: E,
    endpoint_id: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE webhook_endpoints SET failures = 0, failing_since = NULL WHERE id = $1 \
         AND failures > 0",
    )
    .bind(endpoint_id)
    .execute(e)
    .await?;
    Ok(())
}

/// Counts a failed attempt; answers the failures in a row and since when.
pub async fn endpoint_failed<'c, E: Executor<'c, Database = Any>>(
    e: E,
    endpoint_id: i64,
    now: i64,
) -> sqlx::Result<(i64, Option<i64>)> {
    sqlx::query_as(
        "UPDATE webhook_endpoints SET failures = failures + 1, \
         failing_since = COALESCE(failing_since, $2) WHERE id = $1 \
         RETURNING failures, failing_since",
    )
    .bind(endpoint_id)
    .bind(now)
    .fetch_one(e)
    .await
}

/// Disables an endpoint that is still enabled; true when this call did it.
pub async fn disable<'c, E: Executor<'c, Database = Any>>(
    e: E,
    endpoint_id: i64,
    reason: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3 \
         WHERE id = $1 AND disabled_at IS NULL",
    )
    .bind(endpoint_id)
    .bind(now)
    .bind(reason)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Debug, FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub payload: String,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    pub gave_up_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

/// An endpoint's newest deliveries first.
pub async fn deliveries<'c, E: Executor<'c, Database = Any>>(
    e: E,
    endpoint_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<DeliveryRow>> {
    sqlx::query_as(
        "SELECT id, event_id, event_type, payload, created_at, next_attempt_at, attempts, \
         delivered_at, gave_up_at, last_status, last_error FROM webhook_deliveries \
         WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(endpoint_id)
    .bind(limit)
    .fetch_all(e)
    .await
}

/// The light each contractor of the agency last had, as the webhook watcher saw it.
pub async fn lights<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as("SELECT contractor_id, light FROM contractor_lights WHERE agency_id = $1")
        .bind(agency_id)
        .fetch_all(e)
        .await
}

/// Records a contractor's first seen light; false when another instance already has.
pub async fn first_light<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
    contractor_id: i64,
    light: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO contractor_lights (contractor_id, agency_id, light, changed_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (contractor_id) DO NOTHING",
    )
    .bind(contractor_id)
    .bind(agency_id)
    .bind(light)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a contractor's light from `from` to `to`; false when another instance already has.
pub async fn change_light<'c, E: Executor<'c, Database = Any>>(
    e: E,
    contractor_id: i64,
    from: &str,
    to: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE contractor_lights SET light = $3, changed_at = $4 \
         WHERE contractor_id = $1 AND light = $2",
    )
    .bind(contractor_id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(e)
    .await?;
    Ok(done.rows_affected() == 1)
}
