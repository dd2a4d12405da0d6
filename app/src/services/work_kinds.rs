//! Kinds of work (requirement profiles): the agency names a kind of work and the certificate
//! types it needs, gives kinds to contractors, and names a task's kind when instructing, so the
//! compliance check judges the certificates that work needs. Giving a contractor a kind (or adding
//! a type to a kind contractors have) requests the types they were not yet asked for, with the
//! usual email, in the same transaction.

use super::auth::Actor;
use super::compliance::{
    bump_certification_version, require_certificate_in, visible_contractor, Changed, Request,
};
use super::ServiceError;
use crate::db::{audit, Db};
use crate::domain::identity::{Permission, UserKind};
use crate::domain::records::{WorkKindChoice, WorkKindRow};
use crate::domain::work_kinds::kind_name;
use crate::events::{Change, Topic};
use crate::services::Context;
use sqlx::FromRow;

#[derive(FromRow)]
struct KindRow {
    id: i64,
    name: String,
    contractors: i64,
    tasks: i64,
}

#[derive(FromRow)]
struct KindType {
    work_kind_id: i64,
    certificate_type_id: i64,
    name: String,
}

/// The agency's kinds of work with their certificate types, by name.
pub async fn list(cx: &Context, actor: &Actor) -> Result<Vec<WorkKindRow>, ServiceError> {
    actor.require_agent()?;
    let kinds: Vec<KindRow> = sqlx::query_as(
        "SELECT k.id, k.name, \
         (SELECT COUNT(*) FROM contractor_work_kinds c WHERE c.work_kind_id = k.id) AS contractors, \
         (SELECT COUNT(*) FROM tasks t WHERE t.work_kind_id = k.id) AS tasks \
         FROM work_kinds k WHERE k.agency_id = $1 ORDER BY lower(k.name), k.id",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    let types: Vec<KindType> = sqlx::query_as(
        "SELECT w.work_kind_id, t.id AS certificate_type_id, t.name FROM work_kind_types w \
         JOIN certificate_types t ON t.id = w.certificate_type_id \
         WHERE t.agency_id = $1 ORDER BY lower(t.name), t.id",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    Ok(kinds
        .into_iter()
        .map(|k| WorkKindRow {
            id: k.id,
            types: types
                .iter()
                .filter(|t| t.work_kind_id == k.id)
                .map(|t| (t.certificate_type_id, t.name.clone()))
                .collect(),
            name: k.name,
            contractors: k.contractors,
            tasks: k.tasks,
        })
        .collect())
}

/// The certificate types of one of the agency's kinds of work, by name; `Invalid` on the
/// `work_kind` field for a kind that is not the agency's (another tenant's id included).
pub(super) async fn kind_types(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
    work_kind_id: i64,
) -> Result<Vec<(i64, String)>, ServiceError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM work_kinds WHERE id = $1 AND agency_id = $2")
            .bind(work_kind_id)
            .bind(agency_id)
            .fetch_optional(&mut *conn)
            .await?;
    if found.is_none() {
        return Err(ServiceError::invalid(
            "work_kind",
            "Choose one of the agency's kinds of work.",
        ));
    }
    Ok(sqlx::query_as(
        "SELECT t.id, t.name FROM work_kind_types w \
         JOIN certificate_types t ON t.id = w.certificate_type_id \
         WHERE w.work_kind_id = $1 ORDER BY lower(t.name), t.id",
    )
    .bind(work_kind_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// What an agent saves: a kind's name and the certificate types it needs.
#[derive(Clone, Debug, Default)]
pub struct KindOfWork {
    pub name: String,
    pub certificate_type_ids: Vec<i64>,
}

/// Adds a kind of work (`id` None) or changes one. Contractors who have the kind are asked for
/// any type added to it.
pub async fn save(
    cx: &Context,
    actor: &Actor,
    id: Option<i64>,
    kind: &KindOfWork,
    now: i64,
) -> Result<i64, ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let name = kind_name(&kind.name).map_err(|m| ServiceError::invalid("name", m))?;
    let mut type_ids = kind.certificate_type_ids.clone();
    type_ids.sort_unstable();
    type_ids.dedup();
    if type_ids.is_empty() {
        return Err(ServiceError::invalid(
            "certificate_types",
            "Tick the certificate types this work needs.",
        ));
    }
    let mut tx = cx.db.begin_write().await?;
    let mut types = Vec::new();
    for type_id in &type_ids {
        let name: Option<String> = sqlx::query_scalar(
            "SELECT name FROM certificate_types WHERE id = $1 AND agency_id = $2",
        )
        .bind(type_id)
        .bind(actor.agency_id)
        .fetch_optional(&mut *tx)
        .await?;
        let name = name.ok_or_else(|| {
            ServiceError::invalid(
                "certificate_types",
                "Choose the agency's own certificate types.",
            )
        })?;
        types.push((*type_id, name));
    }
    let clash: Option<String> = sqlx::query_scalar(
        "SELECT name FROM work_kinds WHERE agency_id = $1 AND lower(name) = lower($2) \
         AND id <> $3",
    )
    .bind(actor.agency_id)
    .bind(&name)
    .bind(id.unwrap_or(0))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(clash) = clash {
        return Err(ServiceError::invalid(
            "name",
            format!("\"{clash}\" already exists."),
        ));
    }
    let kind_id = match id {
        None => {
            sqlx::query_scalar(
                "INSERT INTO work_kinds (agency_id, name, created_at) VALUES ($1, $2, $3) \
                 RETURNING id",
            )
            .bind(actor.agency_id)
            .bind(&name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
        }
        Some(id) => {
            let changed: Option<i64> = sqlx::query_scalar(
                "UPDATE work_kinds SET name = $1 WHERE id = $2 AND agency_id = $3 RETURNING id",
            )
            .bind(&name)
            .bind(id)
            .bind(actor.agency_id)
            .fetch_optional(&mut *tx)
            .await?;
            changed.ok_or(ServiceError::NotFound("kind of work"))?
        }
    };
    sqlx::query("DELETE FROM work_kind_types WHERE work_kind_id = $1")
        .bind(kind_id)
        .execute(&mut *tx)
        .await?;
    for (type_id, _) in &types {
        sqlx::query(
            "INSERT INTO work_kind_types (work_kind_id, certificate_type_id) VALUES ($1, $2)",
        )
        .bind(kind_id)
        .bind(type_id)
        .execute(&mut *tx)
        .await?;
    }
    let holders: Vec<i64> = sqlx::query_scalar(
        "SELECT contractor_id FROM contractor_work_kinds WHERE work_kind_id = $1 \
         ORDER BY contractor_id",
    )
    .bind(kind_id)
    .fetch_all(&mut *tx)
    .await?;
    for contractor_id in &holders {
        require_types_in(&mut tx, actor, *contractor_id, &types, &cx.public_url, now).await?;
    }
    let names: Vec<&str> = types.iter().map(|(_, n)| n.as_str()).collect();
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        if id.is_none() {
            "work_kind_created"
        } else {
            "work_kind_changed"
        },
        None,
        &format!("{name}: {}", names.join(", ")),
        now,
    )
    .await?;
    bump_certification_version(&mut tx, actor.agency_id, Changed::Everyone).await?;
    tx.commit().await?;
    publish(&cx.db, actor.agency_id, None).await;
    Ok(kind_id)
}

/// Removes a kind of work no task names (a task's kind is part of its record); contractors
/// simply no longer have it. Their requirements stay.
pub async fn delete(cx: &Context, actor: &Actor, id: i64, now: i64) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let mut tx = cx.db.begin_write().await?;
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM work_kinds WHERE id = $1 AND agency_id = $2")
            .bind(id)
            .bind(actor.agency_id)
            .fetch_optional(&mut *tx)
            .await?;
    let name = name.ok_or(ServiceError::NotFound("kind of work"))?;
    let tasks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE work_kind_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    if tasks > 0 {
        return Err(ServiceError::invalid(
            "work_kind",
            format!(
                "{tasks} task{} of this kind keep{} its name: rename the kind instead.",
                if tasks == 1 { "" } else { "s" },
                if tasks == 1 { "s" } else { "" }
            ),
        ));
    }
    for table in ["contractor_work_kinds", "work_kind_types"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE work_kind_id = $1"))
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM work_kinds WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "work_kind_deleted",
        None,
        &name,
        now,
    )
    .await?;
    bump_certification_version(&mut tx, actor.agency_id, Changed::Everyone).await?;
    tx.commit().await?;
    publish(&cx.db, actor.agency_id, None).await;
    Ok(())
}

/// The kinds of work a contractor has, by id.
pub async fn contractor_kinds(
    cx: &Context,
    actor: &Actor,
    contractor_id: i64,
) -> Result<Vec<i64>, ServiceError> {
    visible_contractor(&cx.db, actor, contractor_id).await?;
    Ok(sqlx::query_scalar(
        "SELECT work_kind_id FROM contractor_work_kinds WHERE contractor_id = $1 \
         ORDER BY work_kind_id",
    )
    .bind(contractor_id)
    .fetch_all(cx.db.pool())
    .await?)
}

/// The agency's kinds of work beside a contractor the actor may see: every kind for agents,
/// only those it has for the contractor's own office.
pub(super) async fn choices(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
) -> Result<Vec<WorkKindChoice>, ServiceError> {
    #[derive(FromRow)]
    struct Choice {
        id: i64,
        name: String,
        held: i64,
    }
    let rows: Vec<Choice> = sqlx::query_as(
        "SELECT k.id, k.name, (SELECT COUNT(*) FROM contractor_work_kinds c \
         WHERE c.work_kind_id = k.id AND c.contractor_id = $2) AS held \
         FROM work_kinds k WHERE k.agency_id = $1 ORDER BY lower(k.name), k.id",
    )
    .bind(actor.agency_id)
    .bind(contractor_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| WorkKindChoice {
            id: c.id,
            name: c.name,
            held: c.held > 0,
        })
        .filter(|c| actor.kind == UserKind::Agent || c.held)
        .collect())
}

/// Gives a contractor exactly these kinds of work, requesting the certificate types of the
/// kinds it gains that it was not yet asked for.
pub async fn set_contractor_kinds(
    cx: &Context,
    actor: &Actor,
    contractor_id: i64,
    kind_ids: &[i64],
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    visible_contractor(&cx.db, actor, contractor_id).await?;
    let mut tx = cx.db.begin_write().await?;
    set_kinds_in(&mut tx, actor, contractor_id, kind_ids, &cx.public_url, now).await?;
    bump_certification_version(&mut tx, actor.agency_id, Changed::Contractor(contractor_id))
        .await?;
    tx.commit().await?;
    publish(&cx.db, actor.agency_id, Some(contractor_id)).await;
    Ok(())
}

/// [`set_contractor_kinds`] inside the caller's transaction (the import calls it per row); the
/// caller has checked the contractor and moves the certification version.
pub(super) async fn set_kinds_in(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    contractor_id: i64,
    kind_ids: &[i64],
    public_url: &str,
    now: i64,
) -> Result<(), ServiceError> {
    let mut kinds = Vec::new();
    for kind_id in kind_ids {
        if !kinds.iter().any(|(id, _)| id == kind_id) {
            kinds.push((
                *kind_id,
                kind_types(&mut *tx, actor.agency_id, *kind_id).await?,
            ));
        }
    }
    let before: Vec<i64> = sqlx::query_scalar(
        "SELECT work_kind_id FROM contractor_work_kinds WHERE contractor_id = $1",
    )
    .bind(contractor_id)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM contractor_work_kinds WHERE contractor_id = $1")
        .bind(contractor_id)
        .execute(&mut *tx)
        .await?;
    for (kind_id, types) in &kinds {
        sqlx::query(
            "INSERT INTO contractor_work_kinds (contractor_id, work_kind_id) VALUES ($1, $2)",
        )
        .bind(contractor_id)
        .bind(kind_id)
        .execute(&mut *tx)
        .await?;
        require_types_in(tx, actor, contractor_id, types, public_url, now).await?;
    }
    let after: Vec<i64> = kinds.iter().map(|(id, _)| *id).collect();
    if before.iter().any(|id| !after.contains(id)) || after.iter().any(|id| !before.contains(id)) {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT k.name FROM contractor_work_kinds c JOIN work_kinds k ON k.id = c.work_kind_id \
             WHERE c.contractor_id = $1 ORDER BY lower(k.name)",
        )
        .bind(contractor_id)
        .fetch_all(&mut *tx)
        .await?;
        audit::record_for_contractor(
            &mut *tx,
            actor.agency_id,
            actor.audit_by(),
            "work_kinds_set",
            contractor_id,
            &if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Inside the caller's transaction, adds one kind of work (already checked as the agency's) to a
/// contractor (already checked) if it lacks it, requesting what the kind needs; the import's
/// way, which adds to the kinds a contractor has rather than replacing them.
pub(super) async fn add_kind_in(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    contractor_id: i64,
    kind_id: i64,
    public_url: &str,
    now: i64,
) -> Result<(), ServiceError> {
    let added = sqlx::query(
        "INSERT INTO contractor_work_kinds (contractor_id, work_kind_id) VALUES ($1, $2) \
         ON CONFLICT (contractor_id, work_kind_id) DO NOTHING",
    )
    .bind(contractor_id)
    .bind(kind_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if added == 0 {
        return Ok(());
    }
    let types = kind_types(&mut *tx, actor.agency_id, kind_id).await?;
    require_types_in(tx, actor, contractor_id, &types, public_url, now).await?;
    let name: String = sqlx::query_scalar("SELECT name FROM work_kinds WHERE id = $1")
        .bind(kind_id)
        .fetch_one(&mut *tx)
        .await?;
    audit::record_for_contractor(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "work_kind_imported",
        contractor_id,
        &name,
        now,
    )
    .await?;
    Ok(())
}

async fn require_types_in(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    contractor_id: i64,
    types: &[(i64, String)],
    public_url: &str,
    now: i64,
) -> Result<(), ServiceError> {
    for (certificate_type_id, type_name) in types {
        let request = Request {
            contractor_id,
            certificate_type_id: *certificate_type_id,
            type_name,
        };
        require_certificate_in(tx, actor, &request, public_url, now).await?;
    }
    Ok(())
}

async fn publish(db: &Db, agency_id: i64, contractor_id: Option<i64>) {
    db.publish(Change {
        agency_id,
        contractor_id,
        topic: Topic::Certification,
        task_id: None,
    })
    .await;
}
