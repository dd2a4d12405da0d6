//! Webhooks: administrators (or keys with `webhooks:manage`) register endpoints; a change that
//! an endpoint subscribed to writes a delivery in the change's own transaction ([`emit`]); the
//! server's sender posts deliveries and reports each outcome here ([`record_outcome`]), which
//! retries, gives up, and disables an endpoint that keeps failing, telling the administrators.
//! Compliance lights also change with the calendar, so [`watch_compliance`] compares each
//! contractor's light with the last one seen.

use super::auth::{self, Actor};
use super::compliance::cache::agency_view;
use super::{mail, Context, ServiceError};
use crate::db::webhooks::{self as store, NewDelivery, NewEndpoint, Outgoing};
use crate::db::{audit, Db};
use crate::domain::compliance::traffic_light;
use crate::domain::identity::Permission;
use crate::domain::webhooks::{
    self as rules, DeliveryState, DeliverySummary, EndpointSummary, EventSet, EventType,
    NewEndpointShown,
};
use serde_json::{json, Value};
use std::collections::HashMap;

/// People manage endpoints with the administrator's permission. A key's maker is an
/// administrator (checked on every request it makes) and the API edge checks the key carries
/// `webhooks:manage` before calling here.
fn may_manage(actor: &Actor) -> Result<(), ServiceError> {
    if actor.api_key_id.is_some() {
        return actor.require_agent();
    }
    actor.require(Permission::ManageUsers)
}

fn invalid(e: crate::domain::form_fields::FieldError) -> ServiceError {
    let field = match e.field.as_str() {
        "url" => "url",
        "description" => "description",
        _ => "events",
    };
    ServiceError::invalid(field, e.message)
}

/// The agency's endpoints, oldest first.
pub async fn list(cx: &Context, actor: &Actor) -> Result<Vec<EndpointSummary>, ServiceError> {
    may_manage(actor)?;
    let at = actor.instant_format();
    Ok(store::of_agency(cx.db.pool(), actor.agency_id)
        .await?
        .into_iter()
        .map(|row| EndpointSummary {
            id: row.id,
            url: row.url,
            description: row.description,
            events: EventSet::from_text(&row.events).iter().collect(),
            created: at(row.created_at),
            disabled: row
                .disabled_at
                .map(|when| format!("{} ({})", at(when), row.disabled_reason.unwrap_or_default())),
            failures: row.failures,
        })
        .collect())
}

