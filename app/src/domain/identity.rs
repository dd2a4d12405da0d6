//! Who people are and the rules of signing in: kinds of user, permissions, email and password
//! checks, how long sessions and emailed links live, and how repeated attempts are slowed down.

use serde::{Deserialize, Serialize};

/// The three kinds of people who use the product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserKind {
    Agent,
    Contractor,
    Technician,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Agent => "agent",
            UserKind::Contractor => "contractor",
            UserKind::Technician => "technician",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "agent" => Some(UserKind::Agent),
            "contractor" => Some(UserKind::Contractor),
            "technician" => Some(UserKind::Technician),
            _ => None,
        }
    }

    /// Where a person lands after signing in.
    pub fn home_path(self) -> &'static str {
        match self {
            UserKind::Agent => "/agent",
            UserKind::Contractor => "/desk",
            UserKind::Technician => "/tech",
        }
    }

    /// Where this person opens a task: their own view of it.
    pub fn task_path(self, task_id: i64) -> String {
        match self {
            UserKind::Agent => format!("/agent/tasks/{task_id}"),
            UserKind::Contractor => format!("/desk/tasks/{task_id}"),
            UserKind::Technician => format!("/tech/tasks/{task_id}"),
        }
    }

    /// Technicians sign in by emailed link only.
    pub fn may_have_password(self) -> bool {
        self != UserKind::Technician
    }

    /// How long a session may stay unused, and how long it may live at all. Technicians work
    /// from a phone all week, so their sessions last longer than an office browser's.
    pub fn session_limits(self) -> SessionLimits {
        const HOUR: i64 = 3_600_000;
        match self {
            UserKind::Agent | UserKind::Contractor => SessionLimits {
                idle_ms: 12 * HOUR,
                absolute_ms: 7 * 24 * HOUR,
            },
            UserKind::Technician => SessionLimits {
                idle_ms: 7 * 24 * HOUR,
                absolute_ms: 30 * 24 * HOUR,
            },
        }
    }
}

/// What an agent's role allows. Assignable per role in each agency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    pub manage_users: bool,
    pub manage_certification: bool,
    pub instruct_work: bool,
    /// "Instruct jobs to contractors with expired certification" (docs/product.md, "Work and compliance").
    pub override_compliance: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    ManageUsers,
    ManageCertification,
    InstructWork,
    OverrideCompliance,
}

impl Permissions {
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::ManageUsers => self.manage_users,
            Permission::ManageCertification => self.manage_certification,
            Permission::InstructWork => self.instruct_work,
            Permission::OverrideCompliance => self.override_compliance,
        }
    }
}

impl Permission {
    pub const ALL: [Permission; 4] = [
        Permission::ManageUsers,
        Permission::ManageCertification,
        Permission::InstructWork,
        Permission::OverrideCompliance,
    ];

    /// The roles column that stores it.
    pub fn column(self) -> &'static str {
        match self {
            Permission::ManageUsers => "can_manage_users",
            Permission::ManageCertification => "can_manage_certification",
            Permission::InstructWork => "can_instruct_work",
            Permission::OverrideCompliance => "can_override_compliance",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Permission::ManageUsers => "manage users and agency settings",
            Permission::ManageCertification => "manage contractor certification",
            Permission::InstructWork => "instruct work",
            Permission::OverrideCompliance => {
                "instruct jobs to contractors with expired certification"
            }
        }
    }
}

/// An email address as stored and compared: trimmed and lower-cased. Deliberately loose (one
/// `@`, something either side, a dot in the domain, no spaces): the emailed link is the real test.
pub fn normalize_email(input: &str) -> Result<String, &'static str> {
    let email = input.trim().to_lowercase();
    if email.is_empty() {
        return Err("Enter an email address.");
    }
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("Enter an email address without spaces, like name@example.com.");
    }
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(email)
        }
        _ => Err("Enter an email address like name@example.com."),
    }
}

