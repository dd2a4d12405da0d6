//! Webhooks: the events an endpoint may subscribe to, which addresses may receive them, how a
//! delivery is signed (the Standard Webhooks scheme), when a failed one is tried again, and when
//! an endpoint that keeps failing is disabled.

use super::form_fields::FieldError;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Something that happened in the agency that another system may want to hear of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    CertificateUploaded,
    CertificateValidated,
    CertificateExpiring,
    CertificateExpired,
    ComplianceChanged,
    TaskStatusChanged,
    TaskMessagePosted,
    TaskPerformed,
    /// Sent by "Send test event"; every endpoint receives it, whatever it subscribed to.
    Test,
}

impl EventType {
    /// What an endpoint may subscribe to.
    pub const SUBSCRIBABLE: [EventType; 8] = [
        EventType::CertificateUploaded,
        EventType::CertificateValidated,
        EventType::CertificateExpiring,
        EventType::CertificateExpired,
        EventType::ComplianceChanged,
        EventType::TaskStatusChanged,
        EventType::TaskMessagePosted,
        EventType::TaskPerformed,
    ];

    /// The name in the payload's `type` and in the subscription.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::CertificateUploaded => "certificate.uploaded",
            EventType::CertificateValidated => "certificate.validated",
            EventType::CertificateExpiring => "certificate.expiring",
            EventType::CertificateExpired => "certificate.expired",
            EventType::ComplianceChanged => "contractor.compliance_changed",
            EventType::TaskStatusChanged => "task.status_changed",
            EventType::TaskMessagePosted => "task.message_posted",
            EventType::TaskPerformed => "task.performed",
            EventType::Test => "webhook.test",
        }
    }

    pub fn parse(text: &str) -> Option<EventType> {
        EventType::SUBSCRIBABLE
            .into_iter()
            .chain([EventType::Test])
            .find(|e| e.as_str() == text)
    }

    /// When it is sent, for the administrator choosing events.
    pub fn describe(self) -> &'static str {
        match self {
            EventType::CertificateUploaded => "a certificate document is uploaded or recorded",
            EventType::CertificateValidated => "a certificate is ticked Valid",
            EventType::CertificateExpiring => {
                "a valid certificate enters the agency's \"expiring soon\" window"
            }
            EventType::CertificateExpired => "a valid certificate has expired",
            EventType::ComplianceChanged => "a contractor's compliance light changes",
            EventType::TaskStatusChanged => "a task moves to another status",
            EventType::TaskMessagePosted => "a message is posted on a task",
            EventType::TaskPerformed => "a technician signs \"I've performed this work\"",
            EventType::Test => "the \"Send test event\" button",
        }
    }

    fn bit(self) -> u16 {
        match EventType::SUBSCRIBABLE.iter().position(|e| *e == self) {
            Some(place) => 1 << place,
            None => 0,
        }
    }
}

/// The events one endpoint subscribed to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSet(u16);

impl EventSet {
    pub fn of(events: impl IntoIterator<Item = EventType>) -> EventSet {
        EventSet(events.into_iter().fold(0, |bits, e| bits | e.bit()))
    }

