//! Requests for quotes: an agent asks one or several contractors to price an issue at a
//! property (the compliance rule applies to each, as when instructing), each contractor's office
//! answers from the Desk view, and accepting one quote instructs the works to that contractor in
//! the same transaction that closes the request, so a request makes at most one task.

use super::auth::Actor;
use super::compliance::{check_instruction, contractor_lights, Instruction, Upload, WorkToJudge};
use super::tasks::instruct::{
    blocked_outcome, prepare_instruction, write_instruction, NewTask, Written, PRIORITIES,
};
use super::ServiceError;
use crate::db::{audit, Db};
use crate::domain::compliance::TrafficLight;
use crate::domain::dates::{from_storage, to_storage};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::quotes::{
    accept_refusal, answer_refusal, format_amount, parse_amount, DeskQuote, QuoteLine,
    QuoteRequestDetail, QuoteRequestOutcome, QuoteRequestSummary, QuoteStatus, RequestState,
};
use crate::domain::records::InstructOutcome;
use crate::domain::task_work::DocumentKind;
use crate::events::{Change, Topic};
use crate::files::Staged;
use crate::services::Context;
use chrono::NaiveDate;
use sqlx::FromRow;

/// Contractors asked at once, at most.
pub const MAX_CONTRACTORS: usize = 10;
const MAX_DESCRIPTION: usize = 4_000;
const MAX_NOTE: usize = 2_000;

/// What an agent asks contractors to price.
#[derive(Clone, Debug, Default)]
pub struct NewQuoteRequest {
    pub property_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub priority: String,
    pub work_kind_id: Option<i64>,
    pub contractor_ids: Vec<i64>,
    /// Given by an agent with the override permission to ask a red contractor anyway.
    pub override_reason: Option<String>,
}

/// A contractor's answer: an amount as typed, a note, perhaps a document.
#[derive(Debug, Default)]
pub struct QuoteAnswer {
    pub amount: String,
    pub note: Option<String>,
    pub document: Option<Upload>,
}

fn text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|t| !t.is_empty())
}

fn desk_url(public_url: &str) -> String {
    format!("{}/desk/quotes", public_url.trim_end_matches('/'))
}

fn request_url(public_url: &str, request_id: i64) -> String {
    format!(
        "{}/agent/quotes/{request_id}",
        public_url.trim_end_matches('/')
    )
}

async fn publish(db: &Db, agency_id: i64, contractor_ids: &[i64]) {
    for contractor_id in contractor_ids {
        db.publish(Change {
            agency_id,
            contractor_id: Some(*contractor_id),
            topic: Topic::Quote,
            task_id: None,
        })
        .await;
    }
}