/// A mobile number as stored: trimmed, `None` when left empty; digits, spaces and `+ ( ) -`
/// only, at most 30 characters (formats differ too much by country to check more).
pub fn normalize_mobile(input: &str) -> Result<Option<String>, &'static str> {
    let mobile = input.trim();
    if mobile.chars().count() > 30
        || !mobile
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-".contains(c))
    {
        return Err("A mobile number has digits, spaces and + ( ) - only.");
    }
    Ok((!mobile.is_empty()).then(|| mobile.to_string()))
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A new password: long enough to resist guessing, short enough to hash cheaply, and not the
/// email address itself (NIST SP 800-63B: length over composition rules).
pub fn check_new_password(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(format!(
            "Use at least {PASSWORD_MIN_CHARS} characters; a short sentence works well."
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
    }
    if password.trim().to_lowercase() == email.trim().to_lowercase() {
        return Err("Your password cannot be your email address.".to_string());
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first) {
        return Err("Use more than one repeated character.".to_string());
    }
    Ok(())
}

/// The "expiring soon" window: at least a day, at most a year.
pub fn check_expiring_soon_days(days: i64) -> Result<(), String> {
    if (1..=365).contains(&days) {
        Ok(())
    } else {
        Err("Enter a number of days from 1 to 365.".to_string())
    }
}

/// The hour of the daily reminder email, on the agency's clock.
pub fn check_daily_reminder_hour(hour: i64) -> Result<(), String> {
    if (0..=23).contains(&hour) {
        Ok(())
    } else {
        Err("Choose an hour from 00:00 to 23:00.".to_string())
    }
}

/// Why an emailed link was issued; each purpose has its own lifetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkPurpose {
    SignIn,
    PasswordReset,
    Invitation,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SignIn => "sign_in",
            LinkPurpose::PasswordReset => "password_reset",
            LinkPurpose::Invitation => "invitation",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "sign_in" => Some(LinkPurpose::SignIn),
            "password_reset" => Some(LinkPurpose::PasswordReset),
            "invitation" => Some(LinkPurpose::Invitation),
            _ => None,
        }
    }

    pub fn lifetime_ms(self) -> i64 {
        const MINUTE: i64 = 60_000;
        match self {
            LinkPurpose::SignIn => 30 * MINUTE,
            LinkPurpose::PasswordReset => 60 * MINUTE,
            LinkPurpose::Invitation => 7 * 24 * 60 * MINUTE,
        }
    }

    /// The path the emailed URL points at (the token follows it).
    pub fn url_path(self) -> &'static str {
        match self {
            LinkPurpose::SignIn => "/auth/link/",
            LinkPurpose::PasswordReset | LinkPurpose::Invitation => "/auth/reset/",
        }
    }
}

/// Why an emailed link cannot be used; each has its own explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkProblem {
    /// No link in this browser, a mistyped one, or one meant for another purpose.
    Unknown,
    Used,
    Expired,
    AccountDisabled,
}

impl LinkProblem {
    pub fn explain(self) -> &'static str {
        match self {
            LinkProblem::Unknown => "This link is not valid. Open the latest link from your email, or ask for a new one.",
            LinkProblem::Used => "This link has already been used. Each link works once: ask for a new one.",
            LinkProblem::Expired => "This link has expired. Ask for a new one; it arrives in a minute.",
            LinkProblem::AccountDisabled => "This account has been disabled. Ask your agency's administrator.",
        }
    }
}

/// Where to go after signing in: the requested page if it is a page of this person's own view
/// (never another site, never another kind's view), else their home.
pub fn next_after_sign_in(kind: UserKind, next: Option<&str>) -> String {
    let home = kind.home_path();
    match next {
        Some(path)
            if (path == home
                || path.starts_with(&format!("{home}/"))
                || path.starts_with(&format!("{home}?"))
                || (kind == UserKind::Agent
                    && (path == "/admin" || path.starts_with("/admin/")))
                || path == "/account")
                && !path.contains("//")
                && !path.contains('\\')
                && path.chars().all(|c| !c.is_control()) =>
        {
            path.to_string()
        }
        _ => home.to_string(),
    }
}

/// Who may open a page, by its path. `None`: anyone (the home page, sign-in pages, files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    SignedIn,
    Only(UserKind),
    /// The contractor's people: technicians, and its office, which opens a task in the Tech view
    /// to do the work itself.
    ContractorPeople,
}

