//! Certificate types: the built-in set every agency starts with and the agency's own (the types
//! its contractors need beyond the built-in ones). Agents who manage certification add types and
//! say which also apply to technicians.

use super::auth::Actor;
use super::compliance::{bump_certification_version, Changed};
use super::ServiceError;
use crate::db::{audit, flag};
use crate::domain::certificate_reading::pounds;
use crate::domain::identity::Permission;
use crate::domain::records::CertificateTypeRow;
use crate::services::Context;

#[derive(sqlx::FromRow)]
struct TypeRow {
    id: i64,
    name: String,
    built_in: i64,
    applies_to_technicians: i64,
    required_of: i64,
    minimum_cover: Option<i64>,
}

pub async fn list(cx: &Context, actor: &Actor) -> Result<Vec<CertificateTypeRow>, ServiceError> {
    actor.require_agent()?;
    let rows: Vec<TypeRow> = sqlx::query_as(
        "SELECT t.id, t.name, t.built_in, t.applies_to_technicians, \
         (SELECT COUNT(*) FROM certificate_requirements r WHERE r.certificate_type_id = t.id) \
         AS required_of, t.minimum_cover \
         FROM certificate_types t WHERE t.agency_id = $1 ORDER BY lower(t.name)",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|t| CertificateTypeRow {
            id: t.id,
            name: t.name,
            built_in: t.built_in == 1,
            applies_to_technicians: t.applies_to_technicians == 1,
            required_of: t.required_of,
            minimum_cover: t.minimum_cover,
        })
        .collect())
}

/// The most cover anyone writes on a certificate: a typo's extra zeros stop here.
const MOST_COVER: i64 = 1_000_000_000_000;

/// Sets (or clears) the least cover, in whole pounds, a document of this type must record to
/// count as valid. Statuses of every contractor holding the type follow at once.
pub async fn set_minimum_cover(
    cx: &Context,
    actor: &Actor,
    type_id: i64,
    minimum: Option<i64>,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    if minimum.is_some_and(|m| m <= 0 || m > MOST_COVER) {
        return Err(ServiceError::invalid(
            "minimum_cover",
            "Write the minimum in pounds, e.g. 5000000 or £5m, or leave it empty for none.",
        ));
    }
    let mut tx = cx.db.begin_write().await?;
    let name: Option<String> = sqlx::query_scalar(
        "UPDATE certificate_types SET minimum_cover = $1 WHERE id = $2 AND agency_id = $3 \
         RETURNING name",
    )
    .bind(minimum)
    .bind(type_id)
    .bind(actor.agency_id)
    .fetch_optional(&mut *tx)
    .await?;
    let name = name.ok_or(ServiceError::NotFound("certificate type"))?;
    bump_certification_version(&mut tx, actor.agency_id, Changed::Everyone).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "certificate_type_minimum_cover",
        None,
        &match minimum {
            Some(m) => format!("{name}: at least {}", pounds(m)),
            None => format!("{name}: no minimum cover"),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    cx.db
        .publish(crate::events::Change {
            agency_id: actor.agency_id,
            contractor_id: None,
            topic: crate::events::Topic::Certification,
            task_id: None,
        })
        .await;
    Ok(())
}

/// Adds a custom type. Names are unique in the agency whatever their case, so an import's
/// `ContractorCertificateName` finds exactly one.
pub async fn create(
    cx: &Context,
    actor: &Actor,
    name: &str,
    applies_to_technicians: bool,
    now: i64,
) -> Result<i64, ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().count() < 2 {
        return Err(ServiceError::invalid(
            "name",
            "Give the certificate type a name.",
        ));
    }
    if name.chars().count() > 80 {
        return Err(ServiceError::invalid(
            "name",
            "Keep the name under 80 characters.",
        ));
    }
    let mut tx = cx.db.begin_write().await?;
    let existing: Option<String> = sqlx::query_scalar(
        "SELECT name FROM certificate_types WHERE agency_id = $1 AND lower(name) = lower($2)",
    )
    .bind(actor.agency_id)
    .bind(&name)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(existing) = existing {
        return Err(ServiceError::invalid(
            "name",
            format!("\"{existing}\" already exists."),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO certificate_types (agency_id, name, built_in, applies_to_technicians, created_at) \
         VALUES ($1, $2, 0, $3, $4) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(&name)
    .bind(flag(applies_to_technicians))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "certificate_type_created",
        None,
        &name,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Says whether a type is also asked of technicians.
pub async fn set_applies_to_technicians(
    cx: &Context,
    actor: &Actor,
    type_id: i64,
    applies: bool,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageCertification)?;
    let changed = sqlx::query(
        "UPDATE certificate_types SET applies_to_technicians = $1 WHERE id = $2 AND agency_id = $3",
    )
    .bind(flag(applies))
    .bind(type_id)
    .bind(actor.agency_id)
    .execute(cx.db.pool())
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ServiceError::NotFound("certificate type"));
    }
    Ok(())
}
