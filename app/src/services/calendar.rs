//! Calendar feeds: each person makes (and remakes, which revokes the old one) a private ICS
//! address for their calendar app. The address is the only credential, so the feed is worked
//! out again on every read from who its owner is now: a person who leaves, or loses the role
//! that gives the feed, stops the feed at once.

use super::auth::{self, Actor};
use super::{Context, ServiceError};
use crate::db::audit;
use crate::domain::calendar::{
    expiry_entry, has_token_shape, task_entry, CalendarEntry, CalendarLinkStatus, FeedKind,
    TaskOnCalendar, TOKEN_PREFIX,
};
use crate::domain::dates::from_storage;
use crate::domain::task_status::{TaskRole, TaskStatus};
use crate::services::tasks::work::task_url;
use std::collections::HashMap;

/// The most entries a feed holds (the newest tasks first); calendar apps slow down past this.
const MAX_ENTRIES: i64 = 2_000;
/// A feed's last read is written at most this often (calendar apps poll).
const READ_NOTE_MS: i64 = 10 * 60_000;

fn kind_of(actor: &Actor) -> Result<FeedKind, ServiceError> {
    if actor.api_key_id.is_some() {
        return Err(ServiceError::Forbidden("calendar feeds belong to people"));
    }
    FeedKind::of(actor.kind, actor.permissions).ok_or(ServiceError::Forbidden(
        "calendar feeds are for technicians, contractor offices and agents who manage certification",
    ))
}

#[derive(sqlx::FromRow)]
struct FeedRow {
    created_at: i64,
    last_read_at: Option<i64>,
}

