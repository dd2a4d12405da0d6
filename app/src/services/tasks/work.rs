//! The work on one task between the agency and the contractor's office: messages (each emails
//! the other side), the client's documents, and completing the task with the contractor's
//! reports, invoices and quotes and the actual on-site date.

use super::access::{check_step, publish_task_change, record_step, TaskAccess, TaskChanges};
use crate::db::Db;
use crate::domain::files::{check_upload, safe_file_name, MAX_CERTIFICATE_BYTES};
use crate::domain::identity::Permission;
use crate::domain::records::{MessageEntry, TaskDocumentEntry};
use crate::domain::task_status::{TaskAction, TaskRole, TaskStatus};
use crate::domain::task_work::{check_message, check_on_site_date, DocumentKind};
use crate::domain::webhooks::EventType;
use crate::events::Topic;
use crate::files::Staged;
use crate::services::auth::Actor;
use crate::services::compliance::{contractor_recipients, Upload};
use crate::services::webhooks::{self, Event};
use crate::services::Context;
use crate::services::{mail, ServiceError};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{AnyConnection, FromRow};

/// Where a task opens for each side, for links in emails.
pub fn task_url(public_url: &str, role: TaskRole, task_id: i64) -> String {
    let view = match role {
        TaskRole::Agent => "agent",
        TaskRole::Office => "desk",
        TaskRole::Technician => "tech",
    };
    format!(
        "{}/{view}/tasks/{task_id}",
        public_url.trim_end_matches('/')
    )
}

/// The agency's people to tell about a task: whoever instructed it, or if they have gone, every
/// active agent of the agency allowed to instruct work.
async fn agency_recipients(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    task_id: i64,
) -> Result<Vec<String>, ServiceError> {
    let instructor: Option<String> = sqlx::query_scalar(
        "SELECT u.email FROM tasks t JOIN users u ON u.id = t.instructed_by \
         WHERE t.id = $1 AND u.active = 1",
    )
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await?;
    match instructor {
        Some(email) => Ok(vec![email]),
        None => instructing_agents(conn, agency_id).await,
    }
}

/// Every active agent of the agency allowed to instruct work: who hears of work when the agent
/// who started it has gone.
pub(crate) async fn instructing_agents(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
) -> Result<Vec<String>, ServiceError> {
    Ok(sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN roles r ON r.id = u.role_id \
         WHERE u.agency_id = $1 AND u.kind = 'agent' AND u.active = 1 \
         AND r.can_instruct_work = 1 ORDER BY u.id",
    )
    .bind(agency_id)
    .fetch_all(&mut *conn)
    .await?)
}

#[derive(FromRow)]
struct TaskHead {
    reference: String,
    title: String,
    company_name: Option<String>,
}