impl Audience {
    pub fn admits(self, kind: UserKind) -> bool {
        match self {
            Audience::SignedIn => true,
            Audience::Only(only) => only == kind,
            Audience::ContractorPeople => {
                matches!(kind, UserKind::Contractor | UserKind::Technician)
            }
        }
    }
}

pub fn page_audience(path: &str) -> Option<Audience> {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/agent") || under("/admin") {
        Some(Audience::Only(UserKind::Agent))
    } else if under("/desk") {
        Some(Audience::Only(UserKind::Contractor))
    } else if under("/tech/tasks") {
        Some(Audience::ContractorPeople)
    } else if under("/tech") {
        Some(Audience::Only(UserKind::Technician))
    } else if under("/account") {
        Some(Audience::SignedIn)
    } else {
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

/// What to do with a session on a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionCheck {
    Valid,
    /// Valid, and its last-seen time is old enough to be worth writing again (this keeps the
    /// idle timeout sliding without a database write on every request).
    Touch,
    Expired,
}

/// Writes of last-seen time are at most this frequent.
pub const SESSION_TOUCH_EVERY_MS: i64 = 5 * 60_000;

pub fn check_session(
    limits: SessionLimits,
    signed_in_at: i64,
    last_seen: i64,
    now: i64,
) -> SessionCheck {
    if now - signed_in_at >= limits.absolute_ms || now - last_seen >= limits.idle_ms {
        SessionCheck::Expired
    } else if now - last_seen >= SESSION_TOUCH_EVERY_MS {
        SessionCheck::Touch
    } else {
        SessionCheck::Valid
    }
}

/// A throttled action: how many events in a window are free, and what happens after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttle {
    pub free: usize,
    pub window_ms: i64,
    /// The first wait once the free attempts are used; it doubles with each further attempt.
    pub first_wait_ms: i64,
    pub max_wait_ms: i64,
}

/// Wrong passwords per account: five free, then 30 s, 60 s, ... up to 15 min.
pub const PASSWORD_FAILURES: Throttle = Throttle {
    free: 5,
    window_ms: 15 * 60_000,
    first_wait_ms: 30_000,
    max_wait_ms: 15 * 60_000,
};

/// Wrong passwords per network address, across accounts: an office shares one address, so more
/// are free; a guesser trying many accounts still slows down.
pub const PASSWORD_FAILURES_PER_ADDRESS: Throttle = Throttle {
    free: 30,
    ..PASSWORD_FAILURES
};

/// Emailed link and password reset requests per email address: three an hour, then waits.
pub const LINK_REQUESTS_PER_EMAIL: Throttle = Throttle {
    free: 3,
    window_ms: 60 * 60_000,
    first_wait_ms: 5 * 60_000,
    max_wait_ms: 60 * 60_000,
};

/// Link and reset requests per network address (an office may share one): twenty an hour.
pub const LINK_REQUESTS_PER_ADDRESS: Throttle = Throttle {
    free: 20,
    window_ms: 60 * 60_000,
    first_wait_ms: 5 * 60_000,
    max_wait_ms: 60 * 60_000,
};

impl Throttle {
    /// How long to wait (ms) before the next attempt, given the times of earlier events of this
    /// kind for one subject. `None`: go ahead.
    pub fn wait_ms(self, events: &[i64], now: i64) -> Option<i64> {
        let recent: Vec<i64> = events
            .iter()
            .copied()
            .filter(|at| now - at < self.window_ms)
            .collect();
        if recent.len() < self.free {
            return None;
        }
        let over = (recent.len() - self.free).min(20) as u32;
        let wait = self
            .first_wait_ms
            .saturating_mul(1_i64 << over)
            .min(self.max_wait_ms);
        let last = recent.iter().copied().max().unwrap_or(now);
        let until = last + wait;
        (until > now).then_some(until - now)
    }
}

