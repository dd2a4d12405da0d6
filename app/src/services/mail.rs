//! Emails: the templates (plain text and HTML) and the outbox they are written to. Sending is
//! the worker's job (server crate); nothing here talks to a mail server.

use crate::db::outbox;
use crate::domain::identity::{describe_wait, LinkPurpose};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Writes an email to the outbox on the caller's connection (inside its transaction). A repeated
/// idempotency key writes nothing and returns false.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    agency_id: Option<i64>,
    to: &str,
    email: &Email,
    idempotency_key: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    outbox::enqueue(
        conn,
        agency_id,
        to,
        &email.subject,
        &email.text,
        &email.html,
        idempotency_key,
        now,
    )
    .await
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One message in both forms: paragraphs of text, one call-to-action link, and a footer.
fn compose(
    subject: String,
    greeting: &str,
    paragraphs: &[String],
    action: (&str, &str),
    footer: &str,
) -> Email {
    let (label, url) = action;
    let mut text = format!("{greeting}\n\n");
    for p in paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    text.push_str(&format!("{label}:\n{url}\n\n{footer}\n"));

    let mut html = String::from(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:#1b2733;line-height:1.5\">",
    );
    html.push_str(&format!("<p>{}</p>", escape_html(greeting)));
    for p in paragraphs {
        html.push_str(&format!("<p>{}</p>", escape_html(p)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#1f4e79;color:#fff;text-decoration:none;border-radius:6px\">{}</a></p>",
        escape_html(url),
        escape_html(label)
    ));
    html.push_str(&format!(
        "<p style=\"color:#5b6b7a;font-size:13px\">{}</p></body></html>",
        escape_html(footer)
    ));
    Email {
        subject,
        text,
        html,
    }
}

fn lifetime(purpose: LinkPurpose) -> String {
    describe_wait(purpose.lifetime_ms())
}

pub fn sign_in_link(name: &str, agency: &str, url: &str, purpose: LinkPurpose) -> Email {
    compose(
        format!("Your sign-in link for {agency}"),
        &format!("Hello {name},"),
        &[format!(
            "Use the link below to sign in to the {agency} portal. It works once and expires in {}.",
            lifetime(purpose)
        )],
        ("Sign in", url),
        "If you did not ask for this link, you can ignore this email: nobody can sign in without it.",
    )
}

pub fn password_reset(name: &str, agency: &str, url: &str, purpose: LinkPurpose) -> Email {
    compose(
        format!("Choose a new password for {agency}"),
        &format!("Hello {name},"),
        &[format!(
            "Someone asked to reset the password of your account. The link below lets you choose a new one; it works once and expires in {}.",
            lifetime(purpose)
        )],
        ("Choose a new password", url),
        "If it was not you, ignore this email: your password stays as it is.",
    )
}

pub fn invitation(
    name: &str,
    invited_by: &str,
    agency: &str,
    url: &str,
    purpose: LinkPurpose,
) -> Email {
    compose(
        format!("{invited_by} invited you to {agency}"),
        &format!("Hello {name},"),
        &[format!(
            "{invited_by} has given you an account on the {agency} contractor compliance portal. Choose a password to start; the link expires in {}.",
            lifetime(purpose)
        )],
        ("Choose your password", url),
        "If you were not expecting this, you can ignore this email.",
    )
}

/// To an agency's administrators, when a webhook endpoint was disabled for failing.
pub fn webhook_disabled(name: &str, url: &str, reason: &str, settings_url: &str) -> Email {
    compose(
        format!("Webhook endpoint disabled: {url}"),
        &format!("Hello {name},"),
        &[
            format!("Certidesk stopped sending events to {url}: {reason}."),
            "Events that happen while it is disabled are not sent to it. Once the receiving system works again, enable the endpoint on the Webhooks page; its delivery log shows what was missed.".to_string(),
        ],
        ("Open the Webhooks page", settings_url),
        "You receive this because you administer your agency's Certidesk account.",
    )
}

/// To a contractor's office: the agency now requires a certificate type.
pub fn certificate_requested(company: &str, agency: &str, certificate: &str, url: &str) -> Email {
    compose(
        format!("{agency} asks {company} for a {certificate} certificate"),
        &format!("Hello {company},"),
        &[format!(
            "{agency} now requires a current {certificate} certificate before sending you work. Upload it in the portal with its start and expiry dates; {agency} will check it and mark it valid."
        )],
        ("Upload the certificate", url),
        "Work cannot be sent to a contractor whose required certificates are missing or expired.",
    )
}

/// To a contractor's office, on the day a certificate's reminder falls due.
pub fn certificate_reminder(
    company: &str,
    agency: &str,
    certificate: &str,
    expires: &str,
    url: &str,
) -> Email {
    compose(
        format!("Reminder: your {certificate} certificate expires on {expires}"),
        &format!("Hello {company},"),
        &[format!(
            "Your {certificate} certificate held by {agency} expires on {expires}. Upload the renewed certificate before then so {agency} can keep sending you work."
        )],
        ("Upload the renewal", url),
        "You receive this reminder because it was set on the certificate.",
    )
}

/// To an agency's compliance users, when a contractor's certificate has expired.
pub fn certificate_expired(
    name: &str,
    company: &str,
    certificate: &str,
    expired: &str,
    open_tasks: &[String],
    url: &str,
) -> Email {
    let mut paragraphs = vec![format!(
        "The {certificate} certificate of {company} expired on {expired}, and no newer valid certificate has been recorded. Until one is, work cannot be sent to {company} without an override."
    )];
    if !open_tasks.is_empty() {
        paragraphs.push(format!(
            "Open tasks of {company} that need it: {}.",
            open_tasks.join("; ")
        ));
    }
    compose(
        format!("{company}: {certificate} certificate expired on {expired}"),
        &format!("Hello {name},"),
        &paragraphs,
        ("Open the contractor", url),
        "You receive this because you manage contractor certification.",
    )
}

/// To a contractor's office, when a certificate lapses while it has open tasks that need it.
pub fn certificate_lapsed_with_tasks(
    company: &str,
    agency: &str,
    certificate: &str,
    expired: &str,
    open_tasks: &[String],
    url: &str,
) -> Email {
    compose(
        format!("{certificate} certificate expired: {} open task{} from {agency}", open_tasks.len(), if open_tasks.len() == 1 { "" } else { "s" }),
        &format!("Hello {company},"),
        &[
            format!(
                "Your {certificate} certificate expired on {expired}. These open tasks from {agency} need it: {}.",
                open_tasks.join("; ")
            ),
            "Upload the renewal so the work can go ahead; until it is validated, the agency sees you as not compliant.".to_string(),
        ],
        ("Upload the renewal", url),
        "You receive this because your company does work for the agency.",
    )
}

/// To a contractor's office, when an agency sends it a task: its essentials, what the agency
/// chose to add, and any certificates still to provide.
pub struct TaskAssigned<'a> {
    pub company: &'a str,
    pub agency: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub address: &'a str,
    pub due: Option<String>,
    pub priority: &'a str,
    /// Lines the agency's settings add (description, access details, purchase order).
    pub details: Vec<String>,
    /// Certificate types the agency still waits for from this contractor.
    pub outstanding_certificates: Vec<String>,
    pub url: &'a str,
}

