//! Plain records that cross from the server to the browser: what the services answer and the
//! pages show. No behaviour beyond formatting helpers.

use super::dates::DateFormat;
use super::identity::{LinkPurpose, Permissions, UserKind};
use super::task_status::TaskStatus;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The signed-in person, as the page header and navigation need them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub email: String,
    pub kind: UserKind,
    pub agency_name: String,
    pub date_format: DateFormat,
    pub company_name: Option<String>,
    pub permissions: Permissions,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub kind: UserKind,
    pub name: String,
    pub email: String,
    pub role_id: Option<i64>,
    pub role_name: Option<String>,
    pub company_name: Option<String>,
    pub active: bool,
    pub has_password: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub id: i64,
    pub name: String,
    pub permissions: Permissions,
}

/// The agency's people and the roles they can be given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub users: Vec<UserSummary>,
    pub roles: Vec<RoleSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSummary {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub status: TaskStatus,
    pub priority: String,
    pub due_date: Option<NaiveDate>,
    pub scheduled_date: Option<NaiveDate>,
    pub address: String,
    pub archived: bool,
}

/// Whom a valid emailed link signs in, for its confirmation page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPreview {
    pub name: String,
    pub email: String,
    pub kind: UserKind,
    pub purpose: LinkPurpose,
}

/// One message of the development mailbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailView {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body_text: String,
    pub created_at_ms: i64,
    pub state: String,
}

/// An agency's own settings: how it writes dates, its time zone, and how early a certificate
/// counts as "expiring soon".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySettings {
    pub name: String,
    pub time_zone: String,
    pub date_format: DateFormat,
    pub expiring_soon_days: i64,
}

/// One contractor in the agency's contractor list, with its traffic light.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractorRow {
    pub id: i64,
    pub company_name: String,
    pub external_ref: Option<String>,
    pub trade: Option<String>,
    pub light: super::compliance::TrafficLight,
    /// Required types by status, for the row's summary ("2 expired, 1 missing").
    pub problems: Vec<(super::compliance::ComplianceStatus, u32)>,
}

/// One required certificate type of a contractor, with its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementStatus {
    pub certificate_type_id: i64,
    pub certificate_type: String,
    pub status: super::compliance::TypeStatus,
}

/// One uploaded certificate document, newest first in lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub id: i64,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub reminder: Option<String>,
    pub validated: bool,
    pub uploaded_at_ms: i64,
}

/// A required certificate type on the contractor's Certification tab: its status and documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementDetail {
    pub certificate_type_id: i64,
    pub certificate_type: String,
    pub status: super::compliance::TypeStatus,
    pub documents: Vec<DocumentSummary>,
}

/// The Certification tab of a contractor's profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractorCertification {
    pub contractor_id: i64,
    pub company_name: String,
    pub light: super::compliance::TrafficLight,
    pub requirements: Vec<RequirementDetail>,
    /// Types that could still be requested: (id, name).
    pub requestable: Vec<(i64, String)>,
    /// The viewer may request certificates and validate documents.
    pub can_manage: bool,
}

/// The dashboard panel "Contractor certification compliance".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceSummary {
    /// Contractors per light: red, orange, green.
    pub lights: [u32; 3],
    /// Required certificates per status, in `ComplianceStatus::ALL` order.
    pub statuses: Vec<(super::compliance::ComplianceStatus, u32)>,
    /// The next certificates to end (or recently ended): contractor id, company, type, end date.
    pub renewals: Vec<(i64, String, String, NaiveDate)>,
}

/// One page of the compliance matrix: contractors by certificate type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixPage {
    /// The columns: (certificate type id, name).
    pub types: Vec<(i64, String)>,
    /// One row per contractor: id, company, light, one status per column.
    pub rows: Vec<MatrixRow>,
    /// Contractors matching the filters, over all pages.
    pub total: u32,
    pub page: u32,
    pub page_size: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub contractor_id: i64,
    pub company_name: String,
    pub light: super::compliance::TrafficLight,
    pub cells: Vec<super::compliance::TypeStatus>,
}
