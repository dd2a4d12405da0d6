//! The certificate reminder job: on the day a certificate's reminder falls due, its contractor's
//! office is emailed; when a certificate expires, the agency's compliance users are told, with
//! the contractor's open tasks that need it, and the office too when there are such tasks. Each
//! email has an idempotency key in the outbox, so a pass repeated after a restart, or run at the
//! same time by several instances, never sends one twice.

use super::compliance::{contractor_recipients, upload_url};
use super::webhooks::{self, Event};
use super::{mail, ServiceError};
use crate::domain::compliance::{reminder_due, RelatesTo, Reminder};
use crate::domain::dates::local_today;
use crate::domain::dates::{from_storage, DateFormat};
use crate::domain::webhooks::EventType;
use crate::services::Context;
use chrono::{Days, NaiveDate};
use serde_json::json;
use std::collections::HashMap;

/// A server that was down on the day still sends what fell due this many days ago, but not older
/// news (a first start must not mail every certificate that ever expired).
const CATCH_UP_DAYS: u64 = 7;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ReminderPass {
    pub reminders: u32,
    pub expiry_notices: u32,
    /// Emails to contractors' offices naming open tasks that need a certificate that lapsed.
    pub lapse_notices: u32,
    /// `certificate.expiring` and `certificate.expired` webhook deliveries written.
    pub webhook_deliveries: u32,
}

#[derive(sqlx::FromRow)]
struct OpenTask {
    reference: String,
    title: String,
    due_date: Option<String>,
    scheduled_date: Option<String>,
}

