//! The agency's properties: every agent reads them; agents who instruct works add and correct
//! them, since a task needs one.

use super::auth::Actor;
use super::ServiceError;
use crate::db::{audit, Db};
use crate::domain::identity::Permission;
use crate::domain::properties::{check_property, PropertyDetails};
use crate::domain::records::PropertyRow;
use crate::services::Context;
use sqlx::FromRow;

#[derive(FromRow)]
struct Row {
    id: i64,
    address_line1: String,
    address_line2: Option<String>,
    town: String,
    postcode: String,
    access_details: Option<String>,
    contact_phone: Option<String>,
    open_tasks: i64,
}

/// A property as tasks and quotes name it: its address on one line, and how to get in.
#[derive(FromRow)]
pub(crate) struct Address {
    pub id: i64,
    address_line1: String,
    town: String,
    postcode: String,
    pub access_details: Option<String>,
}

impl Address {
    /// "12 Harbour Road, Bristol BS1 4QA".
    pub fn one_line(&self) -> String {
        format!("{}, {} {}", self.address_line1, self.town, self.postcode)
    }
}

const SELECT_ADDRESS: &str =
    "SELECT id, address_line1, town, postcode, access_details FROM properties";

/// The agency's property `id`, if it is one of theirs.
pub(crate) async fn address(
    db: &Db,
    agency_id: i64,
    id: i64,
) -> Result<Option<Address>, ServiceError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_ADDRESS} WHERE id = $1 AND agency_id = $2"
    ))
    .bind(id)
    .bind(agency_id)
    .fetch_optional(db.pool())
    .await?)
}

/// Every property of the agency, by address.
pub(crate) async fn addresses(db: &Db, agency_id: i64) -> Result<Vec<Address>, ServiceError> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_ADDRESS} WHERE agency_id = $1 ORDER BY lower(address_line1), id"
    ))
    .bind(agency_id)
    .fetch_all(db.pool())
    .await?)
}

/// The agency's properties by address, with how many open tasks each has.
pub async fn list(cx: &Context, actor: &Actor) -> Result<Vec<PropertyRow>, ServiceError> {
    actor.require_agent()?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.address_line1, p.address_line2, p.town, p.postcode, p.access_details, \
         p.contact_phone, \
         (SELECT COUNT(*) FROM tasks t WHERE t.property_id = p.id AND t.archived_at IS NULL \
          AND t.status NOT IN ('completed', 'rejected')) AS open_tasks \
         FROM properties p WHERE p.agency_id = $1 ORDER BY lower(p.address_line1), p.id",
    )
    .bind(actor.agency_id)
    .fetch_all(cx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PropertyRow {
            id: r.id,
            details: PropertyDetails {
                address_line1: r.address_line1,
                address_line2: r.address_line2.unwrap_or_default(),
                town: r.town,
                postcode: r.postcode,
                access_details: r.access_details.unwrap_or_default(),
                contact_phone: r.contact_phone.unwrap_or_default(),
            },
            open_tasks: r.open_tasks,
        })
        .collect())
}

/// Adds a property (no `id`) or corrects one of the agency's; answers its id. Open tasks show
/// the corrected address and access details from then on.
pub async fn save(
    cx: &Context,
    actor: &Actor,
    id: Option<i64>,
    details: &PropertyDetails,
    now: i64,
) -> Result<i64, ServiceError> {
    actor.require(Permission::InstructWork)?;
    let clean = check_property(details)
        .map_err(|(field, problem)| ServiceError::invalid(field, problem.to_string()))?;
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_string());
    let is_new = id.is_none();
    let mut tx = cx.db.begin_write().await?;
    let id =
        match id {
            Some(id) => {
                let changed = sqlx::query(
                    "UPDATE properties SET address_line1 = $1, address_line2 = $2, town = $3, \
                 postcode = $4, access_details = $5, contact_phone = $6 WHERE id = $7 AND agency_id = $8",
                )
                .bind(&clean.address_line1)
                .bind(optional(&clean.address_line2))
                .bind(&clean.town)
                .bind(&clean.postcode)
                .bind(optional(&clean.access_details))
                .bind(optional(&clean.contact_phone))
                .bind(id)
                .bind(actor.agency_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if changed == 0 {
                    return Err(ServiceError::NotFound("property"));
                }
                id
            }
            None => sqlx::query_scalar(
                "INSERT INTO properties (agency_id, address_line1, address_line2, town, postcode, \
                 access_details, contact_phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 RETURNING id",
            )
            .bind(actor.agency_id)
            .bind(&clean.address_line1)
            .bind(optional(&clean.address_line2))
            .bind(&clean.town)
            .bind(&clean.postcode)
            .bind(optional(&clean.access_details))
            .bind(optional(&clean.contact_phone))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?,
        };
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        if is_new {
            "property_added"
        } else {
            "property_corrected"
        },
        None,
        &format!("{}, {} {}", clean.address_line1, clean.town, clean.postcode),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
