//! API keys: what a key may do (its scopes), how a key is written, and how many requests it may
//! make. A key acts as the administrator who made it, narrowed to its scopes, so it can never do
//! more than that person's role allows today.

use super::form_fields::FieldError;
use super::identity::Permissions;
use serde::{Deserialize, Serialize};

/// One thing a key may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    ContractorsRead,
    CertificationRead,
    CertificationWrite,
    TasksRead,
    TasksWrite,
    WebhooksManage,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::ContractorsRead,
        Scope::CertificationRead,
        Scope::CertificationWrite,
        Scope::TasksRead,
        Scope::TasksWrite,
        Scope::WebhooksManage,
    ];

    /// The name a developer writes and reads (`contractors:read`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ContractorsRead => "contractors:read",
            Scope::CertificationRead => "certification:read",
            Scope::CertificationWrite => "certification:write",
            Scope::TasksRead => "tasks:read",
            Scope::TasksWrite => "tasks:write",
            Scope::WebhooksManage => "webhooks:manage",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// What it allows, for the administrator choosing scopes.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::ContractorsRead => "read contractors and their compliance",
            Scope::CertificationRead => "read certificate types, requirements and documents",
            Scope::CertificationWrite => {
                "request certificates, upload documents and mark them valid"
            }
            Scope::TasksRead => "read tasks, their timelines and service reports, and properties",
            Scope::TasksWrite => "instruct works",
            Scope::WebhooksManage => "register and change webhook endpoints",
        }
    }

    fn bit(self) -> u8 {
        1 << Scope::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// The scopes of one key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes(u8);

impl Scopes {
    pub fn of(scopes: impl IntoIterator<Item = Scope>) -> Scopes {
        Scopes(scopes.into_iter().fold(0, |bits, s| bits | s.bit()))
    }

    pub fn has(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.has(*s))
    }

    /// As stored: the names, space-separated.
    pub fn to_text(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }

    /// From what is stored; an unknown name (a scope since withdrawn) grants nothing.
    pub fn from_text(text: &str) -> Scopes {
        Scopes::of(text.split_whitespace().filter_map(Scope::parse))
    }

    /// From the names an administrator ticked: at least one, each known.
    pub fn chosen<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Scopes, FieldError> {
        let mut scopes = Vec::new();
        for name in names {
            scopes.push(Scope::parse(name.trim()).ok_or_else(|| FieldError {
                field: "scopes".into(),
                message: "Choose scopes from the list.",
            })?);
        }
        let scopes = Scopes::of(scopes);
        if scopes.is_empty() {
            return Err(FieldError {
                field: "scopes".into(),
                message: "Choose at least one thing this key may do.",
            });
        }
        Ok(scopes)
    }

    /// What a key may do through the services: its maker's role, no more than its scopes, and
    /// never the management of people.
    pub fn narrow(self, role: Permissions) -> Permissions {
        Permissions {
            manage_users: false,
            manage_certification: role.manage_certification && self.has(Scope::CertificationWrite),
            instruct_work: role.instruct_work && self.has(Scope::TasksWrite),
            override_compliance: role.override_compliance && self.has(Scope::TasksWrite),
        }
    }
}

/// A key as the Settings > API page shows it; times already written as the agency reads them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySummary {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The key's first characters, to tell keys apart.
    pub hint: String,
    pub created_by: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

/// One change a key made, as its activity on Settings > API lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyActivity {
    pub when: String,
    /// The change in the product's words, such as "Uploaded: DBS check: dbs.pdf".
    pub what: String,
    /// The contractor it concerned, when it concerned one.
    pub contractor: Option<String>,
}

/// A key just made: the only time its text is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKeyShown {
    pub id: i64,
    pub name: String,
    pub key: String,
}

/// How every key begins, so a leaked one is recognisable (secret scanners, logs).
pub const KEY_PREFIX: &str = "cdk_";
/// 32 random bytes, base64url without padding.
const SECRET_LEN: usize = 43;
/// How much of a key the list shows, to tell keys apart.
const HINT_LEN: usize = KEY_PREFIX.len() + 6;

/// A new key's text from 32 random bytes.
#[cfg(feature = "ssr")]
pub fn key_text(random: &[u8; 32]) -> String {
    use base64::Engine;
    format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random)
    )
}