/// The person's feed and whether it has an address now.
pub async fn status(cx: &Context, actor: &Actor) -> Result<CalendarLinkStatus, ServiceError> {
    let kind = kind_of(actor)?;
    let row: Option<FeedRow> = sqlx::query_as(
        "SELECT created_at, last_read_at FROM calendar_feeds \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(actor.user_id)
    .fetch_optional(cx.db.pool())
    .await?;
    let at = actor.instant_format();
    Ok(CalendarLinkStatus {
        kind,
        made: row.as_ref().map(|r| at(r.created_at)),
        last_read: row.and_then(|r| r.last_read_at).map(at),
    })
}

/// Makes the person's feed address (revoking any earlier one); it is shown only now.
pub async fn make_link(cx: &Context, actor: &Actor, now: i64) -> Result<String, ServiceError> {
    kind_of(actor)?;
    let (secret, _) = auth::new_token();
    let token = format!("{TOKEN_PREFIX}{secret}");
    let mut tx = cx.db.begin_write().await?;
    revoke_in(&mut tx, actor.user_id, now).await?;
    sqlx::query(
        "INSERT INTO calendar_feeds (agency_id, user_id, token_hash, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(actor.agency_id)
    .bind(actor.user_id)
    .bind(auth::token_hash(&token))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "calendar_link_made",
        Some(actor.user_id),
        "",
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(format!(
        "{}/calendar/{token}.ics",
        cx.public_url.trim_end_matches('/')
    ))
}

/// Stops the person's feed address: calendar apps that read it get nothing more.
pub async fn stop(cx: &Context, actor: &Actor, now: i64) -> Result<(), ServiceError> {
    kind_of(actor)?;
    let mut tx = cx.db.begin_write().await?;
    if revoke_in(&mut tx, actor.user_id, now).await? {
        audit::record(
            &mut *tx,
            actor.agency_id,
            actor.audit_by(),
            "calendar_link_stopped",
            Some(actor.user_id),
            "",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn revoke_in(
    tx: &mut sqlx::AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<bool, ServiceError> {
    let done = sqlx::query(
        "UPDATE calendar_feeds SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The feed an address shows, as iCalendar text; `NotFound` for an address that is unknown,
/// stopped, or whose owner no longer has a feed.
pub async fn feed(cx: &Context, token: &str, now: i64) -> Result<String, ServiceError> {
    const GONE: ServiceError = ServiceError::NotFound("calendar");
    if !has_token_shape(token) {
        return Err(GONE);
    }
    let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, user_id, last_read_at FROM calendar_feeds \
         WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(auth::token_hash(token))
    .fetch_optional(cx.db.pool())
    .await?;
    let Some((feed_id, user_id, last_read)) = row else {
        return Err(GONE);
    };
    let owner = auth::load_actor(cx, user_id).await?.ok_or(GONE)?;
    let kind = FeedKind::of(owner.kind, owner.permissions).ok_or(GONE)?;
    let entries = match kind {
        FeedKind::AssignedTasks | FeedKind::CompanyTasks => task_entries(cx, &owner, kind).await?,
        FeedKind::CertificateExpiries => expiry_entries(cx, &owner).await?,
    };
    if last_read.is_none_or(|at| now - at >= READ_NOTE_MS) {
        let mut tx = cx.db.begin_write().await?;
        sqlx::query("UPDATE calendar_feeds SET last_read_at = $2 WHERE id = $1")
            .bind(feed_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let organisation = owner.company_name.as_deref().unwrap_or(&owner.agency_name);
    Ok(crate::files::ics::feed(
        &kind.calendar_name(organisation),
        &owner.time_zone,
        &entries,
        now,
    ))
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: i64,
    reference: String,
    title: String,
    status: String,
    scheduled_date: Option<String>,
    due_date: Option<String>,
    address_line1: String,
    town: String,
    postcode: String,
}

/// The open tasks a technician is assigned to, or a contractor office's.
async fn task_entries(
    cx: &Context,
    owner: &Actor,
    kind: FeedKind,
) -> Result<Vec<CalendarEntry>, ServiceError> {
    let contractor_id = owner
        .contractor_id
        .ok_or(ServiceError::NotFound("calendar"))?;
    // A technician's feed: only the tasks they are assigned to (0 is nobody's id: all of them).
    let (technician, role) = match kind {
        FeedKind::AssignedTasks => (owner.user_id, TaskRole::Technician),
        _ => (0, TaskRole::Office),
    };
    let rows: Vec<TaskRow> = sqlx::query_as(&format!(
        "SELECT t.id, t.reference, t.title, t.status, t.scheduled_date, t.due_date, \
         p.address_line1, p.town, p.postcode FROM tasks t \
         JOIN properties p ON p.id = t.property_id \
         WHERE t.agency_id = $1 AND t.contractor_id = $2 AND t.archived_at IS NULL \
         AND t.status IN ('assigned', 'accepted', 'in_progress', 'revisit') \
         AND ($3 = 0 OR EXISTS (SELECT 1 FROM task_technicians tt \
              WHERE tt.task_id = t.id AND tt.technician_id = $3)) \
         ORDER BY t.id DESC LIMIT {MAX_ENTRIES}"
    ))
    .bind(owner.agency_id)
    .bind(contractor_id)
    .bind(technician)
    .fetch_all(cx.db.pool())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let status = TaskStatus::parse(&row.status)?;
            let address = format!("{}, {} {}", row.address_line1, row.town, row.postcode);
            let task = TaskOnCalendar {
                id: row.id,
                reference: &row.reference,
                title: &row.title,
                status: status.label(),
                scheduled: row.scheduled_date.as_deref().and_then(from_storage),
                due: row.due_date.as_deref().and_then(from_storage),
                address: &address,
            };
            task_entry(&task, task_url(&cx.public_url, role, row.id))
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    id: i64,
    contractor_id: i64,
    certificate_type_id: i64,
    uploaded_at: i64,
    end_date: String,
    type_name: String,
    company_name: String,
}

/// The expiry of each contractor's current valid certificate of each type it must hold.
async fn expiry_entries(cx: &Context, owner: &Actor) -> Result<Vec<CalendarEntry>, ServiceError> {
    let rows: Vec<DocumentRow> = sqlx::query_as(
        "SELECT d.id, d.contractor_id, d.certificate_type_id, d.uploaded_at, d.end_date, \
         t.name AS type_name, c.company_name FROM certificate_documents d \
         JOIN certificate_requirements r ON r.contractor_id = d.contractor_id \
              AND r.certificate_type_id = d.certificate_type_id \
         JOIN certificate_types t ON t.id = d.certificate_type_id \
         JOIN contractors c ON c.id = d.contractor_id \
         WHERE d.agency_id = $1 AND d.validated_at IS NOT NULL AND d.end_date IS NOT NULL",
    )
    .bind(owner.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    let mut current: HashMap<(i64, i64), &DocumentRow> = HashMap::new();
    for row in &rows {
        let key = (row.contractor_id, row.certificate_type_id);
        if current
            .get(&key)
            .is_none_or(|c| (row.uploaded_at, row.id) > (c.uploaded_at, c.id))
        {
            current.insert(key, row);
        }
    }
    let mut entries: Vec<CalendarEntry> = current
        .values()
        .filter_map(|row| {
            let end = from_storage(&row.end_date)?;
            let url = format!(
                "{}/agent/contractors/{}",
                cx.public_url.trim_end_matches('/'),
                row.contractor_id
            );
            Some(expiry_entry(
                row.id,
                &row.company_name,
                &row.type_name,
                end,
                url,
            ))
        })
        .collect();
    entries.sort_by(|a, b| (b.day, &b.uid).cmp(&(a.day, &a.uid)));
    entries.truncate(MAX_ENTRIES as usize);
    Ok(entries)
}