/// Asks contractors for quotes. Each is judged by the instruct rule on the work's kind and day; if
/// any is refused, nothing is sent and the answer names each with its certificates at fault.
pub async fn request_quotes(
    cx: &Context,
    actor: &Actor,
    request: NewQuoteRequest,
    now: i64,
) -> Result<QuoteRequestOutcome, ServiceError> {
    actor.require(Permission::InstructWork)?;
    let title = request.title.trim();
    if title.is_empty() {
        return Err(ServiceError::invalid("title", "Say what needs pricing."));
    }
    if title.chars().count() > 200 {
        return Err(ServiceError::invalid(
            "title",
            "Keep the title under 200 characters.",
        ));
    }
    let description = text(request.description.as_deref());
    if description.is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(ServiceError::invalid(
            "description",
            "Keep the description under 4,000 characters.",
        ));
    }
    if !PRIORITIES.contains(&request.priority.as_str()) {
        return Err(ServiceError::invalid(
            "priority",
            "Choose low, normal, high or urgent.",
        ));
    }
    let mut contractor_ids = Vec::new();
    for id in &request.contractor_ids {
        if !contractor_ids.contains(id) {
            contractor_ids.push(*id);
        }
    }
    if contractor_ids.is_empty() {
        return Err(ServiceError::invalid(
            "contractors",
            "Choose at least one contractor to ask.",
        ));
    }
    if contractor_ids.len() > MAX_CONTRACTORS {
        return Err(ServiceError::invalid(
            "contractors",
            "Ask up to 10 contractors at once.",
        ));
    }
    let Some(property) =
        super::properties::address(&cx.db, actor.agency_id, request.property_id).await?
    else {
        return Err(ServiceError::invalid("property_id", "Choose a property."));
    };
    let address = property.one_line();
    if let Some(kind) = request.work_kind_id {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM work_kinds WHERE id = $1 AND agency_id = $2")
                .bind(kind)
                .bind(actor.agency_id)
                .fetch_optional(cx.db.pool())
                .await?;
        if found.is_none() {
            return Err(ServiceError::invalid(
                "work_kind",
                "Choose one of the agency's kinds of work.",
            ));
        }
    }
    let mut companies = Vec::with_capacity(contractor_ids.len());
    let mut outstanding = Vec::with_capacity(contractor_ids.len());
    for id in &contractor_ids {
        let company: Option<String> = sqlx::query_scalar(
            "SELECT company_name FROM contractors WHERE id = $1 AND agency_id = $2",
        )
        .bind(id)
        .bind(actor.agency_id)
        .fetch_optional(cx.db.pool())
        .await?;
        companies.push(company.ok_or(ServiceError::NotFound("contractor"))?);
        // Certificates still asked of it go with the request, as with instructed works.
        outstanding.push(
            super::compliance::outstanding_certificates(&cx.db, actor.agency_id, *id, now).await?,
        );
    }

    let mut tx = cx.db.begin_write().await?;
    // References count the agency's requests: this first write makes requests take turns.
    sqlx::query("UPDATE agencies SET created_at = created_at WHERE id = $1")
        .bind(actor.agency_id)
        .execute(&mut *tx)
        .await?;
    let work = WorkToJudge {
        work_kind_id: request.work_kind_id,
        day: request.due_date,
    };
    let reason = request.override_reason.as_deref();
    let mut blocked = Vec::new();
    let mut may_override = true;
    for (id, company) in contractor_ids.iter().zip(&companies) {
        if let Instruction::Blocked {
            problems,
            can_override,
        } = check_instruction(cx, &mut tx, actor, *id, work, reason, now).await?
        {
            may_override &= can_override;
            blocked.push((company.clone(), problems));
        }
    }
    if !blocked.is_empty() {
        drop(tx);
        return Ok(QuoteRequestOutcome::Blocked {
            blocked,
            can_override: may_override,
        });
    }
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quote_requests WHERE agency_id = $1")
        .bind(actor.agency_id)
        .fetch_one(&mut *tx)
        .await?;
    let reference = format!("Q-{:05}", 1001 + count);
    let request_id: i64 = sqlx::query_scalar(
        "INSERT INTO quote_requests (agency_id, reference, property_id, title, description, \
         due_date, priority, work_kind_id, requested_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(&reference)
    .bind(request.property_id)
    .bind(title)
    .bind(description)
    .bind(request.due_date.map(to_storage))
    .bind(&request.priority)
    .bind(request.work_kind_id)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let url = desk_url(&cx.public_url);
    for ((id, company), outstanding) in contractor_ids.iter().zip(&companies).zip(outstanding) {
        sqlx::query(
            "INSERT INTO quotes (agency_id, request_id, contractor_id, status) \
             VALUES ($1, $2, $3, 'requested')",
        )
        .bind(actor.agency_id)
        .bind(request_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let email = super::mail::quote_requested(&super::mail::QuoteRequested {
            agency: &actor.agency_name,
            company,
            reference: &reference,
            title,
            address: &address,
            due: request.due_date.map(|d| actor.date_format.format(d)),
            description,
            outstanding_certificates: outstanding,
            url: &url,
        });
        for to in super::compliance::contractor_recipients(&mut tx, *id).await? {
            let key = format!("quote-requested:{request_id}:{id}:{to}");
            super::mail::enqueue(&mut tx, Some(actor.agency_id), &to, &email, Some(&key), now)
                .await?;
        }
        audit::record_for_contractor(
            &mut *tx,
            actor.agency_id,
            actor.audit_by(),
            "quote_requested",
            *id,
            &format!("{reference}: {title}"),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    publish(&cx.db, actor.agency_id, &contractor_ids).await;
    Ok(QuoteRequestOutcome::Requested {
        request_id,
        reference,
    })
}

#[derive(FromRow)]
struct SummaryRow {
    id: i64,
    reference: String,
    title: String,
    address_line1: String,
    town: String,
    postcode: String,
    created_at: i64,
    accepted_quote_id: Option<i64>,
    withdrawn_at: Option<i64>,
    asked: i64,
    quoted: i64,
    lowest: Option<i64>,
}

/// The agency's requests for quotes, newest first, with how many contractors have answered.
pub async fn requests(
    cx: &Context,
    actor: &Actor,
) -> Result<Vec<QuoteRequestSummary>, ServiceError> {
    actor.require_agent()?;
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT r.id, r.reference, r.title, p.address_line1, p.town, p.postcode, r.created_at, \
         r.accepted_quote_id, r.withdrawn_at, \
         (SELECT COUNT(*) FROM quotes q WHERE q.request_id = r.id) AS asked, \
         (SELECT COUNT(*) FROM quotes q WHERE q.request_id = r.id \
            AND q.status IN ('quoted', 'accepted', 'not_chosen') AND q.amount_pence IS NOT NULL) AS quoted, \
         (SELECT MIN(q.amount_pence) FROM quotes q WHERE q.request_id = r.id \
            AND q.status IN ('quoted', 'accepted')) AS lowest \
         FROM quote_requests r JOIN properties p ON p.id = r.property_id \
         WHERE r.agency_id = $1 ORDER BY r.created_at DESC, r.id DESC LIMIT 200",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| QuoteRequestSummary {
            id: r.id,
            reference: r.reference,
            title: r.title,
            address: format!("{}, {} {}", r.address_line1, r.town, r.postcode),
            requested_on: actor.today(r.created_at),
            state: RequestState::of(r.accepted_quote_id.is_some(), r.withdrawn_at.is_some()),
            asked: r.asked as u32,
            quoted: r.quoted as u32,
            lowest_pence: r.lowest,
        })
        .collect())
}