/// What asking for an emailed link did. A person whose email is slow asks again; past the
/// per-address limit they are told when the last link went and to look for it, not refused with
/// a bare wait. Both answers hold whether or not an account has the address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRequest {
    Sent,
    /// No new link: one was sent `ago_ms` ago; another may be asked for after `wait_ms`.
    AlreadySent {
        ago_ms: i64,
        wait_ms: i64,
    },
}

impl LinkRequest {
    pub fn message(self) -> String {
        match self {
            LinkRequest::Sent => "If an account uses that address, an email with a link is on \
                its way. It works once and expires soon."
                .to_string(),
            LinkRequest::AlreadySent { ago_ms, wait_ms } => {
                let when = if ago_ms < 60_000 {
                    "less than a minute ago".to_string()
                } else {
                    let minutes = ago_ms / 60_000;
                    format!(
                        "{minutes} minute{} ago",
                        if minutes == 1 { "" } else { "s" }
                    )
                };
                format!(
                    "If an account uses that address, a link was sent to it {when}: check that \
                     inbox, and its spam folder. Each link works until it is used or expires, \
                     however many were sent. You can ask for another in {}.",
                    describe_wait(wait_ms)
                )
            }
        }
    }
}

/// What the "Email me a link" and "Forgot your password?" pages say after the browser sent their
/// form itself (a tap before the page's client was live) and the server sent the person back to
/// the page: carried in the page's address as fixed words and numbers only, so an address made
/// elsewhere cannot put words of its own on the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRequestAnswer {
    Answered(LinkRequest),
    /// The address was not one (the browser's own check normally catches it first).
    NotAnAddress,
    /// Too many requests from this network; another may be made after `wait_ms`.
    Busy {
        wait_ms: i64,
    },
}

impl LinkRequestAnswer {
    /// The query parameters that carry this answer (times in whole seconds).
    pub fn query(self) -> Vec<(&'static str, String)> {
        let seconds = |ms: i64| (ms.max(0) / 1000).to_string();
        match self {
            LinkRequestAnswer::Answered(LinkRequest::Sent) => vec![("sent", "1".into())],
            LinkRequestAnswer::Answered(LinkRequest::AlreadySent { ago_ms, wait_ms }) => vec![
                ("sent", "earlier".into()),
                ("ago", seconds(ago_ms)),
                ("wait", seconds(wait_ms)),
            ],
            LinkRequestAnswer::NotAnAddress => vec![("refused", "address".into())],
            LinkRequestAnswer::Busy { wait_ms } => {
                vec![("refused", "busy".into()), ("wait", seconds(wait_ms))]
            }
        }
    }

    /// Reads the answer back from the page's query; `None` when there is none (or it is not one
    /// this product writes).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let ms = |key: &str| {
            get(key)?
                .parse::<i64>()
                .ok()
                .filter(|s| (0..=365 * 86_400).contains(s))
                .map(|s| s * 1000)
        };
        match (get("sent").as_deref(), get("refused").as_deref()) {
            (Some("1"), _) => Some(LinkRequestAnswer::Answered(LinkRequest::Sent)),
            (Some("earlier"), _) => Some(LinkRequestAnswer::Answered(LinkRequest::AlreadySent {
                ago_ms: ms("ago")?,
                wait_ms: ms("wait")?,
            })),
            (_, Some("address")) => Some(LinkRequestAnswer::NotAnAddress),
            (_, Some("busy")) => Some(LinkRequestAnswer::Busy {
                wait_ms: ms("wait")?,
            }),
            _ => None,
        }
    }

    /// The message, and whether it is a refusal (shown as an error) rather than the answer.
    pub fn message(self) -> (String, bool) {
        match self {
            LinkRequestAnswer::Answered(outcome) => (outcome.message(), false),
            LinkRequestAnswer::NotAnAddress => {
                ("Enter an email address like name@example.com.".into(), true)
            }
            LinkRequestAnswer::Busy { wait_ms } => (
                format!(
                    "Too many attempts. Try again in {}.",
                    describe_wait(wait_ms)
                ),
                true,
            ),
        }
    }
}

