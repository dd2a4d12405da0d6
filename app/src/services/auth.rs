//! Who is asking, and how they sign in: passwords, emailed links, password resets, sessions.
//!
//! [`resolve`] is the one place where a request's session becomes an [`Actor`]; every other
//! service takes the `Actor` and checks it.

use super::{mail, ServiceError};
use crate::db::{self, attempts, audit, sessions, tokens, users, Db};
use crate::domain::dates::{self, DateFormat};
use crate::domain::identity::{
    self, check_session, LinkProblem, LinkPurpose, LinkRequest, Permission, Permissions,
    SessionCheck, UserKind, LINK_REQUESTS_PER_ADDRESS, LINK_REQUESTS_PER_EMAIL, PASSWORD_FAILURES,
    PASSWORD_FAILURES_PER_ADDRESS,
};
use crate::domain::records::{LinkPreview, Viewer};
use crate::services::Context;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use tower_sessions::{Expiry, Session};

/// A signed-in person as every service sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub agency_id: i64,
    pub kind: UserKind,
    pub name: String,
    pub email: String,
    pub agency_name: String,
    /// How the agency writes dates.
    pub date_format: DateFormat,
    /// The agency's time zone (an IANA name): its "today" and the times it reads.
    pub time_zone: String,
    /// Agents only; empty for everyone else.
    pub permissions: Permissions,
    /// Contractor office users and technicians.
    pub contractor_id: Option<i64>,
    pub company_name: Option<String>,
    /// Set when the request came through an API key: the key acts as the administrator who
    /// made it, and the audit log names the key.
    pub api_key_id: Option<i64>,
}

impl Actor {
    fn from_record(user: users::UserRecord) -> Option<Actor> {
        let kind = UserKind::parse(&user.kind)?;
        let set = |flag: Option<i64>| flag == Some(1);
        Some(Actor {
            user_id: user.id,
            agency_id: user.agency_id,
            kind,
            name: user.name,
            email: user.email,
            agency_name: user.agency_name,
            date_format: DateFormat::from_pattern(&user.date_format).unwrap_or_default(),
            time_zone: user.time_zone,
            permissions: Permissions {
                manage_users: set(user.can_manage_users),
                manage_certification: set(user.can_manage_certification),
                instruct_work: set(user.can_instruct_work),
                override_compliance: set(user.can_override_compliance),
            },
            contractor_id: user.contractor_id,
            company_name: user.company_name,
            api_key_id: None,
        })
    }

    /// Who the audit log records for what this actor does.
    pub fn audit_by(&self) -> audit::By {
        audit::By {
            user_id: Some(self.user_id),
            api_key_id: self.api_key_id,
        }
    }

    /// The agency's calendar day at `now`.
    pub fn today(&self, now: i64) -> chrono::NaiveDate {
        dates::local_today(&self.time_zone, now)
    }

    /// Writes instants as this person's agency reads them: its time zone and date format.
    pub fn instant_format(&self) -> impl Fn(i64) -> String + use<> {
        dates::instant_formatter(&self.time_zone, self.date_format)
    }

    pub fn viewer(&self) -> Viewer {
        Viewer {
            name: self.name.clone(),
            email: self.email.clone(),
            kind: self.kind,
            agency_name: self.agency_name.clone(),
            date_format: self.date_format,
            company_name: self.company_name.clone(),
            permissions: self.permissions,
        }
    }

    pub fn require_agent(&self) -> Result<(), ServiceError> {
        if self.kind == UserKind::Agent {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("only agency staff can do this"))
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), ServiceError> {
        self.require_agent()?;
        if self.permissions.allows(permission) {
            Ok(())
        } else {
            Err(ServiceError::MissingPermission(permission))
        }
    }

    /// The contractor whose office this user works in.
    pub fn require_contractor_office(&self) -> Result<i64, ServiceError> {
        match (self.kind, self.contractor_id) {
            (UserKind::Contractor, Some(id)) => Ok(id),
            _ => Err(ServiceError::Forbidden(
                "only the contractor's office can do this",
            )),
        }
    }

    pub fn require_technician(&self) -> Result<(), ServiceError> {
        if self.kind == UserKind::Technician {
            Ok(())
        } else {
            Err(ServiceError::Forbidden("only technicians can do this"))
        }
    }
}

/// The outcome of a successful sign-in, for starting the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: i64,
    pub kind: UserKind,
}