/// Whether a presented text has a key's shape; checked before any lookup, so junk of any size
/// costs nothing.
pub fn has_key_shape(text: &str) -> bool {
    text.len() == KEY_PREFIX.len() + SECRET_LEN
        && text.starts_with(KEY_PREFIX)
        && text[KEY_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The beginning of a key, kept to tell keys apart in the list.
pub fn hint(key: &str) -> String {
    key.chars().take(HINT_LEN).collect()
}

pub const NAME_MAX: usize = 80;

/// A key's name: what it is for ("Arthur sync").
pub fn key_name(text: &str) -> Result<String, FieldError> {
    let name = text.trim();
    let message = if name.is_empty() {
        "Name the key after what will use it, such as \"Arthur sync\"."
    } else if name.chars().count() > NAME_MAX {
        "Keep the name under 80 characters."
    } else {
        return Ok(name.to_string());
    };
    Err(FieldError {
        field: "name".into(),
        message,
    })
}

/// Requests one key may make in a minute, unless the operator sets another figure.
pub const REQUESTS_PER_MINUTE: i64 = 600;
const WINDOW_MS: i64 = 60_000;

/// The minute a request at `now` (unix milliseconds) counts in.
pub fn window_start(now: i64) -> i64 {
    now - now.rem_euclid(WINDOW_MS)
}

/// Whole seconds until the minute of `window_start` ends, at least one (`Retry-After`).
pub fn retry_after(window_start: i64, now: i64) -> i64 {
    let left = window_start + WINDOW_MS - now;
    ((left + 999) / 1000).max(1)
}

/// How many of a key's requests an instance reserves at once in the database: a twentieth of the
/// limit, so one instance's unused reservations hold back at most a twentieth of another's
/// requests when the minute's limit is reached, and at most a thousand, so a reservation is
/// used up within the minute it is made for.
pub fn reservation_size(limit: i64) -> i64 {
    (limit / 20).clamp(1, 1000)
}

/// Of `asked` requests reserved by one statement that left the key's count for the minute at
/// `count`, how many fall within `limit`.
pub fn reserved_within(limit: i64, count: i64, asked: i64) -> i64 {
    (limit - (count - asked)).clamp(0, asked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_through_their_stored_text() {
        let scopes = Scopes::of([Scope::TasksRead, Scope::ContractorsRead]);
        assert_eq!(scopes.to_text(), "contractors:read tasks:read");
        assert_eq!(Scopes::from_text(&scopes.to_text()), scopes);
        assert!(!scopes.has(Scope::TasksWrite));
    }

    #[test]
    fn an_unknown_stored_scope_grants_nothing() {
        let scopes = Scopes::from_text("tasks:read users:manage");
        assert_eq!(scopes, Scopes::of([Scope::TasksRead]));
    }

    #[test]
    fn chosen_scopes_must_be_known_and_at_least_one() {
        assert_eq!(
            Scopes::chosen(["tasks:read", " certification:write "]).unwrap(),
            Scopes::of([Scope::TasksRead, Scope::CertificationWrite])
        );
        assert_eq!(Scopes::chosen([]).unwrap_err().field, "scopes");
        assert_eq!(
            Scopes::chosen(["tasks:read", "admin"]).unwrap_err().message,
            "Choose scopes from the list."
        );
    }

    #[test]
    fn a_key_never_does_more_than_its_maker_or_its_scopes() {
        let admin = Permissions {
            manage_users: true,
            manage_certification: true,
            instruct_work: true,
            override_compliance: true,
        };
        let read_only = Scopes::of([Scope::ContractorsRead, Scope::TasksRead]);
        assert_eq!(read_only.narrow(admin), Permissions::default());
        let writer = Scopes::of(Scope::ALL);
        let narrowed = writer.narrow(admin);
        assert!(!narrowed.manage_users, "a key never manages people");
        assert!(narrowed.manage_certification && narrowed.instruct_work);
        assert!(narrowed.override_compliance);
        let no_override = Permissions {
            override_compliance: false,
            ..admin
        };
        assert!(!writer.narrow(no_override).override_compliance);
        assert!(!writer.narrow(Permissions::default()).instruct_work);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn keys_have_a_recognisable_shape_checked_before_lookup() {
        let key = key_text(&[7u8; 32]);
        assert!(key.starts_with("cdk_"));
        assert!(has_key_shape(&key));
        assert_eq!(hint(&key).len(), 10);
        assert!(!has_key_shape("cdk_short"));
        assert!(!has_key_shape(&format!("xyz_{}", &key[4..])));
        assert!(!has_key_shape(&format!("{}!", &key[..key.len() - 1])));
        assert!(!has_key_shape(&"a".repeat(100_000)));
    }

    #[test]
    fn names_are_required_and_short() {
        assert_eq!(key_name("  Arthur sync ").unwrap(), "Arthur sync");
        assert_eq!(key_name(" ").unwrap_err().field, "name");
        assert!(key_name(&"x".repeat(81)).is_err());
    }

    #[test]
    fn requests_count_in_whole_minutes() {
        assert_eq!(window_start(120_000), 120_000);
        assert_eq!(window_start(179_999), 120_000);
        assert_eq!(retry_after(120_000, 179_500), 1);
        assert_eq!(retry_after(120_000, 130_000), 50);
        assert_eq!(retry_after(120_000, 130_001), 50);
        assert_eq!(retry_after(120_000, 200_000), 1);
    }

    #[test]
    fn reservations_are_a_twentieth_of_the_limit_within_bounds() {
        assert_eq!(reservation_size(600), 30);
        assert_eq!(reservation_size(10), 1);
        assert_eq!(reservation_size(1), 1);
        assert_eq!(reservation_size(1_000_000), 1000);
    }

    #[test]
    fn only_what_fits_under_the_limit_is_reserved() {
        // 30 asked, the count now 30: all of them.
        assert_eq!(reserved_within(600, 30, 30), 30);
        // The count passed the limit by 10 with this statement: 20 of the 30.
        assert_eq!(reserved_within(600, 610, 30), 20);
        // Already at the limit before it: none.
        assert_eq!(reserved_within(600, 630, 30), 0);
        assert_eq!(reserved_within(600, 900, 30), 0);
        assert_eq!(reserved_within(10, 10, 1), 1);
        assert_eq!(reserved_within(10, 11, 1), 0);
    }
}