/// The contractor's open tasks (work still to do on site) that need this certificate type: those
/// of a kind of work that includes it, and those that name no kind. "T-01003 Boiler service
/// (due 20/01/2027)".
async fn open_tasks_needing(
    conn: &mut sqlx::AnyConnection,
    contractor_id: i64,
    certificate_type_id: i64,
    format: DateFormat,
) -> Result<Vec<String>, ServiceError> {
    let tasks: Vec<OpenTask> = sqlx::query_as(
        "SELECT t.reference, t.title, t.due_date, t.scheduled_date FROM tasks t \
         WHERE t.contractor_id = $1 AND t.archived_at IS NULL \
         AND t.status IN ('assigned', 'accepted', 'in_progress', 'revisit') \
         AND (t.work_kind_id IS NULL OR EXISTS (SELECT 1 FROM work_kind_types w \
              WHERE w.work_kind_id = t.work_kind_id AND w.certificate_type_id = $2)) \
         ORDER BY t.reference",
    )
    .bind(contractor_id)
    .bind(certificate_type_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(tasks
        .into_iter()
        .map(|t| {
            let scheduled = t.scheduled_date.as_deref().and_then(from_storage);
            let due = t.due_date.as_deref().and_then(from_storage);
            match (scheduled, due) {
                (Some(day), _) => format!(
                    "{} {} (scheduled {})",
                    t.reference,
                    t.title,
                    format.format(day)
                ),
                (None, Some(day)) => {
                    format!("{} {} (due {})", t.reference, t.title, format.format(day))
                }
                (None, None) => format!("{} {}", t.reference, t.title),
            }
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct CurrentDocument {
    id: i64,
    agency_id: i64,
    contractor_id: i64,
    certificate_type_id: i64,
    uploaded_at: i64,
    start_date: Option<String>,
    end_date: Option<String>,
    reminder: Option<String>,
    reminder_relates_to: String,
    type_name: String,
    company_name: String,
    time_zone: String,
    date_format: String,
    agency_name: String,
    expiring_soon_days: i64,
}

/// A certificate's `certificate.expiring` or `certificate.expired` event. Its id names the
/// document, so passes repeated after a restart or run by several instances deliver it once.
fn certificate_event(kind: EventType, d: &CurrentDocument) -> Event {
    Event {
        kind,
        id: Some(format!("evt_{}_{}", kind.as_str().replace('.', "_"), d.id)),
        data: json!({
            "document_id": d.id,
            "contractor_id": d.contractor_id,
            "company_name": d.company_name,
            "certificate_type_id": d.certificate_type_id,
            "certificate_type": d.type_name,
            "start_date": d.start_date,
            "end_date": d.end_date,
        }),
    }
}

/// Queues the reminders and expiry notices due now; returns how many were new.
pub async fn queue_due(cx: &Context, now: i64) -> Result<ReminderPass, ServiceError> {
    // The validated documents of required types; the newest per contractor and type counts.
    let documents: Vec<CurrentDocument> = sqlx::query_as(
        "SELECT d.id, d.agency_id, d.contractor_id, d.certificate_type_id, d.uploaded_at, \
         d.start_date, d.end_date, d.reminder, d.reminder_relates_to, t.name AS type_name, \
         c.company_name, a.time_zone, a.date_format, a.name AS agency_name, a.expiring_soon_days \
         FROM certificate_documents d \
         JOIN certificate_requirements r ON r.contractor_id = d.contractor_id \
              AND r.certificate_type_id = d.certificate_type_id \
         JOIN certificate_types t ON t.id = d.certificate_type_id \
         JOIN contractors c ON c.id = d.contractor_id \
         JOIN agencies a ON a.id = d.agency_id \
         WHERE d.validated_at IS NOT NULL",
    )
    .fetch_all(cx.db.pool())
    .await?;
    let mut current: HashMap<(i64, i64), CurrentDocument> = HashMap::new();
    for d in documents {
        let key = (d.contractor_id, d.certificate_type_id);
        if current
            .get(&key)
            .is_none_or(|c| (d.uploaded_at, d.id) > (c.uploaded_at, c.id))
        {
            current.insert(key, d);
        }
    }
    let mut pass = ReminderPass::default();
    let mut tx = cx.db.begin_write().await?;
    for d in current.values() {
        let today = local_today(&d.time_zone, now);
        let oldest = today
            .checked_sub_days(Days::new(CATCH_UP_DAYS))
            .unwrap_or(today);
        let recent = |day: NaiveDate| day <= today && day >= oldest;
        let format = DateFormat::from_pattern(&d.date_format).unwrap_or_default();
        let start = d.start_date.as_deref().and_then(from_storage);
        let end = d.end_date.as_deref().and_then(from_storage);

        let due = d.reminder.as_deref().and_then(|r| {
            let reminder = Reminder::parse(r).ok()?;
            let relates_to = RelatesTo::parse(&d.reminder_relates_to).ok()?;
            reminder_due(reminder, relates_to, start, end)
        });
        if let (Some(due), Some(end)) = (due, end) {
            // Not for a certificate already expired: the expiry notice covers that.
            if recent(due) && end >= today {
                let email = mail::certificate_reminder(
                    &d.company_name,
                    &d.agency_name,
                    &d.type_name,
                    &format.format(end),
                    &upload_url(&cx.public_url),
                );
                let recipients = contractor_recipients(&mut tx, d.contractor_id).await?;
                for to in recipients {
                    let key = format!("certificate_reminder:{}:{due}:{}", d.id, to.to_lowercase());
                    if mail::enqueue(&mut tx, Some(d.agency_id), &to, &email, Some(&key), now)
                        .await?
                    {
                        pass.reminders += 1;
                    }
                }
            }
        }
        if let Some(end) = end {
            let window = u64::try_from(d.expiring_soon_days).unwrap_or(30);
            let expiring_from = end.checked_sub_days(Days::new(window)).unwrap_or(end);
            if recent(expiring_from) && end >= today {
                let event = certificate_event(EventType::CertificateExpiring, d);
                pass.webhook_deliveries +=
                    webhooks::emit(&mut tx, d.agency_id, &event, now).await? as u32;
            }
        }
        if let Some(end) = end {
            let expired_on = end.checked_add_days(Days::new(1)).unwrap_or(end);
            if recent(expired_on) {
                let event = certificate_event(EventType::CertificateExpired, d);
                pass.webhook_deliveries +=
                    webhooks::emit(&mut tx, d.agency_id, &event, now).await? as u32;
            }
            if recent(expired_on) {
                let url = format!(
                    "{}/agent/contractors/{}",
                    cx.public_url.trim_end_matches('/'),
                    d.contractor_id
                );
                let managers: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT u.id, u.name, u.email FROM users u JOIN roles r ON r.id = u.role_id \
                     WHERE u.agency_id = $1 AND u.kind = 'agent' AND u.active = 1 \
                     AND r.can_manage_certification = 1 ORDER BY u.id",
                )
                .bind(d.agency_id)
                .fetch_all(&mut *tx)
                .await?;
                let open_tasks =
                    open_tasks_needing(&mut tx, d.contractor_id, d.certificate_type_id, format)
                        .await?;
                for (user_id, name, to) in managers {
                    let email = mail::certificate_expired(
                        &name,
                        &d.company_name,
                        &d.type_name,
                        &format.format(end),
                        &open_tasks,
                        &url,
                    );
                    let key = format!("certificate_expired:{}:{user_id}", d.id);
                    if mail::enqueue(&mut tx, Some(d.agency_id), &to, &email, Some(&key), now)
                        .await?
                    {
                        pass.expiry_notices += 1;
                    }
                }
                if !open_tasks.is_empty() {
                    let email = mail::certificate_lapsed_with_tasks(
                        &d.company_name,
                        &d.agency_name,
                        &d.type_name,
                        &format.format(end),
                        &open_tasks,
                        &upload_url(&cx.public_url),
                    );
                    for to in contractor_recipients(&mut tx, d.contractor_id).await? {
                        let key = format!("certificate_lapsed:{}:{}", d.id, to.to_lowercase());
                        if mail::enqueue(&mut tx, Some(d.agency_id), &to, &email, Some(&key), now)
                            .await?
                        {
                            pass.lapse_notices += 1;
                        }
                    }
                }
            }
        }
    }
    tx.commit().await?;
    Ok(pass)
}