#[derive(FromRow)]
struct RequestRow {
    id: i64,
    reference: String,
    property_id: i64,
    title: String,
    description: Option<String>,
    due_date: Option<String>,
    priority: String,
    work_kind_id: Option<i64>,
    work_kind: Option<String>,
    requested_by: Option<String>,
    created_at: i64,
    accepted_quote_id: Option<i64>,
    task_id: Option<i64>,
    task_reference: Option<String>,
    withdrawn_at: Option<i64>,
    address_line1: String,
    town: String,
    postcode: String,
}

impl RequestRow {
    fn state(&self) -> RequestState {
        RequestState::of(
            self.accepted_quote_id.is_some(),
            self.withdrawn_at.is_some(),
        )
    }

    fn address(&self) -> String {
        format!("{}, {} {}", self.address_line1, self.town, self.postcode)
    }
}

const SELECT_REQUEST: &str = "SELECT r.id, r.reference, r.property_id, r.title, r.description, \
     r.due_date, r.priority, r.work_kind_id, k.name AS work_kind, u.name AS requested_by, \
     r.created_at, r.accepted_quote_id, r.task_id, t.reference AS task_reference, r.withdrawn_at, \
     p.address_line1, p.town, p.postcode \
     FROM quote_requests r JOIN properties p ON p.id = r.property_id \
     LEFT JOIN work_kinds k ON k.id = r.work_kind_id LEFT JOIN users u ON u.id = r.requested_by \
     LEFT JOIN tasks t ON t.id = r.task_id";

