//! `/api/v1/certificate-types`: what the agency may require of its contractors.

use super::caller::Caller;
use super::problem::{Json, Problem, Refusals};
use app::domain::api_keys::Scope;
use app::services::{certificate_types, Context};
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateType {
    pub id: i64,
    pub name: String,
    /// One of the product's own types (gas safety, public liability…), not the agency's.
    pub built_in: bool,
    /// Also asked of each technician, as an accreditation.
    pub applies_to_technicians: bool,
    /// How many contractors are required to hold it.
    pub required_of: i64,
    /// The least cover a document must record, in whole pounds.
    pub minimum_cover: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateTypeList {
    pub data: Vec<CertificateType>,
}

/// The certificate types of the agency.
#[utoipa::path(get, path = "/api/v1/certificate-types", tag = "certification",
    responses(
        (status = 200, description = "Every type", body = CertificateTypeList),
        Refusals,
    ))]
pub async fn certificate_types(
    State(cx): State<Context>,
    Caller(caller): Caller,
) -> Result<Json<CertificateTypeList>, Problem> {
    caller.require(Scope::CertificationRead)?;
    let data = certificate_types::list(&cx, &caller.actor)
        .await?
        .into_iter()
        .map(|t| CertificateType {
            id: t.id,
            name: t.name,
            built_in: t.built_in,
            applies_to_technicians: t.applies_to_technicians,
            required_of: t.required_of,
            minimum_cover: t.minimum_cover,
        })
        .collect();
    Ok(Json(CertificateTypeList { data }))
}