pub fn task_assigned(task: &TaskAssigned) -> Email {
    let priority = match task.priority {
        "urgent" => " (urgent)",
        "high" => " (high priority)",
        _ => "",
    };
    let mut paragraphs = vec![format!(
        "{} has assigned you {}{priority}: {}.",
        task.agency, task.reference, task.title
    )];
    paragraphs.push(format!("Property: {}", task.address));
    if let Some(due) = &task.due {
        paragraphs.push(format!("Due: {due}"));
    }
    paragraphs.extend(task.details.iter().cloned());
    if !task.outstanding_certificates.is_empty() {
        paragraphs.push(format!(
            "{} also still needs these certificates from you: {}. Upload them in the portal.",
            task.agency,
            task.outstanding_certificates.join(", ")
        ));
    }
    compose(
        format!(
            "{}: new task {} — {}",
            task.agency, task.reference, task.title
        ),
        &format!("Hello {},", task.company),
        &paragraphs,
        ("Open the task", task.url),
        "Sign in to accept or reject it. The link asks you to sign in if you are not already.",
    )
}

/// To a contractor's office: the agency asks for a quote.
pub struct QuoteRequested<'a> {
    pub agency: &'a str,
    pub company: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub address: &'a str,
    pub due: Option<String>,
    pub description: Option<&'a str>,
    /// Certificate types the agency still waits for from this contractor.
    pub outstanding_certificates: Vec<String>,
    pub url: &'a str,
}

pub fn quote_requested(quote: &QuoteRequested) -> Email {
    let mut paragraphs = vec![format!(
        "{} asks you to quote for {}: {}.",
        quote.agency, quote.reference, quote.title
    )];
    paragraphs.push(format!("Property: {}", quote.address));
    if let Some(due) = &quote.due {
        paragraphs.push(format!("Wanted by: {due}"));
    }
    if let Some(description) = quote.description {
        paragraphs.push(description.to_string());
    }
    if !quote.outstanding_certificates.is_empty() {
        paragraphs.push(format!(
            "{} also still needs these certificates from you: {}. Upload them in the portal.",
            quote.agency,
            quote.outstanding_certificates.join(", ")
        ));
    }
    compose(
        format!(
            "{}: request for a quote {} — {}",
            quote.agency, quote.reference, quote.title
        ),
        &format!("Hello {},", quote.company),
        &paragraphs,
        ("Answer in the Desk view", quote.url),
        "Give your price, a note and any document, or decline. The link asks you to sign in if you are not already.",
    )
}

