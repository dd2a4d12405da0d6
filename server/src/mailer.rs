//! The outbox worker: sends what the services wrote to `outbox_emails`, through SMTP (lettre).
//!
//! A message is leased before it is sent and marked sent after, so a crash before sending loses
//! nothing (the lease runs out and another pass sends it) and a message is never sent by two
//! workers at once. Between a successful send and the "sent" mark a crash could still repeat one
//! message; its Message-ID stays the same on every attempt, so mail systems can recognise it.

use crate::webhook_sender::WebhookSender;
use app::db::{outbox, Db, DbError};
use app::domain::outbox::{retry_at, LEASE_MS};
use app::services::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::watch;

/// How many due messages one pass looks at.
const BATCH: i64 = 20;

const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
// A live worker never loses its lease in the middle of a send.
const _: () = assert!(LEASE_MS > 2 * SMTP_TIMEOUT.as_millis() as i64);

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub failed: usize,
}

impl Mailer {
    pub fn from_url(smtp_url: &str, from: Mailbox) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("SMTP_URL: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Mailer { transport, from })
    }

    fn message(&self, email: &outbox::OutboxEmail) -> Result<Message, String> {
        let to: Mailbox = email
            .to_address
            .parse()
            .map_err(|e| format!("bad recipient address: {e}"))?;
        let domain = self.from.email.domain().to_string();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!(
                "<outbox-{}-{}@{domain}>",
                email.id, email.created_at
            )))
            .multipart(MultiPart::alternative_plain_html(
                email.body_text.clone(),
                email.body_html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// One pass over the due messages.
    pub async fn deliver_due(&self, db: &Db) -> Result<Pass, DbError> {
        let mut pass = Pass::default();
        let now = app::db::now_ms();
        for id in outbox::due(db.pool(), now, BATCH).await? {
            if !outbox::claim(db.pool(), id, now, now + LEASE_MS).await? {
                continue; // another worker has it
            }
            let Some(email) = outbox::get(db.pool(), id).await? else {
                continue;
            };
            let result = match self.message(&email) {
                Ok(message) => self.transport.send(message).await.map(|_| ()).map_err(|e| {
                    let permanent = e.is_permanent();
                    (describe(&e), permanent)
                }),
                Err(problem) => Err((problem, true)),
            };
            let done_at = app::db::now_ms();
            match result {
                Ok(()) => {
                    outbox::mark_sent(db.pool(), id, done_at).await?;
                    pass.sent += 1;
                    tracing::info!(id, "email sent");
                }
                Err((problem, permanent)) => {
                    let retry = if permanent {
                        None
                    } else {
                        retry_at(email.attempts, done_at)
                    };
                    outbox::mark_failed(db.pool(), id, &problem, retry, done_at).await?;
                    pass.failed += 1;
                    tracing::warn!(
                        id,
                        attempts = email.attempts,
                        retry = retry.is_some(),
                        "email not sent: {problem}"
                    );
                }
            }
        }
        Ok(pass)
    }
}

fn describe(e: &SmtpError) -> String {
    let text = e.to_string();
    text.chars().take(500).collect()
}

/// Runs until `stop` changes: sends due mail and webhook deliveries every few seconds (and writes
/// compliance-change events), queues certificate reminders and expiry notices every five minutes
/// (from the first pass on), and tidies expired sessions and throttling records every ten minutes. Without SMTP, mail waits in the outbox (and shows in
/// the development mailbox in demo mode).
pub fn spawn_worker(
    cx: Context,
    mailer: Option<Mailer>,
    webhooks: WebhookSender,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks: u64 = 0;
        let mut lights_seen = HashMap::new();
        loop {
            if let Some(mailer) = &mailer {
                if let Err(e) = mailer.deliver_due(&cx.db).await {
                    tracing::warn!("outbox pass failed: {e}");
                }
            }
            match app::services::webhooks::watch_compliance(
                &cx,
                &mut lights_seen,
                app::db::now_ms(),
            )
            .await
            {
                Ok(0) => {}
                Ok(changes) => tracing::info!(changes, "compliance lights changed"),
                Err(e) => tracing::warn!("compliance watch failed: {e}"),
            }
            crate::webhook_sender::pass(&webhooks, &cx).await;
            if ticks.is_multiple_of(150) {
                let now = app::db::now_ms();
                match app::services::reminders::queue_due(&cx, now).await {
                    Ok(pass) if pass != Default::default() => {
                        tracing::info!(
                            reminders = pass.reminders,
                            expiry_notices = pass.expiry_notices,
                            "certificate emails queued"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("certificate reminder pass failed: {e}"),
                }
                match app::services::daily::queue_daily_digests(&cx, now).await {
                    Ok(0) => {}
                    Ok(queued) => tracing::info!(queued, "daily digests queued"),
                    Err(e) => tracing::warn!("daily reminder pass failed: {e}"),
                }
            }
            if ticks.is_multiple_of(300) {
                let now = app::db::now_ms();
                if let Err(e) = app::db::sessions::delete_expired(cx.db.pool(), now).await {
                    tracing::warn!("session clean-up failed: {e}");
                }
                if let Err(e) = app::services::auth::forget_old_attempts(&cx, now).await {
                    tracing::warn!("attempt clean-up failed: {e}");
                }
            }
            ticks += 1;
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = stop.changed() => break,
            }
        }
    })
}