/// Registers an endpoint; its signing secret is in the answer and shown only then.
pub async fn register(
    cx: &Context,
    actor: &Actor,
    url: &str,
    description: &str,
    events: EventSet,
    now: i64,
) -> Result<NewEndpointShown, ServiceError> {
    may_manage(actor)?;
    let url = rules::endpoint_url(url, cx.webhooks_reach_internal).map_err(invalid)?;
    let description = rules::description(description).map_err(invalid)?;
    if events.is_empty() {
        return Err(ServiceError::invalid(
            "events",
            "Choose at least one event to send.",
        ));
    }
    let secret = rules::secret_text(&auth::random_bytes()[..24]);
    let events_text = events.to_text();
    let mut tx = cx.db.begin_write().await?;
    let id = store::insert_endpoint(
        &mut *tx,
        &NewEndpoint {
            agency_id: actor.agency_id,
            url: &url,
            description: &description,
            events: &events_text,
            secret: &secret,
            created_by: actor.user_id,
        },
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "webhook_registered",
        None,
        &format!("{url} ({events_text})"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewEndpointShown { id, url, secret })
}

/// Deletes an endpoint: nothing more is posted to it, what waited is dropped.
pub async fn delete(cx: &Context, actor: &Actor, id: i64, now: i64) -> Result<(), ServiceError> {
    may_manage(actor)?;
    let mut tx = cx.db.begin_write().await?;
    let Some(endpoint) = store::endpoint(&mut *tx, actor.agency_id, id).await? else {
        return Err(ServiceError::NotFound("webhook endpoint"));
    };
    store::delete_endpoint(&mut *tx, actor.agency_id, id, now).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "webhook_deleted",
        None,
        &endpoint.url,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Enables a disabled endpoint again. Deliveries that gave up meanwhile are not resent: the
/// delivery log lists them.
pub async fn enable(cx: &Context, actor: &Actor, id: i64, now: i64) -> Result<(), ServiceError> {
    may_manage(actor)?;
    let mut tx = cx.db.begin_write().await?;
    let Some(endpoint) = store::endpoint(&mut *tx, actor.agency_id, id).await? else {
        return Err(ServiceError::NotFound("webhook endpoint"));
    };
    store::enable(&mut *tx, actor.agency_id, id).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "webhook_enabled",
        None,
        &endpoint.url,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `webhook.test` event for one endpoint; answers its event id.
pub async fn send_test(
    cx: &Context,
    actor: &Actor,
    id: i64,
    now: i64,
) -> Result<String, ServiceError> {
    may_manage(actor)?;
    let mut tx = cx.db.begin_write().await?;
    let Some(endpoint) = store::endpoint(&mut *tx, actor.agency_id, id).await? else {
        return Err(ServiceError::NotFound("webhook endpoint"));
    };
    if endpoint.disabled_at.is_some() {
        return Err(ServiceError::Refused(
            "This endpoint is disabled: enable it before sending a test event.".into(),
        ));
    }
    let event = Event::new(
        EventType::Test,
        json!({ "endpoint_id": id, "sent_by": actor.name }),
    );
    let (event_id, payload) = event.payload(now);
    store::enqueue(
        &mut *tx,
        &NewDelivery {
            endpoint_id: id,
            agency_id: actor.agency_id,
            event_id: &event_id,
            event_type: event.kind.as_str(),
            payload: &payload,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(event_id)
}

/// How many deliveries an endpoint's log shows.
pub const LOG_LENGTH: i64 = 50;

/// An endpoint's newest deliveries.
pub async fn deliveries(
    cx: &Context,
    actor: &Actor,
    id: i64,
) -> Result<Vec<DeliverySummary>, ServiceError> {
    may_manage(actor)?;
    if store::endpoint(cx.db.pool(), actor.agency_id, id)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound("webhook endpoint"));
    }
    let at = actor.instant_format();
    Ok(store::deliveries(cx.db.pool(), id, LOG_LENGTH)
        .await?
        .into_iter()
        .map(|row| {
            let (state, when) = match (row.delivered_at, row.gave_up_at) {
                (Some(done), _) => (DeliveryState::Delivered, Some(at(done))),
                (None, Some(gave_up)) => (DeliveryState::GaveUp, Some(at(gave_up))),
                (None, None) if row.attempts == 0 => (DeliveryState::Waiting, None),
                (None, None) => (DeliveryState::Retrying, Some(at(row.next_attempt_at))),
            };
            DeliverySummary {
                id: row.id,
                event_id: row.event_id,
                event_type: row.event_type,
                created: at(row.created_at),
                state,
                attempts: row.attempts,
                last_status: row.last_status,
                last_error: row.last_error,
                when,
            }
        })
        .collect())
}

/// Something that happened, about to be written for every endpoint that wants it.
pub(crate) struct Event {
    pub kind: EventType,
    /// The same for every endpoint and every attempt; fixed by the caller when the event may be
    /// noticed twice (an expiry seen by two passes) so it is still delivered once.
    pub id: Option<String>,
    pub data: Value,
}

impl Event {
    pub fn new(kind: EventType, data: Value) -> Event {
        Event {
            kind,
            id: None,
            data,
        }
    }

    /// The event's id and the body posted: the Standard Webhooks envelope.
    fn payload(&self, now: i64) -> (String, String) {
        let id = self
            .id
            .clone()
            .unwrap_or_else(|| format!("evt_{}", hex(&auth::random_bytes()[..12])));
        let timestamp = chrono::DateTime::from_timestamp_millis(now)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let body = json!({
            "id": id,
            "type": self.kind.as_str(),
            "timestamp": timestamp,
            "data": self.data,
        });
        (id, body.to_string())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `event` for each of the agency's enabled endpoints that subscribed to it, on the
/// caller's connection (inside the transaction of the change). Answers how many were written.
pub(crate) async fn emit(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    event: &Event,
    now: i64,
) -> Result<usize, ServiceError> {
    let endpoints = store::active(&mut *conn, agency_id).await?;
    let wanted: Vec<i64> = endpoints
        .into_iter()
        .filter(|(_, events)| EventSet::from_text(events).wants(event.kind))
        .map(|(id, _)| id)
        .collect();
    if wanted.is_empty() {
        return Ok(0);
    }
    let (event_id, payload) = event.payload(now);
    let mut written = 0;
    for endpoint_id in wanted {
        let delivery = NewDelivery {
            endpoint_id,
            agency_id,
            event_id: &event_id,
            event_type: event.kind.as_str(),
            payload: &payload,
        };
        if store::enqueue(&mut *conn, &delivery, now).await? {
            written += 1;
        }
    }
    Ok(written)
}

/// How one attempt to post a delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered { status: i64 },
    /// It answered otherwise, or could not be reached (`status` is then `None`).
    Failed { status: Option<i64>, error: String },
    /// The endpoint was disabled or deleted after the delivery was written.
    EndpointGone,
}

/// Records an attempt's outcome. A failure is retried on the backoff schedule or given up; an
/// endpoint failing every attempt for a day is disabled and the agency's administrators are
/// emailed, in the same transaction.
pub async fn record_outcome(
    cx: &Context,
    delivery: &Outgoing,
    outcome: Outcome,
    now: i64,
) -> Result<(), ServiceError> {
    let mut tx = cx.db.begin_write().await?;
    match outcome {
        Outcome::Delivered { status } => {
            store::mark_delivered(&mut *tx, delivery.id, status, now).await?;
            store::endpoint_succeeded(&mut *tx, delivery.endpoint_id).await?;
        }
        Outcome::EndpointGone => {
            store::mark_failed(
                &mut *tx,
                delivery.id,
                None,
                "the endpoint was disabled or deleted",
                None,
                now,
            )
            .await?;
        }
        Outcome::Failed { status, error } => {
            let retry = rules::retry_at(delivery.attempts, now);
            store::mark_failed(&mut *tx, delivery.id, status, &error, retry, now).await?;
            let (failures, since) =
                store::endpoint_failed(&mut *tx, delivery.endpoint_id, now).await?;
            if rules::should_disable(failures, since, now) {
                let reason = format!("{failures} failed attempts in a row, the last: {error}");
                if store::disable(&mut *tx, delivery.endpoint_id, &reason, now).await? {
                    tell_administrators(&mut tx, cx, delivery, &reason, now).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

async fn tell_administrators(
    tx: &mut sqlx::AnyConnection,
    cx: &Context,
    delivery: &Outgoing,
    reason: &str,
    now: i64,
) -> Result<(), ServiceError> {
    #[derive(sqlx::FromRow)]
    struct Administrator {
        id: i64,
        name: String,
        email: String,
    }
    let administrators: Vec<Administrator> = sqlx::query_as(
        "SELECT u.id, u.name, u.email FROM users u JOIN roles r ON r.id = u.role_id \
         WHERE u.agency_id = $1 AND u.kind = 'agent' AND u.active = 1 \
         AND r.can_manage_users = 1 ORDER BY u.id",
    )
    .bind(delivery.agency_id)
    .fetch_all(&mut *tx)
    .await?;
    let settings = format!("{}/admin/webhooks", cx.public_url.trim_end_matches('/'));
    for person in administrators {
        let email = mail::webhook_disabled(&person.name, &delivery.url, reason, &settings);
        let key = format!(
            "webhook_disabled:{}:{now}:{}",
            delivery.endpoint_id, person.id
        );
        mail::enqueue(
            &mut *tx,
            Some(delivery.agency_id),
            &person.email,
            &email,
            Some(&key),
            now,
        )
        .await?;
    }
    audit::record(
        &mut *tx,
        delivery.agency_id,
        audit::By {
            user_id: None,
            api_key_id: None,
        },
        "webhook_disabled",
        None,
        &format!("{}: {reason}", delivery.url),
        now,
    )
    .await?;
    Ok(())
}

/// Compares each contractor's compliance light, in every agency with an endpoint, with the
/// last one seen, and writes `contractor.compliance_changed` for each that moved. A light seen
/// for the first time is only recorded. `seen` keeps each agency's certification version and day
/// already compared, so a pass with nothing new reads almost nothing. Answers the changes found.
pub async fn watch_compliance(
    cx: &Context,
    seen: &mut HashMap<i64, (i64, chrono::NaiveDate)>,
    now: i64,
) -> Result<usize, ServiceError> {
    let mut changes = 0;
    for agency_id in store::agencies_listening(cx.db.pool()).await? {
        changes += watch_agency(cx, seen, agency_id, now).await?;
    }
    Ok(changes)
}

async fn watch_agency(
    cx: &Context,
    seen: &mut HashMap<i64, (i64, chrono::NaiveDate)>,
    agency_id: i64,
    now: i64,
) -> Result<usize, ServiceError> {
    let clock = super::compliance::cache::agency_clock(&cx.db, agency_id, now).await?;
    let mark = (clock.version, clock.today);
    if seen.get(&agency_id) == Some(&mark) {
        return Ok(0);
    }
    let view = agency_view(&cx.db, &cx.statuses, agency_id, now).await?;
    let known: HashMap<i64, String> = store::lights(cx.db.pool(), agency_id)
        .await?
        .into_iter()
        .collect();
    let mut changes = 0;
    let mut tx = cx.db.begin_write().await?;
    for contractor in view.contractors.iter() {
        let light = traffic_light(
            view.requirements(contractor.id)
                .iter()
                .map(|r| r.status.status),
        );
        let now_light = light.slug();
        match known.get(&contractor.id) {
            None => {
                store::first_light(&mut *tx, agency_id, contractor.id, now_light, now).await?;
            }
            Some(before) if before == now_light => {}
            Some(before) => {
                if store::change_light(&mut *tx, contractor.id, before, now_light, now).await? {
                    let event = Event::new(
                        EventType::ComplianceChanged,
                        json!({
                            "contractor_id": contractor.id,
                            "company_name": contractor.company_name,
                            "from": before,
                            "to": now_light,
                        }),
                    );
                    emit(&mut tx, agency_id, &event, now).await?;
                    changes += 1;
                }
            }
        }
    }
    tx.commit().await?;
    seen.insert(agency_id, mark);
    Ok(changes)
}

/// Leases one due delivery for a sender; `None` when another sender has it or it is gone.
pub async fn lease(db: &Db, id: i64, now: i64) -> Result<Option<Outgoing>, ServiceError> {
    if !store::claim(db.pool(), id, now, now + rules::LEASE_MS).await? {
        return Ok(None);
    }
    Ok(store::outgoing(db.pool(), id).await?)
}

/// Deliveries due now, for a sender to lease one by one.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<i64>, ServiceError> {
    Ok(store::due(db.pool(), now, limit).await?)
}