/// To the agent who asked: a contractor answered (`amount` is none when it declined).
pub fn quote_answered(
    company: &str,
    reference: &str,
    title: &str,
    amount: Option<&str>,
    url: &str,
) -> Email {
    let (subject, line) = match amount {
        Some(amount) => (
            format!("{reference} {title}: {company} quoted {amount}"),
            format!("{company} quoted {amount} for {reference} {title}."),
        ),
        None => (
            format!("{reference} {title}: {company} declined to quote"),
            format!("{company} declined to quote for {reference} {title}."),
        ),
    };
    compose(
        subject,
        "Hello,",
        &[line],
        ("Compare the quotes", url),
        "Accepting a quote instructs the works to that contractor.",
    )
}

/// To a contractor whose quote was not taken: another was chosen, or the request withdrawn.
pub fn quote_closed(
    agency: &str,
    reference: &str,
    title: &str,
    withdrawn: bool,
    url: &str,
) -> Email {
    let line = if withdrawn {
        format!("{agency} has withdrawn its request for a quote {reference}: {title}.")
    } else {
        format!(
            "{agency} has chosen another quote for {reference}: {title}. Thank you for quoting."
        )
    };
    compose(
        format!("{reference} {title}: quote not taken"),
        "Hello,",
        &[line],
        ("Open your quotes", url),
        "Nothing more is needed for this request.",
    )
}

/// To the other side of a task's chat.
pub fn task_message(
    sender: &str,
    author: &str,
    reference: &str,
    title: &str,
    body: &str,
    url: &str,
) -> Email {
    compose(
        format!("{reference} {title}: message from {sender}"),
        "Hello,",
        &[
            format!("{author} ({sender}) wrote about {reference} {title}:"),
            body.to_string(),
        ],
        ("Reply in the task", url),
        "Replies are read in the task's Messages, not by email.",
    )
}

/// To the agency, when the contractor has completed a task.
pub fn task_performed(company: &str, reference: &str, title: &str, url: &str) -> Email {
    compose(
        format!("{reference} {title}: performed by {company}"),
        "Hello,",
        &[format!(
            "{company} has completed {reference} {title} and uploaded its documents. Review it, then approve it or send it back with a reason."
        )],
        ("Review the task", url),
        "You receive this because you instructed this task.",
    )
}

pub fn task_rejected(
    company: &str,
    reference: &str,
    title: &str,
    reason: &str,
    url: &str,
) -> Email {
    compose(
        format!("{reference} {title}: rejected by {company}"),
        "Hello,",
        &[
            format!("{company} has rejected {reference} {title}."),
            format!("Their reason: {reason}"),
            "Instruct another contractor, or instruct them again once it is sorted out.".into(),
        ],
        ("Open the task", url),
        "You receive this because you instructed this task.",
    )
}

/// What one person's daily digest holds; empty parts are left out, and an empty digest is not sent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Open tasks due or scheduled: "T-01003 Boiler service (due today)".
    pub tasks: Vec<String>,
    /// Certificates the agency waits for from this person's company.
    pub certificates: Vec<String>,
    /// For the agency's compliance users: certificates chasing has passed to them.
    pub follow_up: Vec<String>,
    /// For the agency's compliance users: contractors suspended for new work.
    pub suspended: Vec<String>,
    /// For the agency's compliance users: uploads waiting to be ticked Valid.
    pub to_validate: u32,
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        *self == Digest::default()
    }
}

/// Who a digest is for, which decides its subject, its link and why it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAudience {
    /// A contractor's office user or a technician: tasks first.
    Worker,
    /// A contractor's own address, with no account: certificates only.
    OfficeAddress,
    /// An agent who manages certification.
    Compliance,
}