    /// Whether a delivery of `event` goes to an endpoint with this set; the test event always does.
    pub fn wants(self, event: EventType) -> bool {
        event == EventType::Test || self.0 & event.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = EventType> {
        EventType::SUBSCRIBABLE
            .into_iter()
            .filter(move |e| self.0 & e.bit() != 0)
    }

    /// As stored: the names, space-separated.
    pub fn to_text(self) -> String {
        self.iter()
            .map(EventType::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// From what is stored; an unknown name (an event since withdrawn) subscribes to nothing.
    pub fn from_text(text: &str) -> EventSet {
        EventSet::of(text.split_whitespace().filter_map(EventType::parse))
    }

    /// From the names an administrator chose: at least one, each known.
    pub fn chosen<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<EventSet, FieldError> {
        let names: Vec<&str> = names.into_iter().collect();
        if names.len() > EventType::SUBSCRIBABLE.len() {
            return Err(FieldError {
                field: "events".into(),
                message: "Name each event once.",
            });
        }
        let mut events = Vec::new();
        for name in names {
            match EventType::parse(name.trim()) {
                Some(event) if event != EventType::Test => events.push(event),
                _ => {
                    return Err(FieldError {
                        field: "events".into(),
                        message: "Choose events from the list.",
                    })
                }
            }
        }
        let set = EventSet::of(events);
        if set.is_empty() {
            return Err(FieldError {
                field: "events".into(),
                message: "Choose at least one event to send.",
            });
        }
        Ok(set)
    }
}

/// Whether an address is one a webhook must never reach unless the operator allows it: the
/// server itself, the private networks behind it, link-local (cloud metadata services live
/// there), and addresses that are not a single public host.
pub fn is_internal_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                // Carrier-grade NAT (100.64.0.0/10) and the benchmarking range (198.18.0.0/15).
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                // The documentation range (2001:db8::/32).
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

pub const URL_MAX: usize = 500;
pub const DESCRIPTION_MAX: usize = 120;

/// An endpoint's address as typed: `https://` and a host, with no user name or password in it.
/// Plain `http://` and internal hosts only where the operator allows internal endpoints (a
/// receiver on the same machine during development). Resolved names are checked again when a
/// delivery is sent, so a name that later points inside is refused then.
#[cfg(feature = "ssr")]
pub fn endpoint_url(text: &str, allow_internal: bool) -> Result<String, FieldError> {
    let error = |message| FieldError {
        field: "url".into(),
        message,
    };
    if text.chars().count() > URL_MAX {
        return Err(error("Keep the address under 500 characters."));
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(error("Give the address that will receive the events."));
    }
    let url = url::Url::parse(text)
        .map_err(|_| error("Give a full address, such as https://example.com/hooks/certidesk."))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_internal => {}
        _ => return Err(error("The address must start with https://.")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(error(
            "Leave the user name and password out of the address: deliveries are signed instead.",
        ));
    }
    let internal = match url.host() {
        None => return Err(error("The address needs a host name.")),
        Some(url::Host::Ipv4(ip)) => is_internal_address(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_internal_address(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost") || name.ends_with(".internal")
        }
    };
    if internal && !allow_internal {
        return Err(error(
            "That address is inside a private network; give one reachable from the internet.",
        ));
    }
    Ok(url.to_string())
}

/// What the administrator writes to tell endpoints apart ("Arthur sync"); may be empty.
pub fn description(text: &str) -> Result<String, FieldError> {
    if text.chars().count() > DESCRIPTION_MAX {
        return Err(FieldError {
            field: "description".into(),
            message: "Keep the description under 120 characters.",
        });
    }
    Ok(text.trim().to_string())
}

/// How an endpoint's signing secret begins (Standard Webhooks); base64 of the key bytes follows.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret from random bytes.
#[cfg(feature = "ssr")]
pub fn secret_text(random: &[u8]) -> String {
    use base64::Engine;
    format!(
        "{SECRET_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(random)
    )
}

/// The `webhook-signature` header of a delivery: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}` under the secret's key bytes. `None` for a secret not of our shape.
#[cfg(feature = "ssr")]
pub fn signature(secret: &str, id: &str, timestamp_s: i64, body: &str) -> Option<String> {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let engine = base64::engine::general_purpose::STANDARD;
    let key = engine.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp_s}.").as_bytes());
    mac.update(body.as_bytes());
    Some(format!("v1,{}", engine.encode(mac.finalize().into_bytes())))
}

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

/// Waits after the 1st, 2nd, ... failed attempt (the Standard Webhooks schedule): a receiver
/// down for a deploy gets the event seconds later; one down for a day still gets it.
const BACKOFF_MS: [i64; 7] = [
    5 * SECOND,
    5 * MINUTE,
    30 * MINUTE,
    2 * HOUR,
    5 * HOUR,
    10 * HOUR,
    10 * HOUR,
];

/// When a delivery whose `attempts`-th attempt just failed is tried again; `None`: given up.
pub fn retry_at(attempts: i64, failed_at: i64) -> Option<i64> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    BACKOFF_MS.get(index).map(|wait| failed_at + wait)
}

/// How long a sender may hold a delivery before another instance may take it over.
pub const LEASE_MS: i64 = 2 * MINUTE;

/// An endpoint is disabled once it has failed this many attempts in a row...
pub const DISABLE_AFTER_FAILURES: i64 = 5;
/// ...over at least this long without one success, so a short outage never disables it.
pub const DISABLE_AFTER_MS: i64 = 24 * HOUR;

/// Whether an endpoint that has failed `failures` attempts in a row since `failing_since`
/// should be disabled now.
pub fn should_disable(failures: i64, failing_since: Option<i64>, now: i64) -> bool {
    failures >= DISABLE_AFTER_FAILURES
        && failing_since.is_some_and(|since| now - since >= DISABLE_AFTER_MS)
}

/// An endpoint as the Settings > Webhooks page and the API show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointSummary {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<EventType>,
    pub created: String,
    /// Why and when it was disabled, written as the agency reads it.
    pub disabled: Option<String>,
    /// Failed attempts since its last success.
    pub failures: i64,
}

/// An endpoint just registered: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEndpointShown {
    pub id: i64,
    pub url: String,
    pub secret: String,
}

