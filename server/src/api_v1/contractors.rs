//! `/api/v1/contractors`: the agency's contractors with their compliance, and certificate
//! requests.

use super::caller::Caller;
use super::page::page;
use super::problem::{BodyRefusals, Json, Path, Problem, Query, Refusals};
use super::schema::{Light, Requirement};
use app::domain::api_keys::Scope;
use app::domain::compliance::TrafficLight;
use app::domain::records::ContractorRow;
use app::services::compliance::{documents, views};
use app::services::{auth, Context};
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Contractor {
    pub id: i64,
    pub company_name: String,
    /// The agency's own reference for the contractor.
    pub external_ref: Option<String>,
    pub trade: Option<String>,
    /// The compliance light today: red when a required certificate is missing, expired or below
    /// cover; orange when one expires soon or waits for validation; green otherwise.
    pub light: Light,
    /// Suspended for new work by the chasing ladder.
    pub suspended: bool,
}

impl From<ContractorRow> for Contractor {
    fn from(row: ContractorRow) -> Self {
        Contractor {
            id: row.id,
            company_name: row.company_name,
            external_ref: row.external_ref,
            trade: row.trade,
            light: row.light.into(),
            suspended: row.suspended,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractorPage {
    pub data: Vec<Contractor>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractorDetail {
    #[serde(flatten)]
    pub contractor: Contractor,
    /// Each certificate type the contractor is required to hold, with its status today.
    pub certificates: Vec<Requirement>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractorFilter {
    /// Only contractors with this light.
    pub light: Option<Light>,
    /// Only contractors whose name or reference contains this text (any case).
    pub name: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(pattern = "^[0-9]{1,18}$")]
    pub cursor: Option<String>,
    /// Items a page, 1 to 100 (50 when absent).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// The agency's contractors, in id order.
#[utoipa::path(get, path = "/api/v1/contractors", tag = "contractors",
    params(ContractorFilter),
    responses(
        (status = 200, description = "A page of contractors", body = ContractorPage),
        Refusals,
    ))]
pub async fn list(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Query(filter): Query<ContractorFilter>,
) -> Result<Json<ContractorPage>, Problem> {
    caller.require(Scope::ContractorsRead)?;
    let light = filter.light.map(TrafficLight::from);
    let rows = views::contractor_list(&cx, &caller.actor, light, auth::now()).await?;
    let needle = filter.name.as_deref().map(str::to_lowercase);
    let rows: Vec<ContractorRow> = rows
        .into_iter()
        .filter(|row| {
            needle.as_deref().is_none_or(|needle| {
                row.company_name.to_lowercase().contains(needle)
                    || row
                        .external_ref
                        .as_deref()
                        .is_some_and(|r| r.to_lowercase().contains(needle))
            })
        })
        .collect();
    let (rows, next_cursor) = page(rows, |r| r.id, filter.cursor.as_deref(), filter.limit)?;
    Ok(Json(ContractorPage {
        data: rows.into_iter().map(Contractor::from).collect(),
        next_cursor,
    }))
}

/// One contractor with the status of each certificate it is required to hold.
#[utoipa::path(get, path = "/api/v1/contractors/{id}", tag = "contractors",
    params(("id" = i64, Path, description = "The contractor's id")),
    responses(
        (status = 200, description = "The contractor", body = ContractorDetail),
        Refusals,
    ))]
pub async fn get(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
) -> Result<Json<ContractorDetail>, Problem> {
    caller.require(Scope::ContractorsRead)?;
    let now = auth::now();
    let certificates = views::contractor_requirements(&cx, &caller.actor, id, now).await?;
    let row = views::contractor_list(&cx, &caller.actor, None, now)
        .await?
        .into_iter()
        .find(|row| row.id == id)
        .ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "That contractor was not found."))?;
    Ok(Json(ContractorDetail {
        contractor: row.into(),
        certificates: certificates.into_iter().map(Requirement::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CertificateRequest {
    /// The certificate type to require of the contractor.
    pub certificate_type_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateRequested {
    pub certificate_type_id: i64,
    /// False when the contractor was already required to hold it (nothing changed, no email).
    pub newly_requested: bool,
}

/// Requires a certificate type of a contractor and emails its office, as "Request certificate"
/// does on the contractor's page.
#[utoipa::path(post, path = "/api/v1/contractors/{id}/certificate-requests", tag = "certification",
    params(("id" = i64, Path, description = "The contractor's id")),
    request_body = CertificateRequest,
    responses(
        (status = 200, description = "Required", body = CertificateRequested),
        Refusals, BodyRefusals,
    ))]
pub async fn request_certificate(
    State(cx): State<Context>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
    Json(body): Json<CertificateRequest>,
) -> Result<Json<CertificateRequested>, Problem> {
    caller.require(Scope::CertificationWrite)?;
    let newly_requested = documents::request_certificate(
        &cx,
        &caller.actor,
        id,
        body.certificate_type_id,
        auth::now(),
    )
    .await?;
    Ok(Json(CertificateRequested {
        certificate_type_id: body.certificate_type_id,
        newly_requested,
    }))
}
