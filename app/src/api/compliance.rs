//! Contractor certification: agents' pages and the contractor portal's own certificates.

use super::ApiError;
use crate::domain::records::{ContractorCertification, ContractorListPage, ContractorRow};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request, crate::domain::compliance::TrafficLight, crate::services::auth::now,
    crate::services::compliance,
};

/// The agency's contractors with their traffic lights (the instruct page's choices).
#[server(prefix = "/rpc", endpoint = "contractors/list")]
pub async fn list_contractors() -> Result<Vec<ContractorRow>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(compliance::contractor_list(&context, &actor, None, now()).await?)
}

/// A page of the contractor list; `light` is `red`, `orange` or `green`, `name` part of a
/// company name or reference, `page` from 1.
#[server(prefix = "/rpc", endpoint = "contractors/page")]
pub async fn contractor_page(
    light: Option<String>,
    name: Option<String>,
    page: Option<u32>,
    #[server(default)] work_kind: Option<i64>,
) -> Result<ContractorListPage, ApiError> {
    let (context, actor) = request::actor().await?;
    let light = match light.as_deref().unwrap_or("") {
        "" => None,
        slug => Some(
            TrafficLight::from_slug(slug).ok_or_else(|| ApiError::Invalid {
                field: "light".into(),
                message: format!("\"{slug}\" is not red, orange or green."),
            })?,
        ),
    };
    let query = compliance::ContractorQuery {
        light,
        name,
        work_kind_id: work_kind,
        page: page.unwrap_or(1),
    };
    Ok(compliance::contractor_page(&context, &actor, query, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "contractors/certification")]
pub async fn load_contractor_certification(
    contractor_id: i64,
) -> Result<ContractorCertification, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(compliance::contractor_certification(&context, &actor, contractor_id, now()).await?)
}

/// Requires a certificate type of a contractor.
#[server(prefix = "/rpc", endpoint = "contractors/request_certificate")]
pub async fn request_certificate(
    contractor_id: i64,
    certificate_type_id: i64,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    compliance::request_certificate(&context, &actor, contractor_id, certificate_type_id, now())
        .await?;
    Ok(())
}

/// Ticks a certificate document Valid.
#[server(prefix = "/rpc", endpoint = "contractors/validate_document")]
pub async fn validate_document(document_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(compliance::validate_document(&context, &actor, document_id, now()).await?)
}

/// Takes back a tick Valid made moments ago.
#[server(prefix = "/rpc", endpoint = "contractors/undo_validation")]
pub async fn undo_validation(document_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(compliance::undo_validation(&context, &actor, document_id, now()).await?)
}

/// The agents' navigation badge: uploads waiting to be ticked Valid.
#[server(prefix = "/rpc", endpoint = "compliance/to_validate")]
pub async fn to_validate() -> Result<u32, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(compliance::to_validate(&context, &actor, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "compliance/summary")]
pub async fn compliance_summary() -> Result<crate::domain::records::ComplianceSummary, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(compliance::summary(&context, &actor, now()).await?)
}

/// A page of the compliance matrix; `status` is a status slug such as `expired`.
#[server(prefix = "/rpc", endpoint = "compliance/matrix")]
pub async fn compliance_matrix(
    certificate_type_id: Option<i64>,
    status: Option<String>,
    name: Option<String>,
    page: Option<u32>,
    #[server(default)] work_kind: Option<i64>,
) -> Result<crate::domain::records::MatrixPage, ApiError> {
    use crate::domain::compliance::ComplianceStatus;
    let (context, actor) = request::actor().await?;
    let status = match status.as_deref().unwrap_or("") {
        "" => None,
        slug => Some(
            ComplianceStatus::from_slug(slug).ok_or_else(|| ApiError::Invalid {
                field: "status".into(),
                message: format!("\"{slug}\" is not a compliance status."),
            })?,
        ),
    };
    let filter = compliance::MatrixFilter {
        certificate_type_id,
        work_kind_id: work_kind,
        status,
        name,
        page: page.unwrap_or(0),
    };
    Ok(compliance::matrix(&context, &actor, filter, now()).await?)
}

/// The contractor portal's certificates: the signed-in office's own company.
#[server(prefix = "/rpc", endpoint = "desk/certification")]
pub async fn own_certification() -> Result<ContractorCertification, ApiError> {
    let (context, actor) = request::actor().await?;
    let contractor_id = actor.require_contractor_office().map_err(ApiError::from)?;
    Ok(compliance::contractor_certification(&context, &actor, contractor_id, now()).await?)
}

/// The portal badge: certificates the contractor's office still has to provide.
#[server(prefix = "/rpc", endpoint = "desk/outstanding_certificates")]
pub async fn outstanding_certificates() -> Result<u32, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(compliance::outstanding_requests(&context, &actor, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "certificate_types/list")]
pub async fn list_certificate_types(
) -> Result<Vec<crate::domain::records::CertificateTypeRow>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(crate::services::certificate_types::list(&context, &actor).await?)
}

/// Adds one of the agency's own certificate types.
#[server(prefix = "/rpc", endpoint = "certificate_types/create")]
pub async fn create_certificate_type(
    name: String,
    applies_to_technicians: Option<String>,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    crate::services::certificate_types::create(
        &context,
        &actor,
        &name,
        applies_to_technicians.is_some(),
        now(),
    )
    .await?;
    Ok(())
}

#[server(prefix = "/rpc", endpoint = "certificate_types/technicians")]
pub async fn set_type_applies_to_technicians(
    certificate_type_id: i64,
    applies: bool,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(
        crate::services::certificate_types::set_applies_to_technicians(
            &context,
            &actor,
            certificate_type_id,
            applies,
        )
        .await?,
    )
}

/// Sets the least cover a certificate type needs (`minimum`: "5000000", "£5m"; empty for none).
#[server(prefix = "/rpc", endpoint = "certificate_types/minimum_cover")]
pub async fn set_minimum_cover(certificate_type_id: i64, minimum: String) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    let minimum = match minimum.trim() {
        "" => None,
        text => Some(
            crate::domain::certificate_reading::parse_pounds(text).ok_or_else(|| {
                ApiError::Invalid {
                    field: "minimum_cover".into(),
                    message: "Write the minimum in pounds, e.g. 5000000 or £5m, or leave it empty for none.".into(),
                }
            })?,
        ),
    };
    Ok(crate::services::certificate_types::set_minimum_cover(
        &context,
        &actor,
        certificate_type_id,
        minimum,
        crate::services::auth::now(),
    )
    .await?)
}