/// "30 seconds", "2 minutes", "7 days": for messages about waiting and expiry.
pub fn describe_wait(ms: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    let seconds = (ms + 999) / 1000;
    let minutes = (seconds + 59) / 60;
    let hours = (minutes + 59) / 60;
    if seconds < 60 {
        plural(seconds, "second")
    } else if minutes < 120 {
        plural(minutes, "minute")
    } else if hours < 48 {
        plural(hours, "hour")
    } else {
        plural((hours + 23) / 24, "day")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer_from(query: &[(&'static str, String)]) -> Option<LinkRequestAnswer> {
        LinkRequestAnswer::from_query(|key| {
            query
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn a_link_request_answer_survives_the_trip_through_the_page_address() {
        for answer in [
            LinkRequestAnswer::Answered(LinkRequest::Sent),
            LinkRequestAnswer::Answered(LinkRequest::AlreadySent {
                ago_ms: 90_000,
                wait_ms: 240_000,
            }),
            LinkRequestAnswer::NotAnAddress,
            LinkRequestAnswer::Busy { wait_ms: 300_000 },
        ] {
            assert_eq!(answer_from(&answer.query()), Some(answer));
        }
        let (message, refused) = LinkRequestAnswer::Busy { wait_ms: 300_000 }.message();
        assert_eq!(message, "Too many attempts. Try again in 5 minutes.");
        assert!(refused);
        let (message, refused) = answer_from(&[
            ("sent", "earlier".into()),
            ("ago", "120".into()),
            ("wait", "30".into()),
        ])
        .unwrap()
        .message();
        assert!(
            message.contains("a link was sent to it 2 minutes ago"),
            "{message}"
        );
        assert!(message.contains("another in 30 seconds"), "{message}");
        assert!(!refused);
    }

    #[test]
    fn a_page_address_cannot_make_up_a_link_request_answer() {
        assert_eq!(answer_from(&[]), None);
        assert_eq!(answer_from(&[("sent", "yes, call 0800 000".into())]), None);
        assert_eq!(answer_from(&[("refused", "anything else".into())]), None);
        // An earlier link needs both times, whole and in range.
        assert_eq!(
            answer_from(&[("sent", "earlier".into()), ("ago", "5".into())]),
            None
        );
        assert_eq!(
            answer_from(&[
                ("sent", "earlier".into()),
                ("ago", "-5".into()),
                ("wait", "5".into())
            ]),
            None
        );
        assert_eq!(
            answer_from(&[("refused", "busy".into()), ("wait", "1e9".into())]),
            None
        );
    }

    #[test]
    fn mobile_numbers_keep_their_punctuation_and_may_be_left_empty() {
        assert_eq!(normalize_mobile("  "), Ok(None));
        assert_eq!(
            normalize_mobile(" +44 (0)7700 900-123 "),
            Ok(Some("+44 (0)7700 900-123".into()))
        );
        assert!(normalize_mobile("07700 900123 ext. 4").is_err());
        assert!(normalize_mobile(&"1".repeat(31)).is_err());
    }

    #[test]
    fn kinds_round_trip_and_land_on_their_view() {
        for kind in [UserKind::Agent, UserKind::Contractor, UserKind::Technician] {
            assert_eq!(UserKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(UserKind::parse("admin"), None);
        assert_eq!(UserKind::Technician.home_path(), "/tech");
        assert_eq!(UserKind::Contractor.home_path(), "/desk");
        assert_eq!(UserKind::Technician.task_path(7), "/tech/tasks/7");
        assert_eq!(UserKind::Contractor.task_path(7), "/desk/tasks/7");
        assert_eq!(UserKind::Agent.task_path(7), "/agent/tasks/7");
        assert!(!UserKind::Technician.may_have_password());
        assert!(UserKind::Agent.may_have_password());
    }

    #[test]
    fn permissions_allow_only_what_is_set() {
        let p = Permissions {
            manage_certification: true,
            ..Permissions::default()
        };
        assert!(p.allows(Permission::ManageCertification));
        assert!(!p.allows(Permission::OverrideCompliance));
        assert!(!p.allows(Permission::ManageUsers));
    }

    #[test]
    fn the_expiring_soon_window_is_a_day_to_a_year() {
        assert!(check_expiring_soon_days(0).is_err());
        assert!(check_expiring_soon_days(1).is_ok());
        assert!(check_expiring_soon_days(365).is_ok());
        assert!(check_expiring_soon_days(366).is_err());
        assert!(check_expiring_soon_days(-30).is_err());
    }

    #[test]
    fn each_permission_has_its_own_column() {
        let columns: std::collections::HashSet<_> =
            Permission::ALL.iter().map(|p| p.column()).collect();
        assert_eq!(columns.len(), 4);
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Alex.Morgan@Harbour-Lettings.Example ").unwrap(),
            "alex.morgan@harbour-lettings.example"
        );
        for bad in [
            "",
            "alex",
            "alex@",
            "@x.com",
            "a@b",
            "a@@b.com",
            "a b@c.com",
            "a@b.com.",
            "a@.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn passwords_need_length_and_not_the_email() {
        assert!(check_new_password("short", "a@b.com").is_err());
        assert!(check_new_password("aaaaaaaaaaaa", "a@b.com").is_err());
        assert!(check_new_password("someone@example.com", "Someone@Example.com").is_err());
        assert!(check_new_password(&"x".repeat(129), "a@b.com").is_err());
        assert!(check_new_password("correct horse battery", "a@b.com").is_ok());
        // Counted in characters, not bytes.
        assert!(check_new_password("ééééééééé", "a@b.com").is_err());
        assert!(check_new_password("éééééééééx", "a@b.com").is_ok());
    }

    #[test]
    fn link_purposes_round_trip_and_expire_in_order() {
        for p in [
            LinkPurpose::SignIn,
            LinkPurpose::PasswordReset,
            LinkPurpose::Invitation,
        ] {
            assert_eq!(LinkPurpose::parse(p.as_str()), Some(p));
        }
        assert!(LinkPurpose::SignIn.lifetime_ms() < LinkPurpose::PasswordReset.lifetime_ms());
        assert!(LinkPurpose::PasswordReset.lifetime_ms() < LinkPurpose::Invitation.lifetime_ms());
    }

    #[test]
    fn after_sign_in_only_own_pages_are_followed() {
        let t = UserKind::Technician;
        assert_eq!(next_after_sign_in(t, None), "/tech");
        assert_eq!(
            next_after_sign_in(t, Some("/tech/tasks/4")),
            "/tech/tasks/4"
        );
        assert_eq!(next_after_sign_in(t, Some("/agent")), "/tech");
        assert_eq!(next_after_sign_in(t, Some("/technician")), "/tech");
        assert_eq!(
            next_after_sign_in(t, Some("https://evil.example/tech")),
            "/tech"
        );
        assert_eq!(next_after_sign_in(t, Some("/tech//evil.example")), "/tech");
        assert_eq!(next_after_sign_in(t, Some("/admin/users")), "/tech");
        let a = UserKind::Agent;
        assert_eq!(next_after_sign_in(a, Some("/admin/users")), "/admin/users");
        assert_eq!(
            next_after_sign_in(a, Some("/agent?light=red")),
            "/agent?light=red"
        );
        assert_eq!(next_after_sign_in(a, Some("/account")), "/account");
        assert_eq!(next_after_sign_in(a, Some("//evil.example")), "/agent");
    }

    #[test]
    fn pages_belong_to_their_audience() {
        assert_eq!(page_audience("/"), None);
        assert_eq!(page_audience("/sign-in"), None);
        assert_eq!(page_audience("/pkg/certidesk.wasm"), None);
        assert_eq!(
            page_audience("/agent"),
            Some(Audience::Only(UserKind::Agent))
        );
        assert_eq!(
            page_audience("/admin/users"),
            Some(Audience::Only(UserKind::Agent))
        );
        assert_eq!(
            page_audience("/desk/tasks/3"),
            Some(Audience::Only(UserKind::Contractor))
        );
        assert_eq!(
            page_audience("/tech"),
            Some(Audience::Only(UserKind::Technician))
        );
        assert_eq!(
            page_audience("/tech/tasks/3"),
            Some(Audience::ContractorPeople)
        );
        assert_eq!(page_audience("/technology"), None);
        assert_eq!(page_audience("/account"), Some(Audience::SignedIn));
    }

    #[test]
    fn the_tech_view_of_a_task_admits_the_contractors_office_but_not_agents() {
        let task = page_audience("/tech/tasks/3").unwrap();
        assert!(task.admits(UserKind::Technician));
        assert!(task.admits(UserKind::Contractor));
        assert!(!task.admits(UserKind::Agent));
        let list = page_audience("/tech").unwrap();
        assert!(list.admits(UserKind::Technician));
        assert!(!list.admits(UserKind::Contractor));
    }

    #[test]
    fn sessions_expire_when_idle_or_too_old() {
        let limits = SessionLimits {
            idle_ms: 1_000_000,
            absolute_ms: 10_000_000,
        };
        assert_eq!(check_session(limits, 0, 0, 1), SessionCheck::Valid);
        assert_eq!(
            check_session(limits, 0, 0, SESSION_TOUCH_EVERY_MS),
            SessionCheck::Touch
        );
        assert_eq!(check_session(limits, 0, 0, 999_999), SessionCheck::Touch);
        assert_eq!(
            check_session(limits, 0, 0, 1_000_000),
            SessionCheck::Expired
        );
        // Kept busy, it still ends at the absolute limit.
        assert_eq!(
            check_session(limits, 0, 9_999_000, 9_999_999),
            SessionCheck::Valid
        );
        assert_eq!(
            check_session(limits, 0, 9_999_999, 10_000_000),
            SessionCheck::Expired
        );
    }

    #[test]
    fn five_wrong_passwords_are_free_then_waits_double() {
        let t = PASSWORD_FAILURES;
        let four = [1_000, 2_000, 3_000, 4_000];
        assert_eq!(t.wait_ms(&four, 5_000), None);
        let five = [1_000, 2_000, 3_000, 4_000, 5_000];
        assert_eq!(t.wait_ms(&five, 5_000), Some(30_000));
        assert_eq!(t.wait_ms(&five, 34_999), Some(1));
        assert_eq!(t.wait_ms(&five, 35_000), None);
        let six = [1_000, 2_000, 3_000, 4_000, 5_000, 40_000];
        assert_eq!(t.wait_ms(&six, 40_000), Some(60_000));
        let many: Vec<i64> = (0..40).map(|i| i * 10).collect();
        assert_eq!(t.wait_ms(&many, 400), Some(t.max_wait_ms - 10));
    }

    #[test]
    fn old_attempts_fall_out_of_the_window() {
        let t = PASSWORD_FAILURES;
        let five = [0, 1, 2, 3, 4];
        assert_eq!(t.wait_ms(&five, t.window_ms + 4), None);
        assert!(t.wait_ms(&five, t.window_ms - 1).is_none()); // waited long enough anyway
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(describe_wait(1), "1 second");
        assert_eq!(describe_wait(30_000), "30 seconds");
        let again = LinkRequest::AlreadySent {
            ago_ms: 3 * 60_000 + 5_000,
            wait_ms: 4 * 60_000,
        }
        .message();
        assert!(
            again.contains("a link was sent to it 3 minutes ago"),
            "{again}"
        );
        assert!(again.contains("ask for another in 4 minutes"), "{again}");
        let just_now = LinkRequest::AlreadySent {
            ago_ms: 20_000,
            wait_ms: 60_000,
        };
        assert!(just_now.message().contains("less than a minute ago"));
        assert!(LinkRequest::Sent
            .message()
            .starts_with("If an account uses that address"));
        assert_eq!(describe_wait(59_001), "1 minute");
        assert_eq!(describe_wait(60_000), "1 minute");
        assert_eq!(describe_wait(61_000), "2 minutes");
        assert_eq!(describe_wait(15 * 60_000), "15 minutes");
        assert_eq!(describe_wait(60 * 60_000), "60 minutes");
        assert_eq!(describe_wait(3 * 3_600_000), "3 hours");
        assert_eq!(describe_wait(7 * 24 * 3_600_000), "7 days");
    }
}
