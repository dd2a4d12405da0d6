//! `/api/v1/certificate-types` and `/api/v1/documents`: what the agency requires, and ticking an
//! uploaded document Valid.

use super::caller::Caller;
use super::problem::{Json, Path, Problem, Refusals};
use app::domain::api_keys::Scope;
use app::services::compliance::documents;
use app::services::{auth, certificate_types, Context};
use axum::extract::State;
use axum::http::StatusCode;
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

/// Ticks an uploaded certificate document Valid, as an agent does on the contractor's page.
/// Validating twice changes nothing.
#[utoipa::path(post, path = "/api/v1/documents/{id}/validate", tag = "certification",
    params(("id" = i64, Path, description = "The certificate document's id")),
    responses(
        (status = 204, description = "The document is valid"),
        Refusals,
    ))]
pub async fn validate_document(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    caller.require(Scope::CertificationWrite)?;
    documents::validate_document(&cx, &caller.actor, id, auth::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
