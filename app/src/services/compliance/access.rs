//! Which contractors and certificate types an actor may reach: an agent, those of their agency;
//! a contractor's office and its technicians, only their own company. Anything else is not found.

use crate::db::Db;
use crate::domain::identity::UserKind;
use crate::services::auth::Actor;
use crate::services::ServiceError;

/// A contractor of the actor's agency that the actor may look at: any of them for agents, only
/// its own for a contractor's office; `NotFound` otherwise (also for another agency's id). Gives
/// its company name, read in the same statement.
pub(crate) async fn visible_contractor(
    db: &Db,
    actor: &Actor,
    contractor_id: i64,
) -> Result<String, ServiceError> {
    match actor.kind {
        UserKind::Agent => {}
        UserKind::Contractor if actor.contractor_id == Some(contractor_id) => {}
        UserKind::Contractor => return Err(ServiceError::NotFound("contractor")),
        UserKind::Technician => {
            return Err(ServiceError::Forbidden(
                "technicians have no certification pages",
            ))
        }
    }
    let found: Option<String> =
        sqlx::query_scalar("SELECT company_name FROM contractors WHERE id = $1 AND agency_id = $2")
            .bind(contractor_id)
            .bind(actor.agency_id)
            .fetch_optional(db.pool())
            .await?;
    found.ok_or(ServiceError::NotFound("contractor"))
}

pub(crate) async fn own_certificate_type(
    db: &Db,
    actor: &Actor,
    type_id: i64,
) -> Result<String, ServiceError> {
    sqlx::query_scalar("SELECT name FROM certificate_types WHERE id = $1 AND agency_id = $2")
        .bind(type_id)
        .bind(actor.agency_id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(ServiceError::NotFound("certificate type"))
}
