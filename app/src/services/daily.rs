//! The daily digest: once a day, after the hour the agency chose (in its time zone), each person
//! gets one email with everything waiting for them, or none when nothing is. Contractor office
//! users: their company's tasks due or scheduled and the certificates the agency waits for
//! (expiring soon, and those chasing has reached them with); technicians: the tasks assigned to
//! them; a contractor's own address: the certificates chasing has reached it with; the agency's
//! compliance users: what chasing has passed to them, suspended contractors, and uploads waiting
//! for validation. Before the digests, the day's chasing steps are climbed. The outbox key
//! `daily:{user or address}:{day}` makes a second pass on the same day, a restart, or another
//! instance, send nothing more.

use super::compliance::agency_view;
use super::escalation::{climb, Chase};
use super::mail::{self, Digest, DigestAudience};
use super::ServiceError;
use crate::db::Db;
use crate::domain::compliance::ComplianceStatus;
use crate::domain::dates::{from_storage, to_storage, DateFormat};
use crate::domain::escalation::{digest_day, Step};
use crate::services::Context;
use chrono::{Days, NaiveDate};
use sqlx::FromRow;
use std::collections::{BTreeMap, HashMap};

#[derive(FromRow)]
struct Agency {
    id: i64,
    name: String,
    time_zone: String,
    date_format: String,
    daily_reminder_hour: i64,
}

#[derive(FromRow)]
struct Person {
    id: i64,
    email: String,
    name: String,
    kind: String,
    contractor_id: Option<i64>,
}

#[derive(FromRow)]
struct OpenTask {
    reference: String,
    title: String,
    due_date: Option<String>,
    scheduled_date: Option<String>,
}

#[derive(FromRow)]
struct ContractorAddress {
    id: i64,
    company_name: String,
    email: String,
}

/// One recipient's digest while it is put together.
struct Recipient {
    email: String,
    /// The outbox key's person: the user's id, or the address of a company without an account.
    key: String,
    name: Option<String>,
    audience: DigestAudience,
    path: &'static str,
    digest: Digest,
}

/// What a chased certificate's line says: "Gas safety (ended 20/11/2026)".
fn chase_detail(chase: &Chase, format: DateFormat) -> String {
    if chase.expired {
        let ended = chase
            .since
            .checked_sub_days(Days::new(1))
            .unwrap_or(chase.since);
        format!(
            "{} (ended {})",
            chase.certificate_type,
            format.format(ended)
        )
    } else {
        format!(
            "{} (asked for on {}, not provided)",
            chase.certificate_type,
            format.format(chase.since)
        )
    }
}

/// One line of the email for an open task: why it is on today's list.
fn task_line(task: &OpenTask, today: NaiveDate, format: DateFormat) -> String {
    let due = task.due_date.as_deref().and_then(from_storage);
    let scheduled = task.scheduled_date.as_deref().and_then(from_storage);
    let when = match (scheduled, due) {
        (Some(s), _) if s == today => "scheduled today".to_string(),
        (_, Some(d)) if d < today => format!("overdue since {}", format.format(d)),
        (_, Some(_)) => "due today".to_string(),
        _ => "open".to_string(),
    };
    format!("{} {} ({when})", task.reference, task.title)
}

/// Climbs the chasing ladders and queues the day's digests of every agency whose hour has come;
/// returns how many digests were new.
pub async fn queue_daily_digests(cx: &Context, now: i64) -> Result<u32, ServiceError> {
    let agencies: Vec<Agency> = sqlx::query_as(
        "SELECT id, name, time_zone, date_format, daily_reminder_hour FROM agencies ORDER BY id",
    )
    .fetch_all(cx.db.pool())
    .await?;
    let mut queued = 0;
    for agency in agencies {
        if let Some(today) = digest_day(&agency.time_zone, agency.daily_reminder_hour, now) {
            queued += agency_digests(cx, &agency, today, now).await?;
        }
    }
    Ok(queued)
}