/// Session keys besides [`sessions::USER_ID_KEY`].
const SIGNED_IN_AT: &str = "signed_in_at";
const LAST_SEEN: &str = "last_seen";
const KIND: &str = "kind";

/// Reads the session: the active user it belongs to, or `NotSignedIn`. Ends a session that has
/// outlived its limits, and slides the idle timeout forward at most every few minutes.
pub async fn resolve(cx: &Context, session: &Session, now: i64) -> Result<Actor, ServiceError> {
    let get = |key: &'static str| async move { session.get::<i64>(key).await.ok().flatten() };
    let (Some(user_id), Some(signed_in_at), Some(last_seen)) = (
        get(sessions::USER_ID_KEY).await,
        get(SIGNED_IN_AT).await,
        get(LAST_SEEN).await,
    ) else {
        return Err(ServiceError::NotSignedIn);
    };
    let Some(actor) = load_actor(cx, user_id).await? else {
        let _ = session.flush().await;
        return Err(ServiceError::NotSignedIn);
    };
    match check_session(actor.kind.session_limits(), signed_in_at, last_seen, now) {
        SessionCheck::Valid => {}
        SessionCheck::Touch => {
            let _ = session.insert(LAST_SEEN, now).await;
        }
        SessionCheck::Expired => {
            let _ = session.flush().await;
            return Err(ServiceError::NotSignedIn);
        }
    }
    Ok(actor)
}

/// The active user with this id, as an actor; `None` when missing or disabled.
pub async fn load_actor(cx: &Context, user_id: i64) -> Result<Option<Actor>, ServiceError> {
    Ok(users::by_id(cx.db.pool(), user_id)
        .await?
        .filter(|u| u.active == 1)
        .and_then(Actor::from_record))
}

/// Starts a signed-in session: a new session id (so an id planted before sign-in is useless),
/// the user, and the idle timeout of their kind.
pub async fn start_session(
    session: &Session,
    signed_in: &SignedIn,
    now: i64,
) -> Result<(), ServiceError> {
    let fail = |e: tower_sessions::session::Error| ServiceError::Internal(e.to_string());
    session.cycle_id().await.map_err(fail)?;
    session.clear().await;
    session
        .insert(sessions::USER_ID_KEY, signed_in.user_id)
        .await
        .map_err(fail)?;
    session
        .insert(KIND, signed_in.kind.as_str())
        .await
        .map_err(fail)?;
    session.insert(SIGNED_IN_AT, now).await.map_err(fail)?;
    session.insert(LAST_SEEN, now).await.map_err(fail)?;
    let idle = signed_in.kind.session_limits().idle_ms;
    session.set_expiry(Some(Expiry::OnInactivity(time::Duration::milliseconds(
        idle,
    ))));
    Ok(())
}

/// Where the sign-in was asked from, for throttling per network address.
#[derive(Clone, Debug)]
pub struct Origin {
    pub address: String,
}

fn argon2() -> Argon2<'static> {
    // OWASP's first recommended argon2id setting: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// An argon2 computation, bounded like all heavy work. Unbounded, 16 sign-ins at once left the
/// server at 2.7 GB resident (bench/load.sh, "sign in (password)").
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    super::heavy::run(super::heavy::Work::Hashing, work).await
}

/// Hashes a password (argon2 is deliberately slow).
pub async fn hash_password(password: String) -> Result<String, ServiceError> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::Internal(e.to_string()))
    })
    .await?
}

/// Verifies (argon2, as above). Without a stored hash, a dummy one is checked anyway, so the
/// answer takes as long whether or not the account exists.
async fn verify_password(password: String, stored: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    hashing(move || {
        let exists = stored.is_some();
        let hash = stored.unwrap_or_else(|| {
            DUMMY
                .get_or_init(|| {
                    let salt = SaltString::generate(&mut OsRng);
                    argon2()
                        .hash_password(b"not a password anyone has", &salt)
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                })
                .clone()
        });
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                argon2()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        exists && ok
    })
    .await
    .unwrap_or(false)
}