async fn request_row(db: &Db, agency_id: i64, request_id: i64) -> Result<RequestRow, ServiceError> {
    sqlx::query_as(&format!(
        "{SELECT_REQUEST} WHERE r.id = $1 AND r.agency_id = $2"
    ))
    .bind(request_id)
    .bind(agency_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(ServiceError::NotFound("request for quotes"))
}

#[derive(FromRow)]
struct QuoteRow {
    id: i64,
    request_id: i64,
    contractor_id: i64,
    company_name: String,
    status: String,
    amount_pence: Option<i64>,
    note: Option<String>,
    storage_key: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
    size_bytes: Option<i64>,
    answered_at: Option<i64>,
}

impl QuoteRow {
    fn status(&self) -> QuoteStatus {
        QuoteStatus::parse(&self.status).unwrap_or(QuoteStatus::Requested)
    }
}

const SELECT_QUOTE: &str = "SELECT q.id, q.request_id, q.contractor_id, c.company_name, q.status, \
     q.amount_pence, q.note, q.storage_key, q.file_name, q.content_type, q.size_bytes, \
     q.answered_at FROM quotes q JOIN contractors c ON c.id = q.contractor_id";

/// A quote of the actor's agency; for a contractor's office, only its own; technicians have none.
async fn visible_quote(db: &Db, actor: &Actor, quote_id: i64) -> Result<QuoteRow, ServiceError> {
    if actor.kind == UserKind::Technician {
        return Err(ServiceError::Forbidden("technicians have no quotes"));
    }
    let quote: QuoteRow = sqlx::query_as(&format!(
        "{SELECT_QUOTE} WHERE q.id = $1 AND q.agency_id = $2"
    ))
    .bind(quote_id)
    .bind(actor.agency_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(ServiceError::NotFound("quote"))?;
    if actor.kind == UserKind::Contractor && actor.contractor_id != Some(quote.contractor_id) {
        return Err(ServiceError::NotFound("quote"));
    }
    Ok(quote)
}

/// A request with every contractor's answer, for the agent to compare.
pub async fn request_detail(
    cx: &Context,
    actor: &Actor,
    request_id: i64,
    now: i64,
) -> Result<QuoteRequestDetail, ServiceError> {
    actor.require_agent()?;
    let request = request_row(&cx.db, actor.agency_id, request_id).await?;
    let rows: Vec<QuoteRow> = sqlx::query_as(&format!(
        "{SELECT_QUOTE} WHERE q.request_id = $1 ORDER BY q.amount_pence IS NULL, q.amount_pence, \
         lower(c.company_name)"
    ))
    .bind(request_id)
    .fetch_all(cx.db.pool())
    .await?;
    let lights = contractor_lights(cx, actor, now).await?;
    let when = actor.instant_format();
    let quotes = rows
        .into_iter()
        .map(|q| {
            let standing = lights.iter().find(|c| c.id == q.contractor_id);
            QuoteLine {
                id: q.id,
                contractor_id: q.contractor_id,
                status: q.status(),
                company_name: q.company_name,
                light: standing.map_or(TrafficLight::Red, |c| c.light),
                suspended: standing.is_some_and(|c| c.suspended),
                amount_pence: q.amount_pence,
                note: q.note,
                document: q.file_name,
                answered: q.answered_at.map(&when),
            }
        })
        .collect();
    Ok(QuoteRequestDetail {
        id: request.id,
        reference: request.reference.clone(),
        title: request.title.clone(),
        description: request.description.clone(),
        address: request.address(),
        due_date: request.due_date.as_deref().and_then(from_storage),
        priority: request.priority.clone(),
        work_kind: request.work_kind.clone(),
        requested_by: request.requested_by.clone(),
        requested: when(request.created_at),
        state: request.state(),
        task: request.task_id.zip(request.task_reference),
        quotes,
        can_accept: actor.permissions.allows(Permission::InstructWork),
        can_override: actor.permissions.allows(Permission::OverrideCompliance),
    })
}

/// The requests for quotes sent to this office's company: open ones first, newest first.
pub async fn desk_quotes(cx: &Context, actor: &Actor) -> Result<Vec<DeskQuote>, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let rows: Vec<QuoteRow> = sqlx::query_as(&format!(
        "{SELECT_QUOTE} WHERE q.contractor_id = $1 AND q.agency_id = $2 \
         ORDER BY q.request_id DESC LIMIT 200"
    ))
    .bind(contractor_id)
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    // The requests behind them, read at once rather than one query per quote.
    let requests: std::collections::HashMap<i64, RequestRow> =
        sqlx::query_as::<_, RequestRow>(&format!(
            "{SELECT_REQUEST} WHERE r.agency_id = $1 \
             AND r.id IN (SELECT request_id FROM quotes WHERE contractor_id = $2)"
        ))
        .bind(actor.agency_id)
        .bind(contractor_id)
        .fetch_all(cx.db.pool())
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let when = actor.instant_format();
    let mut quotes = Vec::with_capacity(rows.len());
    for q in rows {
        let Some(request) = requests.get(&q.request_id) else {
            continue;
        };
        let status = q.status();
        quotes.push(DeskQuote {
            id: q.id,
            reference: request.reference.clone(),
            title: request.title.clone(),
            description: request.description.clone(),
            address: request.address(),
            due_date: request.due_date.as_deref().and_then(from_storage),
            priority: request.priority.clone(),
            requested: when(request.created_at),
            state: request.state(),
            status,
            amount_pence: q.amount_pence,
            note: q.note,
            document: q.file_name,
            task_id: request.task_id.filter(|_| status == QuoteStatus::Accepted),
        });
    }
    // Those still waiting for this office come first.
    quotes.sort_by_key(|q| !q.answerable());
    Ok(quotes)
}

/// Requests still waiting for this office's answer, for the count beside "Quotes".
pub async fn to_answer(cx: &Context, actor: &Actor) -> Result<u32, ServiceError> {
    let contractor_id = actor.require_contractor_office()?;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM quotes q JOIN quote_requests r ON r.id = q.request_id \
         WHERE q.contractor_id = $1 AND q.agency_id = $2 AND q.status = 'requested' \
         AND r.accepted_quote_id IS NULL AND r.withdrawn_at IS NULL",
    )
    .bind(contractor_id)
    .bind(actor.agency_id)
    .fetch_one(cx.db.pool())
    .await?;
    Ok(n as u32)
}

