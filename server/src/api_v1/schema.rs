//! The shapes the API shares between resources: lights and statuses as stable strings.

use app::domain::compliance::{ComplianceStatus, RequirementStatus, TrafficLight};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Orange,
    Red,
}

impl From<TrafficLight> for Light {
    fn from(light: TrafficLight) -> Self {
        match light {
            TrafficLight::Green => Light::Green,
            TrafficLight::Orange => Light::Orange,
            TrafficLight::Red => Light::Red,
        }
    }
}

impl From<Light> for TrafficLight {
    fn from(light: Light) -> Self {
        match light {
            Light::Green => TrafficLight::Green,
            Light::Orange => TrafficLight::Orange,
            Light::Red => TrafficLight::Red,
        }
    }
}

/// A required certificate's status, as the compliance matrix shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = CertificateStatus)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    NotRequired,
    Missing,
    NeedsValidation,
    Expired,
    ExpiringSoon,
    Valid,
    CoverTooLow,
}

impl From<ComplianceStatus> for Status {
    fn from(status: ComplianceStatus) -> Self {
        match status {
            ComplianceStatus::NotRequired => Status::NotRequired,
            ComplianceStatus::Missing => Status::Missing,
            ComplianceStatus::NeedsValidation => Status::NeedsValidation,
            ComplianceStatus::Expired => Status::Expired,
            ComplianceStatus::ExpiringSoon => Status::ExpiringSoon,
            ComplianceStatus::Valid => Status::Valid,
            ComplianceStatus::CoverTooLow => Status::CoverTooLow,
        }
    }
}

/// One certificate type a contractor is required to hold.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Requirement {
    pub certificate_type_id: i64,
    pub certificate_type: String,
    pub status: Status,
    /// The end date of the newest validated document.
    pub valid_until: Option<NaiveDate>,
    /// A newer document waits for an agent to validate it.
    pub awaiting_validation: bool,
    /// The least cover a document must record, in whole pounds.
    pub minimum_cover: Option<i64>,
}

impl From<RequirementStatus> for Requirement {
    fn from(r: RequirementStatus) -> Self {
        Requirement {
            certificate_type_id: r.certificate_type_id,
            certificate_type: r.certificate_type,
            status: r.status.status.into(),
            valid_until: r.status.valid_until,
            awaiting_validation: r.status.awaiting_validation,
            minimum_cover: r.minimum_cover,
        }
    }
}