/// 32 bytes from the operating system's random source.
pub(crate) fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A fresh link token and the hash that is stored for it.
pub fn new_token() -> (String, String) {
    let bytes = random_bytes();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Takes one attempt of `action` for every (rule, subject), or none. In the caller's transaction:
/// each subject is locked first, so parallel requests (on any instance) are counted one after
/// another, and the attempt is recorded before the work it allows begins. The ids of the
/// recorded attempts, in the order of `rules`.
async fn reserve(
    conn: &mut sqlx::AnyConnection,
    action: &str,
    rules: &[(identity::Throttle, &str)],
    now: i64,
) -> Result<Vec<i64>, ServiceError> {
    for (_, subject) in rules {
        attempts::lock(&mut *conn, &format!("{action}:{subject}"), now).await?;
    }
    for (rule, subject) in rules {
        let events = attempts::recent(&mut *conn, action, subject, now - rule.window_ms).await?;
        if let Some(wait_ms) = rule.wait_ms(&events, now) {
            return Err(ServiceError::TooManyAttempts { wait_ms });
        }
    }
    let mut ids = Vec::with_capacity(rules.len());
    for (_, subject) in rules {
        ids.push(attempts::record(&mut *conn, action, subject, now).await?);
    }
    Ok(ids)
}

const PASSWORD: &str = "password";
const LINK: &str = "link";

/// Email and password. Attempts are counted per account and per network address; after five
/// wrong ones, each further try must wait, doubling. Each attempt is counted before its password
/// is checked (a right one is taken back), so a burst sent at once is checked no more than the
/// limit. The error never says which part was wrong, nor that an account is disabled.
pub async fn sign_in_with_password(
    cx: &Context,
    email: &str,
    password: &str,
    origin: &Origin,
    now: i64,
) -> Result<SignedIn, ServiceError> {
    let email = identity::normalize_email(email).map_err(|m| ServiceError::invalid("email", m))?;
    if password.is_empty() {
        return Err(ServiceError::invalid("password", "Enter your password."));
    }
    let by_account = format!("email:{email}");
    let by_address = format!("address:{}", origin.address);
    let mut tx = cx.db.begin_write().await?;
    let reserved = reserve(
        &mut tx,
        PASSWORD,
        &[
            (PASSWORD_FAILURES, &by_account),
            (PASSWORD_FAILURES_PER_ADDRESS, &by_address),
        ],
        now,
    )
    .await?;
    tx.commit().await?;

    let user = users::by_email(cx.db.pool(), &email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let verified = verify_password(password.to_string(), stored).await;
    let user = match user {
        Some(user) if verified && user.active == 1 => user,
        // The reserved attempts stay: they are the failures.
        _ => {
            return Err(ServiceError::Refused(
                "That email and password do not match an account. Technicians sign in with an emailed link."
                    .into(),
            ));
        }
    };
    let kind = UserKind::parse(&user.kind).ok_or(ServiceError::NotFound("user"))?;
    attempts::clear(cx.db.pool(), PASSWORD, &by_account).await?;
    if let Some(by_address_attempt) = reserved.get(1) {
        attempts::forget(cx.db.pool(), *by_address_attempt).await?;
    }
    users::record_sign_in(cx.db.pool(), user.id, now).await?;
    Ok(SignedIn {
        user_id: user.id,
        kind,
    })
}

/// The emailed URL for a token.
pub fn link_url(public_url: &str, purpose: LinkPurpose, token: &str) -> String {
    format!(
        "{}{}{token}",
        public_url.trim_end_matches('/'),
        purpose.url_path()
    )
}

/// Writes a token and its email in one transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn issue_link(
    conn: &mut sqlx::AnyConnection,
    user: &users::UserRecord,
    purpose: LinkPurpose,
    public_url: &str,
    requested_from: &str,
    invited_by: Option<&str>,
    now: i64,
) -> Result<(), ServiceError> {
    let (token, hash) = new_token();
    tokens::insert(
        &mut *conn,
        &hash,
        user.id,
        purpose.as_str(),
        now,
        now + purpose.lifetime_ms(),
        requested_from,
    )
    .await?;
    let url = link_url(public_url, purpose, &token);
    let email = match purpose {
        LinkPurpose::SignIn => mail::sign_in_link(&user.name, &user.agency_name, &url, purpose),
        LinkPurpose::PasswordReset => {
            mail::password_reset(&user.name, &user.agency_name, &url, purpose)
        }
        LinkPurpose::Invitation => mail::invitation(
            &user.name,
            invited_by.unwrap_or("An administrator"),
            &user.agency_name,
            &url,
            purpose,
        ),
    };
    mail::enqueue(conn, Some(user.agency_id), &user.email, &email, None, now).await?;
    Ok(())
}

/// Emails a sign-in or password reset link to the account with this address, if there is one.
pub async fn request_link(
    cx: &Context,
    email: &str,
    origin: &Origin,
    want: LinkPurpose,
    now: i64,
) -> Result<LinkRequest, ServiceError> {
    if want == LinkPurpose::Invitation {
        return Err(ServiceError::invalid(
            "purpose",
            "Invitations are sent by an administrator.",
        ));
    }
    let email = identity::normalize_email(email).map_err(|m| ServiceError::invalid("email", m))?;
    let by_account = format!("email:{email}");
    let by_address = format!("address:{}", origin.address);
    let mut tx = cx.db.begin_write().await?;
    let reserved = reserve(
        &mut tx,
        LINK,
        &[
            (LINK_REQUESTS_PER_EMAIL, &by_account),
            (LINK_REQUESTS_PER_ADDRESS, &by_address),
        ],
        now,
    )
    .await;
    if let Err(ServiceError::TooManyAttempts { .. }) = reserved {
        // Refused for this address's own requests (not for the network's): say when the last
        // link went, which still works. Nothing is sent or counted.
        let window_start = now - LINK_REQUESTS_PER_EMAIL.window_ms;
        let events = attempts::recent(&mut *tx, LINK, &by_account, window_start).await?;
        if let Some(wait_ms) = LINK_REQUESTS_PER_EMAIL.wait_ms(&events, now) {
            let last = events.iter().copied().max().unwrap_or(now);
            return Ok(LinkRequest::AlreadySent {
                ago_ms: now - last,
                wait_ms,
            });
        }
    }
    reserved?;
    if let Some(user) = users::by_email(&mut *tx, &email)
        .await?
        .filter(|u| u.active == 1)
    {
        // A technician has no password to reset: a reset request sends a sign-in link instead.
        let purpose = match (want, UserKind::parse(&user.kind)) {
            (LinkPurpose::PasswordReset, Some(UserKind::Technician)) => LinkPurpose::SignIn,
            _ => want,
        };
        issue_link(
            &mut tx,
            &user,
            purpose,
            &cx.public_url,
            &origin.address,
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(LinkRequest::Sent)
}

/// Whether the session a long-lived response (the event stream) was opened with still signs in
/// this user: not signed out (here or everywhere), not expired, the account not disabled.
pub async fn still_signed_in(
    cx: &Context,
    session_id: &str,
    user_id: i64,
    now: i64,
) -> Result<bool, ServiceError> {
    let row: Option<Option<i64>> =
        sqlx::query_scalar("SELECT user_id FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(session_id)
            .bind(now)
            .fetch_optional(cx.db.pool())
            .await?;
    if row.flatten() != Some(user_id) {
        return Ok(false);
    }
    Ok(load_actor(cx, user_id).await?.is_some())
}

/// Whether a token was ever issued (used or expired ones too, so the page can say so). Only such
/// a link is kept in a browser's session: a made-up one stores nothing.
pub async fn is_issued_link(cx: &Context, token: &str) -> Result<bool, ServiceError> {
    Ok(tokens::find(cx.db.pool(), &token_hash(token))
        .await?
        .is_some())
}

async fn check_link(
    db: &Db,
    token: &str,
    purposes: &[LinkPurpose],
    now: i64,
) -> Result<Result<(tokens::TokenRecord, users::UserRecord, LinkPurpose), LinkProblem>, ServiceError>
{
    let Some(record) = tokens::find(db.pool(), &token_hash(token)).await? else {
        return Ok(Err(LinkProblem::Unknown));
    };
    let Some(purpose) = LinkPurpose::parse(&record.purpose).filter(|p| purposes.contains(p)) else {
        return Ok(Err(LinkProblem::Unknown));
    };
    if record.used_at.is_some() {
        return Ok(Err(LinkProblem::Used));
    }
    if record.expires_at <= now {
        return Ok(Err(LinkProblem::Expired));
    }
    match users::by_id(db.pool(), record.user_id).await? {
        Some(user) if user.active == 1 => Ok(Ok((record, user, purpose))),
        _ => Ok(Err(LinkProblem::AccountDisabled)),
    }
}

/// Looks at a link without using it.
pub async fn preview_link(
    cx: &Context,
    token: &str,
    purposes: &[LinkPurpose],
    now: i64,
) -> Result<Result<LinkPreview, LinkProblem>, ServiceError> {
    Ok(check_link(&cx.db, token, purposes, now)
        .await?
        .and_then(|(_, user, purpose)| {
            Ok(LinkPreview {
                kind: UserKind::parse(&user.kind).ok_or(LinkProblem::Unknown)?,
                name: user.name,
                email: user.email,
                purpose,
            })
        }))
}

/// Uses a sign-in link: exactly once, before it expires, for an active user.
pub async fn use_sign_in_link(
    cx: &Context,
    token: &str,
    now: i64,
) -> Result<Result<SignedIn, LinkProblem>, ServiceError> {
    let (record, user, _) = match check_link(&cx.db, token, &[LinkPurpose::SignIn], now).await? {
        Ok(found) => found,
        Err(problem) => return Ok(Err(problem)),
    };
    let mut tx = cx.db.begin_write().await?;
    if !tokens::use_once(&mut *tx, record.id, now).await? {
        return Ok(Err(LinkProblem::Used));
    }
    users::record_sign_in(&mut *tx, user.id, now).await?;
    tx.commit().await?;
    let kind = UserKind::parse(&user.kind).ok_or(ServiceError::NotFound("user"))?;
    Ok(Ok(SignedIn {
        user_id: user.id,
        kind,
    }))
}

/// Sets a new password from a reset or invitation link, ends every other session of the user,
/// and signs them in. Nothing changes unless all of it does.
pub async fn reset_password(
    cx: &Context,
    token: &str,
    new_password: &str,
    now: i64,
) -> Result<Result<SignedIn, LinkProblem>, ServiceError> {
    let purposes = [LinkPurpose::PasswordReset, LinkPurpose::Invitation];
    let (record, user, _) = match check_link(&cx.db, token, &purposes, now).await? {
        Ok(found) => found,
        Err(problem) => return Ok(Err(problem)),
    };
    let kind = UserKind::parse(&user.kind).ok_or(ServiceError::NotFound("user"))?;
    if !kind.may_have_password() {
        return Err(ServiceError::Refused(
            "Technicians sign in with an emailed link and have no password.".into(),
        ));
    }
    identity::check_new_password(new_password, &user.email)
        .map_err(|m| ServiceError::invalid("password", m))?;
    let hash = hash_password(new_password.to_string()).await?;
    let mut tx = cx.db.begin_write().await?;
    if !tokens::use_once(&mut *tx, record.id, now).await? {
        return Ok(Err(LinkProblem::Used));
    }
    users::set_password_hash(&mut *tx, user.id, &hash).await?;
    sessions::end_all_for_user(&mut *tx, user.id).await?;
    users::record_sign_in(&mut *tx, user.id, now).await?;
    crate::db::audit::record(
        &mut *tx,
        user.agency_id,
        Some(user.id),
        "password_set",
        Some(user.id),
        "password set from an emailed link",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(SignedIn {
        user_id: user.id,
        kind,
    }))
}

/// Ends every session of the one asking, on every device.
pub async fn sign_out_everywhere(cx: &Context, actor: &Actor) -> Result<u64, ServiceError> {
    Ok(sessions::end_all_for_user(cx.db.pool(), actor.user_id).await?)
}

/// Forgets throttling events that no longer count. Run by the worker.
pub async fn forget_old_attempts(cx: &Context, now: i64) -> Result<u64, ServiceError> {
    let oldest_window = LINK_REQUESTS_PER_EMAIL
        .window_ms
        .max(LINK_REQUESTS_PER_ADDRESS.window_ms)
        .max(PASSWORD_FAILURES.window_ms);
    Ok(attempts::forget_before(cx.db.pool(), now - oldest_window).await?)
}

pub fn now() -> i64 {
    db::now_ms()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_a.len(), 64);
        assert_ne!(a, hash_a);
        assert_eq!(token_hash(&a), hash_a);
    }

    #[test]
    fn link_urls_do_not_double_slashes() {
        assert_eq!(
            link_url("https://x.example/", LinkPurpose::SignIn, "abc"),
            "https://x.example/auth/link/abc"
        );
        assert_eq!(
            link_url("http://127.0.0.1:3000", LinkPurpose::Invitation, "abc"),
            "http://127.0.0.1:3000/auth/reset/abc"
        );
    }

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(hash)).await);
        assert!(!verify_password("anything".into(), None).await);
    }
}