/// Where one delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    Waiting,
    Delivered,
    Retrying,
    GaveUp,
}

impl DeliveryState {
    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Waiting => "Waiting",
            DeliveryState::Delivered => "Delivered",
            DeliveryState::Retrying => "Failed, will retry",
            DeliveryState::GaveUp => "Gave up",
        }
    }
}

/// A line of an endpoint's delivery log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverySummary {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub created: String,
    pub state: DeliveryState,
    pub attempts: i64,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// When it was delivered, or when it is tried next.
    pub when: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn event_sets_round_trip_and_the_test_event_always_goes() {
        let set = EventSet::of([EventType::TaskPerformed, EventType::CertificateExpired]);
        assert_eq!(set.to_text(), "certificate.expired task.performed");
        assert_eq!(EventSet::from_text(&set.to_text()), set);
        assert!(set.wants(EventType::TaskPerformed));
        assert!(!set.wants(EventType::TaskStatusChanged));
        assert!(set.wants(EventType::Test));
        assert!(EventSet::from_text("withdrawn.event").is_empty());
    }

    #[test]
    fn chosen_events_must_be_known_and_not_empty() {
        assert!(EventSet::chosen(["task.performed"]).is_ok());
        assert_eq!(
            EventSet::chosen(["task.exploded"]).unwrap_err().field,
            "events"
        );
        assert!(EventSet::chosen(["webhook.test"]).is_err());
        assert!(EventSet::chosen(std::iter::empty()).is_err());
        assert!(EventSet::chosen(["task.performed"; 9]).is_err());
        assert_eq!(description("  Arthur  ").unwrap(), "Arthur");
        assert!(description(&"x".repeat(121)).is_err());
    }

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_internal_address(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(!is_internal_address(ip.parse().unwrap()), "{ip}");
        }
        assert!(is_internal_address(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(is_internal_address(IpAddr::V6(Ipv6Addr::UNSPECIFIED)));
    }

    #[test]
    fn endpoint_addresses_need_https_and_a_public_host() {
        assert_eq!(
            endpoint_url(" https://hooks.example.com/certidesk ", false).unwrap(),
            "https://hooks.example.com/certidesk"
        );
        for refused in [
            "http://hooks.example.com/",
            "ftp://hooks.example.com/",
            "https://127.0.0.1/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost:8080/",
            "https://metadata.google.internal/",
            "https://user:pass@hooks.example.com/",
            "hooks.example.com",
            "",
        ] {
            assert_eq!(
                endpoint_url(refused, false).unwrap_err().field,
                "url",
                "{refused}"
            );
        }
        // The operator's setting allows a receiver on the same machine, over plain HTTP.
        assert!(endpoint_url("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(endpoint_url(&format!("https://a.example/{}", "x".repeat(500)), false).is_err());
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(signature("not-a-secret", "id", 1, body), None);
        let made = secret_text(&[7u8; 24]);
        assert!(made.starts_with(SECRET_PREFIX));
        assert!(signature(&made, "id", 1, body).is_some());
    }

    #[test]
    fn retries_wait_longer_then_give_up() {
        assert_eq!(retry_at(1, 1_000), Some(6_000));
        let waits: Vec<i64> = (1..=7).map(|n| retry_at(n, 0).unwrap()).collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(retry_at(8, 0), None);
        assert_eq!(retry_at(0, 0), None);
    }

    #[test]
    fn an_endpoint_is_disabled_only_after_a_day_of_failures() {
        let day = DISABLE_AFTER_MS;
        assert!(!should_disable(4, Some(0), 2 * day));
        assert!(!should_disable(50, Some(0), day - 1));
        assert!(should_disable(5, Some(0), day));
        assert!(!should_disable(5, None, day));
    }
}