async fn agency_digests(
    cx: &Context,
    agency: &Agency,
    today: NaiveDate,
    now: i64,
) -> Result<u32, ServiceError> {
    let format = DateFormat::from_pattern(&agency.date_format).unwrap_or_default();
    let chases = climb(cx, agency.id, now).await?;
    // After climbing: a suspension it recorded is in the view.
    let view = agency_view(&cx.db, &cx.statuses, agency.id, now).await?;
    let mut recipients: BTreeMap<String, Recipient> = BTreeMap::new();

    let people: Vec<Person> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.kind, u.contractor_id FROM users u \
         LEFT JOIN roles r ON r.id = u.role_id \
         WHERE u.agency_id = $1 AND u.active = 1 AND (u.kind IN ('contractor', 'technician') \
              OR (u.kind = 'agent' AND r.can_manage_certification = 1)) ORDER BY u.id",
    )
    .bind(agency.id)
    .fetch_all(cx.db.pool())
    .await?;
    let awaiting_validation = view.awaiting_validation();
    let companies: HashMap<i64, ContractorAddress> = sqlx::query_as::<_, ContractorAddress>(
        "SELECT id, company_name, email FROM contractors WHERE agency_id = $1",
    )
    .bind(agency.id)
    .fetch_all(cx.db.pool())
    .await?
    .into_iter()
    .map(|c| (c.id, c))
    .collect();
    let company = |id: i64| {
        companies
            .get(&id)
            .map(|c| c.company_name.as_str())
            .unwrap_or("")
    };

    for person in people {
        let mut digest = Digest::default();
        let (audience, path) = match (person.kind.as_str(), person.contractor_id) {
            ("agent", _) => {
                digest.follow_up = chases
                    .iter()
                    .filter(|c| c.reached(Step::Agency))
                    .map(|c| format!("{}: {}", company(c.contractor_id), chase_detail(c, format)))
                    .collect();
                let mut suspended: Vec<(String, NaiveDate)> = view
                    .suspensions
                    .iter()
                    .map(|(id, s)| (company(*id).to_string(), s.since))
                    .collect();
                suspended.sort();
                digest.suspended = suspended
                    .into_iter()
                    .map(|(name, since)| format!("{name} (since {})", format.format(since)))
                    .collect();
                digest.to_validate = awaiting_validation;
                (DigestAudience::Compliance, "/agent/contractors")
            }
            (kind, Some(contractor_id)) => {
                let technician = kind == "technician";
                digest.tasks =
                    open_tasks(&cx.db, agency.id, contractor_id, &person, technician, today)
                        .await?
                        .iter()
                        .map(|t| task_line(t, today, format))
                        .collect();
                if !technician {
                    digest.certificates =
                        awaited_from_office_users(&view, &chases, contractor_id, format);
                }
                (
                    DigestAudience::Worker,
                    if technician { "/tech" } else { "/desk" },
                )
            }
            _ => continue,
        };
        recipients.insert(
            person.email.to_lowercase(),
            Recipient {
                email: person.email.clone(),
                key: person.id.to_string(),
                name: Some(person.name),
                audience,
                path,
                digest,
            },
        );
    }

    // The contractor's own address, from the ladder's first step: into its office user's digest
    // when the address is one, in a digest of its own otherwise.
    for chase in chases.iter().filter(|c| c.reached(Step::Office)) {
        let Some(address) = companies.get(&chase.contractor_id) else {
            continue;
        };
        let recipient = recipients
            .entry(address.email.to_lowercase())
            .or_insert_with(|| Recipient {
                email: address.email.clone(),
                key: address.email.to_lowercase(),
                name: Some(address.company_name.clone()),
                audience: DigestAudience::OfficeAddress,
                path: "/desk/certificates",
                digest: Digest::default(),
            });
        let line = chase_detail(chase, format);
        if recipient.audience != DigestAudience::Compliance
            && !recipient.digest.certificates.contains(&line)
        {
            recipient.digest.certificates.push(line);
        }
    }

    let mut queued = 0;
    let base = cx.public_url.trim_end_matches('/');
    for recipient in recipients.values() {
        if recipient.digest.is_empty() {
            continue;
        }
        let email = mail::daily_digest(
            recipient.name.as_deref(),
            &agency.name,
            &format.format(today),
            &recipient.digest,
            recipient.audience,
            &format!("{base}{}", recipient.path),
        );
        let key = format!("daily:{}:{}", recipient.key, to_storage(today));
        let mut conn = cx.db.pool().acquire().await?;
        if mail::enqueue(
            &mut conn,
            Some(agency.id),
            &recipient.email,
            &email,
            Some(&key),
            now,
        )
        .await?
        {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What an office user's digest says the agency waits for: certificates expiring soon (with
/// nothing uploaded yet), and those chasing has reached all office users with.
fn awaited_from_office_users(
    view: &super::compliance::AgencyView,
    chases: &[Chase],
    contractor_id: i64,
    format: DateFormat,
) -> Vec<String> {
    let expiring = view
        .statuses
        .get(&contractor_id)
        .into_iter()
        .flat_map(|r| r.iter())
        .filter(|r| {
            r.status.status == ComplianceStatus::ExpiringSoon && !r.status.awaiting_validation
        })
        .map(|r| match r.status.valid_until {
            Some(end) => format!("{} (ends {})", r.certificate_type, format.format(end)),
            None => r.certificate_type.clone(),
        });
    chases
        .iter()
        .filter(|c| c.contractor_id == contractor_id && c.reached(Step::OfficeUsers))
        .map(|c| chase_detail(c, format))
        .chain(expiring)
        .collect()
}

/// Open work due by today or scheduled today: the whole company's for the office, the
/// technician's own otherwise.
async fn open_tasks(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    person: &Person,
    technician: bool,
    today: NaiveDate,
) -> Result<Vec<OpenTask>, ServiceError> {
    Ok(sqlx::query_as(
        "SELECT t.reference, t.title, t.due_date, t.scheduled_date FROM tasks t \
         WHERE t.agency_id = $1 AND t.contractor_id = $2 AND t.archived_at IS NULL \
         AND t.status IN ('assigned', 'accepted', 'in_progress', 'revisit', \
         'performed_need_docs') \
         AND (t.due_date <= $3 OR t.scheduled_date = $3) \
         AND ($4 = 0 OR t.id IN \
              (SELECT task_id FROM task_technicians WHERE technician_id = $5)) \
         ORDER BY t.due_date, t.id",
    )
    .bind(agency_id)
    .bind(contractor_id)
    .bind(to_storage(today))
    .bind(i64::from(technician))
    .bind(person.id)
    .fetch_all(db.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(due: Option<&str>, scheduled: Option<&str>) -> OpenTask {
        OpenTask {
            reference: "T-01001".into(),
            title: "Fix the boiler".into(),
            due_date: due.map(str::to_string),
            scheduled_date: scheduled.map(str::to_string),
        }
    }

    #[test]
    fn each_task_says_why_it_is_on_today_s_list() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let f = DateFormat::default();
        assert_eq!(
            task_line(&task(Some("2026-11-30"), Some("2026-11-22")), today, f),
            "T-01001 Fix the boiler (scheduled today)"
        );
        assert_eq!(
            task_line(&task(Some("2026-11-20"), None), today, f),
            "T-01001 Fix the boiler (overdue since 20/11/2026)"
        );
        assert_eq!(
            task_line(&task(Some("2026-11-22"), Some("2026-11-25")), today, f),
            "T-01001 Fix the boiler (due today)"
        );
    }
}