async fn task_head(conn: &mut sqlx::AnyConnection, task_id: i64) -> Result<TaskHead, ServiceError> {
    Ok(sqlx::query_as(
        "SELECT t.reference, t.title, c.company_name FROM tasks t \
         LEFT JOIN contractors c ON c.id = t.contractor_id WHERE t.id = $1",
    )
    .bind(task_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// A message in the task's chat, from the agency (agents allowed to instruct work) or from the
/// contractor's office; technicians read the task but the chat is between the two companies.
/// The other side is emailed in the same transaction (outbox), and open pages update live.
pub async fn post_message(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    body: &str,
    now: i64,
) -> Result<i64, ServiceError> {
    let TaskAccess {
        contractor_id,
        role,
        ..
    } = TaskAccess::load(&cx.db, actor, task_id).await?;
    match role {
        TaskRole::Agent => actor.require(Permission::InstructWork)?,
        TaskRole::Office => {}
        TaskRole::Technician => {
            return Err(ServiceError::Forbidden(
                "messages are between the agency and the contractor's office",
            ))
        }
    }
    let body = check_message(body).map_err(|e| ServiceError::invalid("body", e.to_string()))?;
    let mut tx = cx.db.begin_write().await?;
    let message_id: i64 = sqlx::query_scalar(
        "INSERT INTO task_messages (agency_id, task_id, author_user_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(task_id)
    .bind(actor.user_id)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let head = task_head(&mut tx, task_id).await?;
    let (recipients, their_role, sender) = match role {
        TaskRole::Agent => match contractor_id {
            Some(id) => (
                contractor_recipients(&mut tx, id).await?,
                TaskRole::Office,
                actor.agency_name.clone(),
            ),
            None => (Vec::new(), TaskRole::Office, actor.agency_name.clone()),
        },
        _ => (
            agency_recipients(&mut tx, actor.agency_id, task_id).await?,
            TaskRole::Agent,
            actor
                .company_name
                .clone()
                .or(head.company_name.clone())
                .unwrap_or_else(|| actor.name.clone()),
        ),
    };
    let email = mail::task_message(
        &sender,
        &actor.name,
        &head.reference,
        &head.title,
        body,
        &task_url(&cx.public_url, their_role, task_id),
    );
    for to in recipients {
        let key = format!("task-message:{message_id}:{to}");
        mail::enqueue(&mut tx, Some(actor.agency_id), &to, &email, Some(&key), now).await?;
    }
    let event = Event::new(
        EventType::TaskMessagePosted,
        json!({
            "task_id": task_id,
            "reference": head.reference,
            "message_id": message_id,
            "author": actor.name,
            "from": if role == TaskRole::Agent { "agency" } else { "contractor" },
            "body": body,
        }),
    );
    webhooks::emit(&mut tx, actor.agency_id, &event, now).await?;
    tx.commit().await?;
    publish_task_change(
        &cx.db,
        actor.agency_id,
        contractor_id,
        task_id,
        Topic::Message,
    )
    .await;
    Ok(message_id)
}

/// The task's chat as this actor may read it: agents of the agency, the contractor's office and
/// the assigned technicians.
pub async fn task_messages(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
) -> Result<Vec<MessageEntry>, ServiceError> {
    TaskAccess::load(&cx.db, actor, task_id).await?;
    let when = actor.instant_format();
    messages(&cx.db, actor, task_id, &when).await
}

#[derive(FromRow)]
struct MessageRow {
    id: i64,
    author_user_id: i64,
    author_name: String,
    author_kind: String,
    body: String,
    created_at: i64,
}

/// The task's chat, oldest first, with who wrote each message and from which side.
async fn messages(
    db: &Db,
    actor: &Actor,
    task_id: i64,
    when: &impl Fn(i64) -> String,
) -> Result<Vec<MessageEntry>, ServiceError> {
    let rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT m.id, m.author_user_id, u.name AS author_name, u.kind AS author_kind, m.body, \
         m.created_at \
         FROM task_messages m JOIN users u ON u.id = m.author_user_id \
         WHERE m.task_id = $1 AND m.agency_id = $2 ORDER BY m.id",
    )
    .bind(task_id)
    .bind(actor.agency_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|m| MessageEntry {
            id: m.id,
            when: when(m.created_at),
            who: m.author_name,
            from_agency: m.author_kind == "agent",
            mine: m.author_user_id == actor.user_id,
            body: m.body,
        })
        .collect())
}

/// The task's documents: the client's first, then the contractor's, each in upload order.
pub(crate) async fn documents(
    conn: &mut AnyConnection,
    actor: &Actor,
    task_id: i64,
    when: &impl Fn(i64) -> String,
) -> Result<Vec<TaskDocumentEntry>, ServiceError> {
    #[derive(FromRow)]
    struct DocumentRow {
        id: i64,
        kind: String,
        file_name: String,
        uploaded_at: i64,
        uploader: Option<String>,
    }
    let rows: Vec<DocumentRow> = sqlx::query_as(
        "SELECT d.id, d.kind, d.file_name, d.uploaded_at, u.name AS uploader FROM task_documents d \
         LEFT JOIN users u ON u.id = d.uploaded_by \
         WHERE d.task_id = $1 AND d.agency_id = $2 ORDER BY d.id",
    )
    .bind(task_id)
    .bind(actor.agency_id)
    .fetch_all(conn)
    .await?;
    let mut entries: Vec<TaskDocumentEntry> = rows
        .into_iter()
        .filter_map(|d| {
            Some(TaskDocumentEntry {
                id: d.id,
                kind: DocumentKind::parse(&d.kind)?,
                file_name: d.file_name,
                when: when(d.uploaded_at),
                who: d.uploader.unwrap_or_else(|| "Certidesk".into()),
            })
        })
        .collect();
    entries.sort_by_key(|d| d.kind != DocumentKind::Client);
    Ok(entries)
}

/// A file checked by content and size, for a task document of `kind`.
/// A task file (or a quote's document) checked by its content and size, named safely.
pub(crate) struct CheckedFile {
    pub(crate) kind: DocumentKind,
    pub(crate) name: String,
    pub(crate) content_type: &'static str,
    pub(crate) extension: &'static str,
    pub(crate) bytes: Vec<u8>,
}

pub(crate) fn check_file(kind: DocumentKind, upload: Upload) -> Result<CheckedFile, ServiceError> {
    let checked = check_upload(
        &upload.file_name,
        upload.bytes.len() as u64,
        &upload.bytes[..upload.bytes.len().min(16)],
        MAX_CERTIFICATE_BYTES,
    )
    .map_err(|problem| {
        ServiceError::invalid(
            kind.as_str(),
            format!("{}: {problem}", safe_file_name(&upload.file_name, None)),
        )
    })?;
    Ok(CheckedFile {
        kind,
        name: safe_file_name(&upload.file_name, Some(checked)),
        content_type: checked.content_type(),
        extension: checked.extension(),
        bytes: upload.bytes,
    })
}

/// Stores the files, then records them with `record` in one transaction; if anything fails the
/// stored files are removed again, so neither a row without its file nor a stray file remains.
/// What completing a task writes with its files: the step, and the email that tells the agency.
struct Completion<'a> {
    step: &'a super::access::Step,
    changes: TaskChanges,
}

async fn store_and_record(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    checked: Vec<CheckedFile>,
    completion: Option<Completion<'_>>,
    now: i64,
) -> Result<(), ServiceError> {
    let mut staged = Staged::new(&cx.files);
    let mut stored = Vec::with_capacity(checked.len());
    for file in &checked {
        let key = staged
            .put("tasks", actor.agency_id, file.extension, &file.bytes)
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        stored.push(key);
    }
    let recorded = async {
        let mut tx = cx.db.begin_write().await?;
        if let Some(completion) = &completion {
            record_step(&mut tx, actor, completion.step, completion.changes, now).await?;
        }
        for (file, key) in checked.iter().zip(&stored) {
            sqlx::query(
                "INSERT INTO task_documents (agency_id, task_id, kind, storage_key, file_name, \
                 content_type, size_bytes, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(actor.agency_id)
            .bind(task_id)
            .bind(file.kind.as_str())
            .bind(key)
            .bind(&file.name)
            .bind(file.content_type)
            .bind(file.bytes.len() as i64)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        // The email is written with the status change, or neither is: a crash between two
        // transactions would leave a performed task its agency never hears of.
        if completion.is_some() {
            tell_agency_of_performance(&mut tx, actor, task_id, &cx.public_url, now).await?;
        }
        tx.commit().await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    staged.settle(recorded).await
}

/// An agent adds a document for the contractor ("Documents provided by client").
pub async fn add_client_document(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    upload: Upload,
    now: i64,
) -> Result<(), ServiceError> {
    let TaskAccess {
        contractor_id,
        archived,
        role,
        ..
    } = TaskAccess::load(&cx.db, actor, task_id).await?;
    if role != TaskRole::Agent {
        return Err(ServiceError::Forbidden(
            "only the agency adds the client's documents",
        ));
    }
    actor.require(Permission::InstructWork)?;
    if archived {
        return Err(ServiceError::Refused(
            "Archived tasks can be read but not changed.".into(),
        ));
    }
    let file = check_file(DocumentKind::Client, upload)?;
    store_and_record(cx, actor, task_id, vec![file], None, now).await?;
    publish_task_change(&cx.db, actor.agency_id, contractor_id, task_id, Topic::Task).await;
    Ok(())
}

/// "Complete task": the contractor's office gives the actual on-site date and its reports,
/// invoices and quotes; the task becomes Performed for the agency to process, and whoever
/// instructed it is emailed. Files, status and timeline land together or not at all.
#[allow(clippy::too_many_arguments)]
pub async fn complete(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    on_site_date: Option<NaiveDate>,
    uploads: Vec<(DocumentKind, Upload)>,
    now: i64,
) -> Result<TaskStatus, ServiceError> {
    let step = check_step(&cx.db, actor, task_id, TaskAction::Complete, None).await?;
    let today = actor.today(now);
    let on_site = check_on_site_date(on_site_date, today)
        .map_err(|e| ServiceError::invalid("on_site_date", e.to_string()))?;
    let mut checked = Vec::with_capacity(uploads.len());
    for (kind, upload) in uploads {
        if !DocumentKind::COMPLETION.contains(&kind) {
            return Err(ServiceError::invalid(
                "file",
                "Completing takes reports, invoices and quotes.",
            ));
        }
        checked.push(check_file(kind, upload)?);
    }
    let changes = TaskChanges {
        on_site_date: Some(on_site),
        ..TaskChanges::default()
    };
    let completion = Completion {
        step: &step,
        changes,
    };
    store_and_record(cx, actor, task_id, checked, Some(completion), now).await?;
    publish_task_change(
        &cx.db,
        actor.agency_id,
        step.contractor_id,
        task_id,
        Topic::Task,
    )
    .await;
    Ok(step.to)
}

/// In the rejecting transaction: whoever instructed the task hears of it, with the reason.
pub(crate) async fn tell_agency_of_rejection(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    step: &super::access::Step,
    public_url: &str,
    now: i64,
) -> Result<(), ServiceError> {
    let head = task_head(&mut *tx, step.task_id).await?;
    let company = actor
        .company_name
        .clone()
        .or(head.company_name)
        .unwrap_or_else(|| "The contractor".into());
    let email = mail::task_rejected(
        &company,
        &head.reference,
        &head.title,
        step.reason.as_deref().unwrap_or(""),
        &task_url(public_url, TaskRole::Agent, step.task_id),
    );
    for to in agency_recipients(&mut *tx, actor.agency_id, step.task_id).await? {
        let key = format!("task-rejected:{}:{now}:{to}", step.task_id);
        mail::enqueue(
            &mut *tx,
            Some(actor.agency_id),
            &to,
            &email,
            Some(&key),
            now,
        )
        .await?;
    }
    Ok(())
}

/// In the completing transaction: whoever instructed the task hears it was performed.
async fn tell_agency_of_performance(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    task_id: i64,
    public_url: &str,
    now: i64,
) -> Result<(), ServiceError> {
    let head = task_head(&mut *tx, task_id).await?;
    let company = head.company_name.unwrap_or_else(|| "The contractor".into());
    let email = mail::task_performed(
        &company,
        &head.reference,
        &head.title,
        &task_url(public_url, TaskRole::Agent, task_id),
    );
    for to in agency_recipients(&mut *tx, actor.agency_id, task_id).await? {
        let key = format!("task-performed:{task_id}:{now}:{to}");
        mail::enqueue(
            &mut *tx,
            Some(actor.agency_id),
            &to,
            &email,
            Some(&key),
            now,
        )
        .await?;
    }
    Ok(())
}

/// A task document's file, for whoever may see the task (agents of the agency, the office, the
/// assigned technicians); for anyone else it does not exist.
pub async fn document_file(
    cx: &Context,
    actor: &Actor,
    document_id: i64,
) -> Result<crate::files::StoredFile, ServiceError> {
    #[derive(FromRow)]
    struct FileRow {
        task_id: i64,
        storage_key: String,
        file_name: String,
        content_type: String,
    }
    let row: FileRow = sqlx::query_as(
        "SELECT task_id, storage_key, file_name, content_type FROM task_documents \
         WHERE id = $1 AND agency_id = $2",
    )
    .bind(document_id)
    .bind(actor.agency_id)
    .fetch_optional(cx.db.pool())
    .await?
    .ok_or(ServiceError::NotFound("document"))?;
    TaskAccess::load_for(&cx.db, actor, row.task_id, "document").await?;
    let bytes = cx.files.read(&row.storage_key).await.map_err(|e| {
        tracing::error!("task document {document_id}: stored file unreadable: {e}");
        ServiceError::NotFound("file")
    })?;
    Ok(crate::files::StoredFile {
        name: row.file_name,
        content_type: row.content_type,
        bytes,
    })
}