/// The one email a person gets each day: their tasks, the certificates awaited from them, and
/// for the agency's compliance users what chasing has passed to them.
pub fn daily_digest(
    name: Option<&str>,
    agency: &str,
    day: &str,
    digest: &Digest,
    audience: DigestAudience,
    url: &str,
) -> Email {
    let mut paragraphs = Vec::new();
    if !digest.tasks.is_empty() {
        paragraphs.push(format!("Tasks for {agency} due or scheduled:"));
        paragraphs.extend(digest.tasks.iter().map(|t| format!("• {t}")));
    }
    if !digest.certificates.is_empty() {
        paragraphs.push(format!(
            "Certificates {agency} is waiting for: {}. Upload them from the portal.",
            digest.certificates.join(", ")
        ));
    }
    if !digest.follow_up.is_empty() {
        paragraphs.push("Certificates still outstanding after chasing the contractor:".into());
        paragraphs.extend(digest.follow_up.iter().map(|t| format!("• {t}")));
    }
    if !digest.suspended.is_empty() {
        paragraphs.push("Suspended for new work until a valid certificate is provided:".into());
        paragraphs.extend(digest.suspended.iter().map(|t| format!("• {t}")));
    }
    match digest.to_validate {
        0 => {}
        1 => paragraphs
            .push("1 uploaded certificate waits for you to check it and tick it Valid.".into()),
        n => paragraphs.push(format!(
            "{n} uploaded certificates wait for you to check them and tick them Valid."
        )),
    }
    let (subject, action, footer) = match audience {
        DigestAudience::Worker => (
            format!("Tasks to do, {day}"),
            "Open the portal",
            format!("You receive this once a day while you have open work for {agency}."),
        ),
        DigestAudience::OfficeAddress => (
            format!("Certificates {agency} is waiting for, {day}"),
            "Upload certificates",
            format!(
                "You receive this once a day while {agency} waits for certificates from your company."
            ),
        ),
        DigestAudience::Compliance => (
            format!("Certification to follow up, {day}"),
            "Open the contractors",
            format!(
                "You receive this once a day while certification at {agency} needs you; the chasing steps are in the agency's settings."
            ),
        ),
    };
    let greeting = match name {
        Some(name) => format!("Hello {name},"),
        None => "Hello,".to_string(),
    };
    compose(subject, &greeting, &paragraphs, (action, url), &footer)
}

/// A technician's newly assigned tasks, all in one email with one sign-in link.
pub fn technician_assigned(
    name: &str,
    company: &str,
    agency: &str,
    tasks: &[String],
    url: &str,
    link_lifetime: &str,
) -> Email {
    let mut paragraphs = vec![if tasks.len() == 1 {
        format!("{company} has assigned you a task for {agency}:")
    } else {
        format!(
            "{company} has assigned you {} tasks for {agency}:",
            tasks.len()
        )
    }];
    paragraphs.extend(tasks.iter().map(|t| format!("• {t}")));
    paragraphs.push(format!(
        "The button below signs you in to the Tech view on this device. It works once and \
         expires in {link_lifetime}; after that, ask for a new link on the sign-in page."
    ));
    compose(
        if tasks.len() == 1 {
            format!("New task from {company}")
        } else {
            format!("{} new tasks from {company}", tasks.len())
        },
        &format!("Hello {name},"),
        &paragraphs,
        ("Open my tasks", url),
        "You receive this because your office assigned you work in the portal.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_text_carries_the_link() {
        let email = sign_in_link(
            "Dan <O'Neil>",
            "Harbour & Co",
            "https://x.example/auth/link/abc",
            LinkPurpose::SignIn,
        );
        assert_eq!(email.subject, "Your sign-in link for Harbour & Co");
        assert!(email.text.contains("https://x.example/auth/link/abc"));
        assert!(email.text.contains("expires in 30 minutes"));
        assert!(email.html.contains("Dan &lt;O&#39;Neil&gt;"));
        assert!(email.html.contains("Harbour &amp; Co"));
        assert!(!email.html.contains("<O'Neil>"));
        assert!(email
            .html
            .contains("href=\"https://x.example/auth/link/abc\""));
    }

    #[test]
    fn invitations_say_how_long_they_last() {
        let email = invitation(
            "Sam",
            "Alex Morgan",
            "Harbour",
            "u",
            LinkPurpose::Invitation,
        );
        assert!(email.text.contains("expires in 7 days"), "{}", email.text);
        assert_eq!(email.subject, "Alex Morgan invited you to Harbour");
    }

    #[test]
    fn a_technician_s_tasks_come_in_one_email() {
        let email = technician_assigned(
            "Tom",
            "Brightspark",
            "Harbour",
            &["T-01001 Boiler".into(), "T-01002 <Fan>".into()],
            "https://x.example/auth/link/t",
            "3 days",
        );
        assert_eq!(email.subject, "2 new tasks from Brightspark");
        assert!(email.text.contains("• T-01001 Boiler\n\n• T-01002 <Fan>"));
        assert!(email.html.contains("T-01002 &lt;Fan&gt;"));
        assert!(email.text.contains("expires in 3 days"));
    }
}