/// The agent who asked, or if they have gone, the agency's people who may instruct works.
async fn agency_recipients(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    request_id: i64,
) -> Result<Vec<String>, ServiceError> {
    let requester: Option<String> = sqlx::query_scalar(
        "SELECT u.email FROM quote_requests r JOIN users u ON u.id = r.requested_by \
         WHERE r.id = $1 AND u.active = 1",
    )
    .bind(request_id)
    .fetch_optional(&mut *conn)
    .await?;
    match requester {
        Some(email) => Ok(vec![email]),
        None => super::tasks::work::instructing_agents(conn, agency_id).await,
    }
}

/// The office gives (or revises) its price while the request is open. The document, if any, is
/// stored first and removed again if the answer is not recorded; a replaced document is removed
/// once the new answer is in.
pub async fn answer(
    cx: &Context,
    actor: &Actor,
    quote_id: i64,
    answer: QuoteAnswer,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require_contractor_office()?;
    let quote = visible_quote(&cx.db, actor, quote_id).await?;
    let request = request_row(&cx.db, actor.agency_id, quote.request_id).await?;
    if let Some(why) = answer_refusal(request.state(), quote.status()) {
        return Err(ServiceError::Refused(why.into()));
    }
    let amount =
        parse_amount(&answer.amount).map_err(|e| ServiceError::invalid("amount", e.to_string()))?;
    let note = text(answer.note.as_deref());
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(ServiceError::invalid(
            "note",
            "Keep the note under 2,000 characters.",
        ));
    }
    let document = answer
        .document
        .filter(|d| !d.bytes.is_empty() || !d.file_name.is_empty())
        .map(|d| super::tasks::work::check_file(DocumentKind::Quote, d))
        .transpose()?;
    let mut staged = Staged::new(&cx.files);
    let stored = match &document {
        Some(file) => Some(
            staged
                .put("quotes", actor.agency_id, file.extension, &file.bytes)
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
        ),
        None => None,
    };
    let recorded = record_answer(
        cx,
        actor,
        &quote,
        &request,
        Some(amount),
        note,
        document.as_ref().zip(stored.as_deref()),
        now,
    )
    .await;
    staged.settle(recorded).await?;
    if let (Some(_), Some(old)) = (&stored, &quote.storage_key) {
        cx.files.delete_unused(old).await;
    }
    publish(&cx.db, actor.agency_id, &[quote.contractor_id]).await;
    Ok(())
}

