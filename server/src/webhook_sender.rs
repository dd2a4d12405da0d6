//! The webhook sender: posts the deliveries the services wrote, signed the Standard Webhooks way
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature`), and reports each outcome to
//! `services::webhooks`, which retries, gives up or disables.
//!
//! A delivery is leased before it is posted and marked after, so a crash before posting loses
//! nothing and two instances never post one delivery at once. A crash between the receiver's
//! answer and the mark posts it again later with the same `webhook-id`, which receivers use to
//! ignore repeats (the Standard Webhooks contract).
//!
//! Endpoints are checked when registered, and again here at connection time: names are resolved
//! by [`GuardedResolver`], which refuses internal addresses, so a public name later pointed at
//! the private network (DNS rebinding) reaches nothing. Redirects are not followed.

use app::domain::webhooks::{is_internal_address, signature, LEASE_MS};
use app::services::webhooks::{self, Outcome};
use app::services::Context;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How many due deliveries one pass looks at.
const BATCH: i64 = 20;
/// A receiver gets this long to answer; the Standard Webhooks advice is to answer at once and
/// do the work after.
const TIMEOUT: Duration = Duration::from_secs(10);
// A live sender never loses its lease in the middle of a post.
const _: () = assert!(LEASE_MS > 4 * TIMEOUT.as_millis() as i64);
/// How much of a refusing receiver's answer is kept in the delivery log.
const ERROR_TEXT_MAX: usize = 300;

#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    allow_internal: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub delivered: usize,
    pub failed: usize,
}

impl WebhookSender {
    /// `allow_internal`: the operator's setting that lets endpoints be on internal addresses.
    pub fn new(allow_internal: bool) -> Result<WebhookSender, String> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Certidesk-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(GuardedResolver { allow_internal }))
            .build()
            .map_err(|e| format!("the webhook client cannot start: {e}"))?;
        Ok(WebhookSender {
            client,
            allow_internal,
        })
    }

    /// One pass over the due deliveries.
    pub async fn deliver_due(&self, cx: &Context) -> Result<Pass, app::services::ServiceError> {
        let mut pass = Pass::default();
        let now = app::db::now_ms();
        for id in webhooks::due(&cx.db, now, BATCH).await? {
            let Some(delivery) = webhooks::lease(&cx.db, id, now).await? else {
                continue; // another sender has it
            };
            let outcome = if delivery.endpoint_gone == 1 {
                Outcome::EndpointGone
            } else {
                self.post(&delivery).await
            };
            match &outcome {
                Outcome::Delivered { .. } => pass.delivered += 1,
                Outcome::Failed { error, .. } => {
                    pass.failed += 1;
                    tracing::warn!(
                        id,
                        endpoint = delivery.endpoint_id,
                        "webhook not delivered: {error}"
                    );
                }
                Outcome::EndpointGone => {}
            }
            webhooks::record_outcome(cx, &delivery, outcome, app::db::now_ms()).await?;
        }
        Ok(pass)
    }

    async fn post(&self, delivery: &app::db::webhooks::Outgoing) -> Outcome {
        let failed = |status: Option<i64>, error: String| Outcome::Failed { status, error };
        if let Some(refused) = self.literal_address_refused(&delivery.url) {
            return failed(None, refused);
        }
        let timestamp = app::db::now_ms() / 1000;
        let Some(signed) = signature(
            &delivery.secret,
            &delivery.event_id,
            timestamp,
            &delivery.payload,
        ) else {
            return failed(None, "the endpoint's secret is unusable".into());
        };
        let sent = self
            .client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signed)
            .body(delivery.payload.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Outcome::Delivered {
                status: i64::from(response.status().as_u16()),
            },
            Ok(response) => {
                let status = response.status();
                let text: String = response
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(ERROR_TEXT_MAX)
                    .collect();
                failed(
                    Some(i64::from(status.as_u16())),
                    format!("the receiver answered {status} {}", text.trim()),
                )
            }
            Err(e) => failed(None, describe(&e)),
        }
    }

    /// An address written as an IP is never resolved, so the resolver's check would not see it.
    fn literal_address_refused(&self, url: &str) -> Option<String> {
        let host = reqwest::Url::parse(url).ok()?.host_str()?.to_string();
        let ip: IpAddr = host.trim_matches(['[', ']']).parse().ok()?;
        (!self.allow_internal && is_internal_address(ip))
            .then(|| format!("refused: {ip} is an internal address"))
    }
}

/// Names the failure without the URL reqwest repeats in every error.
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut text = if e.is_timeout() {
        "no answer within 10 seconds".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        "the request failed".to_string()
    };
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(ERROR_TEXT_MAX).collect()
}

/// Resolves names as the system does, then keeps only the addresses a webhook may reach.
struct GuardedResolver {
    allow_internal: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_internal = self.allow_internal;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow_internal || !is_internal_address(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(format!("refused: {host} resolves only to internal addresses").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Runs one pass, logging rather than failing: the worker calls it every few seconds.
pub async fn pass(sender: &WebhookSender, cx: &Context) {
    match sender.deliver_due(cx).await {
        Ok(Pass {
            delivered: 0,
            failed: 0,
        }) => {}
        Ok(pass) => tracing::info!(
            delivered = pass.delivered,
            failed = pass.failed,
            "webhook deliveries"
        ),
        Err(e) => tracing::warn!("webhook pass failed: {e}"),
    }
}
