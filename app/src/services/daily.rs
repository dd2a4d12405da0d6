//! The daily "Tasks to do" email: once a day, after the hour the agency chose (in its time zone),
//! each contractor office user is told of the tasks due or scheduled and the certificates the
//! agency still waits for, and each technician of the tasks assigned to them. Nobody with nothing
//! to do is emailed. The outbox key `daily:{user}:{day}` makes a second pass on the same day, a
//! restart, or another instance, send nothing more.

use super::compliance::outstanding_certificates;
use super::{mail, ServiceError};
use crate::db::Db;
use crate::domain::dates::{from_storage, to_storage, DateFormat};
use chrono::{NaiveDate, Timelike};
use sqlx::FromRow;

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
    contractor_id: i64,
}

#[derive(FromRow)]
struct OpenTask {
    reference: String,
    title: String,
    due_date: Option<String>,
    scheduled_date: Option<String>,
}

/// The agency's date and hour now.
fn local_now(time_zone: &str, now_ms: i64) -> (NaiveDate, u32) {
    let instant = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => {
            let local = instant.with_timezone(&tz);
            (local.date_naive(), local.hour())
        }
        Err(_) => (instant.date_naive(), instant.hour()),
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

/// Queues the day's emails of every agency whose hour has come; returns how many were new.
pub async fn queue_tasks_to_do(db: &Db, public_url: &str, now: i64) -> Result<u32, ServiceError> {
    let agencies: Vec<Agency> = sqlx::query_as(
        "SELECT id, name, time_zone, date_format, daily_reminder_hour FROM agencies ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut queued = 0;
    for agency in agencies {
        let (today, hour) = local_now(&agency.time_zone, now);
        if i64::from(hour) < agency.daily_reminder_hour {
            continue;
        }
        let format = DateFormat::from_pattern(&agency.date_format).unwrap_or_default();
        let people: Vec<Person> = sqlx::query_as(
            "SELECT id, email, name, kind, contractor_id FROM users \
             WHERE agency_id = $1 AND active = 1 AND contractor_id IS NOT NULL \
             AND kind IN ('contractor', 'technician') ORDER BY id",
        )
        .bind(agency.id)
        .fetch_all(db.pool())
        .await?;
        for person in people {
            let technician = person.kind == "technician";
            // Open work due by today or scheduled today: the whole company's for the office,
            // the technician's own otherwise.
            let tasks: Vec<OpenTask> = sqlx::query_as(
                "SELECT t.reference, t.title, t.due_date, t.scheduled_date FROM tasks t \
                 WHERE t.agency_id = $1 AND t.contractor_id = $2 AND t.archived_at IS NULL \
                 AND t.status IN ('assigned', 'accepted', 'in_progress', 'revisit', \
                 'performed_need_docs') \
                 AND (t.due_date <= $3 OR t.scheduled_date = $3) \
                 AND ($4 = 0 OR t.id IN \
                      (SELECT task_id FROM task_technicians WHERE technician_id = $5)) \
                 ORDER BY t.due_date, t.id",
            )
            .bind(agency.id)
            .bind(person.contractor_id)
            .bind(to_storage(today))
            .bind(i64::from(technician))
            .bind(person.id)
            .fetch_all(db.pool())
            .await?;
            let certificates = if technician {
                Vec::new()
            } else {
                outstanding_certificates(db, agency.id, person.contractor_id, now).await?
            };
            if tasks.is_empty() && certificates.is_empty() {
                continue;
            }
            let lines: Vec<String> = tasks.iter().map(|t| task_line(t, today, format)).collect();
            let view = if technician { "tech" } else { "desk" };
            let email = mail::tasks_to_do(
                &person.name,
                &agency.name,
                &format.format(today),
                &lines,
                &certificates,
                &format!("{}/{view}", public_url.trim_end_matches('/')),
            );
            let key = format!("daily:{}:{}", person.id, to_storage(today));
            let mut conn = db.pool().acquire().await?;
            if mail::enqueue(
                &mut conn,
                Some(agency.id),
                &person.email,
                &email,
                Some(&key),
                now,
            )
            .await?
            {
                queued += 1;
            }
        }
    }
    Ok(queued)
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

    #[test]
    fn the_hour_is_the_agency_s() {
        // 2026-07-01 06:30 UTC is 07:30 in London (summer time).
        let ms = chrono::NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(6, 30, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(
            local_now("Europe/London", ms),
            (NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(), 7)
        );
        assert_eq!(local_now("Nowhere/Else", ms).1, 6);
    }
}