/// The office declines to quote while the request is open.
pub async fn decline(
    cx: &Context,
    actor: &Actor,
    quote_id: i64,
    note: Option<&str>,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require_contractor_office()?;
    let quote = visible_quote(&cx.db, actor, quote_id).await?;
    let request = request_row(&cx.db, actor.agency_id, quote.request_id).await?;
    if let Some(why) = answer_refusal(request.state(), quote.status()) {
        return Err(ServiceError::Refused(why.into()));
    }
    let note = text(note);
    if note.is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(ServiceError::invalid(
            "note",
            "Keep the note under 2,000 characters.",
        ));
    }
    record_answer(cx, actor, &quote, &request, None, note, None, now).await?;
    // A decline keeps no document: an earlier quote's file goes once the decline is in.
    if let Some(old) = &quote.storage_key {
        cx.files.delete_unused(old).await;
    }
    publish(&cx.db, actor.agency_id, &[quote.contractor_id]).await;
    Ok(())
}

/// Writes a quote's answer (`amount` none: declined) if the request is still open when the write
/// lands, and tells the agent who asked.
#[allow(clippy::too_many_arguments)]
async fn record_answer(
    cx: &Context,
    actor: &Actor,
    quote: &QuoteRow,
    request: &RequestRow,
    amount: Option<i64>,
    note: Option<&str>,
    document: Option<(&super::tasks::work::CheckedFile, &str)>,
    now: i64,
) -> Result<(), ServiceError> {
    let mut tx = cx.db.begin_write().await?;
    let (status, key, name, content_type, size) = match (amount, document) {
        (None, _) => (QuoteStatus::Declined, None, None, None, None),
        (Some(_), Some((file, key))) => (
            QuoteStatus::Quoted,
            Some(key.to_string()),
            Some(file.name.clone()),
            Some(file.content_type.to_string()),
            Some(file.bytes.len() as i64),
        ),
        // A revised price without a new document keeps the one sent before.
        (Some(_), None) => (
            QuoteStatus::Quoted,
            quote.storage_key.clone(),
            quote.file_name.clone(),
            quote.content_type.clone(),
            quote.size_bytes,
        ),
    };
    // Only while the request is open and nobody has chosen: a quote accepted meanwhile stays so.
    let written = sqlx::query(
        "UPDATE quotes SET status = $1, amount_pence = $2, note = $3, storage_key = $4, \
         file_name = $5, content_type = $6, size_bytes = $7, answered_by = $8, answered_at = $9 \
         WHERE id = $10 AND status IN ('requested', 'quoted', 'declined') \
         AND EXISTS (SELECT 1 FROM quote_requests r WHERE r.id = quotes.request_id \
           AND r.accepted_quote_id IS NULL AND r.withdrawn_at IS NULL)",
    )
    .bind(status.as_str())
    .bind(amount)
    .bind(note)
    .bind(key)
    .bind(name)
    .bind(content_type)
    .bind(size)
    .bind(actor.user_id)
    .bind(now)
    .bind(quote.id)
    .execute(&mut *tx)
    .await?;
    if written.rows_affected() == 0 {
        return Err(ServiceError::Refused(
            "The agency has already closed this request for quotes.".into(),
        ));
    }
    let shown = amount.map(format_amount);
    let email = super::mail::quote_answered(
        &quote.company_name,
        &request.reference,
        &request.title,
        shown.as_deref(),
        &request_url(&cx.public_url, request.id),
    );
    for to in agency_recipients(&mut tx, actor.agency_id, request.id).await? {
        let key = format!("quote-answered:{}:{now}:{to}", quote.id);
        super::mail::enqueue(&mut tx, Some(actor.agency_id), &to, &email, Some(&key), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The agent accepts a quote: the works are instructed to that contractor (the compliance rule
/// applies as when instructing, and may be overridden with a reason), the quote's document goes
/// with the task, and the other contractors hear they were not chosen. One transaction, claimed
/// first, so two acceptances of one request never make two tasks.
pub async fn accept(
    cx: &Context,
    actor: &Actor,
    quote_id: i64,
    override_reason: Option<&str>,
    now: i64,
) -> Result<InstructOutcome, ServiceError> {
    actor.require(Permission::InstructWork)?;
    let quote = visible_quote(&cx.db, actor, quote_id).await?;
    let request = request_row(&cx.db, actor.agency_id, quote.request_id).await?;
    if let Some(why) = accept_refusal(request.state(), quote.status()) {
        return Err(ServiceError::Refused(why.into()));
    }
    let amount = quote.amount_pence.map(format_amount).unwrap_or_default();
    let description = [
        request.description.clone(),
        Some(format!("Quote accepted: {amount} ({}).", request.reference)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n\n");
    let task = NewTask {
        property_id: request.property_id,
        contractor_id: quote.contractor_id,
        title: request.title.clone(),
        description: Some(description),
        due_date: request.due_date.as_deref().and_then(from_storage),
        priority: request.priority.clone(),
        purchase_order: None,
        override_reason: override_reason.map(str::to_string),
        service_tasks: Vec::new(),
        required_type_ids: Vec::new(),
        work_kind_id: request.work_kind_id,
    };
    let prepared = prepare_instruction(&cx.db, actor, task, now).await?;
    let mut tx = cx.db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE quote_requests SET accepted_quote_id = $1 \
         WHERE id = $2 AND accepted_quote_id IS NULL AND withdrawn_at IS NULL",
    )
    .bind(quote.id)
    .bind(request.id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(ServiceError::Refused(
            "A quote for this request was already accepted, or the request was withdrawn.".into(),
        ));
    }
    let instructed = match write_instruction(cx, &mut tx, actor, &prepared, now).await? {
        Written::Task(instructed) => instructed,
        Written::Blocked {
            problems,
            can_override,
        } => {
            drop(tx);
            return blocked_outcome(cx, actor, &prepared, problems, can_override, now).await;
        }
    };
    sqlx::query("UPDATE quote_requests SET task_id = $1 WHERE id = $2")
        .bind(instructed.task_id)
        .bind(request.id)
        .execute(&mut *tx)
        .await?;
    // Still quoted when claimed: a revision cannot land between the claim and this update,
    // because answers only write while the request is unclaimed.
    sqlx::query("UPDATE quotes SET status = 'accepted' WHERE id = $1")
        .bind(quote.id)
        .execute(&mut *tx)
        .await?;
    if let (Some(key), Some(name), Some(content_type), Some(size)) = (
        &quote.storage_key,
        &quote.file_name,
        &quote.content_type,
        quote.size_bytes,
    ) {
        sqlx::query(
            "INSERT INTO task_documents (agency_id, task_id, kind, storage_key, file_name, \
             content_type, size_bytes, uploaded_by, uploaded_at) \
             VALUES ($1, $2, 'quote', $3, $4, $5, $6, $7, $8)",
        )
        .bind(actor.agency_id)
        .bind(instructed.task_id)
        .bind(key)
        .bind(name)
        .bind(content_type)
        .bind(size)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let others = close_others(
        &mut tx,
        actor,
        &request,
        Some(quote.id),
        desk_url(&cx.public_url),
        now,
    )
    .await?;
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "quote_accepted",
        quote.contractor_id,
        &format!("{}: {amount}, {}", request.reference, instructed.reference),
        now,
    )
    .await?;
    tx.commit().await?;
    instructed.publish(&cx.db, actor).await;
    let mut told = others;
    told.push(quote.contractor_id);
    publish(&cx.db, actor.agency_id, &told).await;
    Ok(instructed.outcome())
}

/// Marks every other quote still open as not chosen and tells those contractors; returns them.
async fn close_others(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    request: &RequestRow,
    chosen: Option<i64>,
    url: String,
    now: i64,
) -> Result<Vec<i64>, ServiceError> {
    let others: Vec<i64> = sqlx::query_scalar(
        "SELECT contractor_id FROM quotes WHERE request_id = $1 AND id <> $2 \
         AND status IN ('requested', 'quoted') ORDER BY id",
    )
    .bind(request.id)
    .bind(chosen.unwrap_or(0))
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE quotes SET status = 'not_chosen' WHERE request_id = $1 AND id <> $2 \
         AND status IN ('requested', 'quoted')",
    )
    .bind(request.id)
    .bind(chosen.unwrap_or(0))
    .execute(&mut *tx)
    .await?;
    let email = super::mail::quote_closed(
        &actor.agency_name,
        &request.reference,
        &request.title,
        chosen.is_none(),
        &url,
    );
    for contractor_id in &others {
        for to in super::compliance::contractor_recipients(&mut *tx, *contractor_id).await? {
            let key = format!("quote-closed:{}:{contractor_id}:{to}", request.id);
            super::mail::enqueue(
                &mut *tx,
                Some(actor.agency_id),
                &to,
                &email,
                Some(&key),
                now,
            )
            .await?;
        }
    }
    Ok(others)
}

/// The agent withdraws an open request; the contractors still asked hear of it.
pub async fn withdraw(
    cx: &Context,
    actor: &Actor,
    request_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::InstructWork)?;
    let request = request_row(&cx.db, actor.agency_id, request_id).await?;
    let mut tx = cx.db.begin_write().await?;
    let closed = sqlx::query(
        "UPDATE quote_requests SET withdrawn_at = $1 \
         WHERE id = $2 AND accepted_quote_id IS NULL AND withdrawn_at IS NULL",
    )
    .bind(now)
    .bind(request.id)
    .execute(&mut *tx)
    .await?;
    if closed.rows_affected() == 0 {
        return Err(ServiceError::Refused(
            "This request is already closed: a quote was accepted or it was withdrawn.".into(),
        ));
    }
    let told = close_others(
        &mut tx,
        actor,
        &request,
        None,
        desk_url(&cx.public_url),
        now,
    )
    .await?;
    tx.commit().await?;
    publish(&cx.db, actor.agency_id, &told).await;
    Ok(())
}

/// A quote's document, for the agency and the office that sent it.
pub async fn quote_document(
    cx: &Context,
    actor: &Actor,
    quote_id: i64,
) -> Result<crate::files::StoredFile, ServiceError> {
    let quote = visible_quote(&cx.db, actor, quote_id).await?;
    let (Some(key), Some(name), Some(content_type)) =
        (quote.storage_key, quote.file_name, quote.content_type)
    else {
        return Err(ServiceError::NotFound("document"));
    };
    let bytes = cx.files.read(&key).await.map_err(|e| {
        tracing::error!("quote {quote_id}: stored file unreadable: {e}");
        ServiceError::NotFound("file")
    })?;
    Ok(crate::files::StoredFile {
        name,
        content_type,
        bytes,
    })
}
