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
    #[serde(default, with = "crate::domain::dates::optional")]
    pub due_date: Option<NaiveDate>,
    #[serde(default, with = "crate::domain::dates::optional")]
    pub scheduled_date: Option<NaiveDate>,
    pub address: String,
    pub archived: bool,
    pub contractor: Option<String>,
    /// Names of the technicians assigned (filled in lists that show them).
    pub technicians: Vec<String>,
    /// Whom to call at the property, if the agency gave a number.
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Work still to do past its due date (set in the task dashboard's rows).
    #[serde(default)]
    pub overdue: bool,
}

/// The Tech view's list, in the order a technician works through it: today's visits, then work
/// that is late, then what is coming; work they have finished in a section of its own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechTasks {
    pub today: Vec<TaskSummary>,
    pub overdue: Vec<TaskSummary>,
    pub upcoming: Vec<TaskSummary>,
    pub finished: Vec<TaskSummary>,
}

impl TechTasks {
    /// Every task, section by section.
    pub fn all(&self) -> impl Iterator<Item = &TaskSummary> {
        self.today
            .iter()
            .chain(&self.overdue)
            .chain(&self.upcoming)
            .chain(&self.finished)
    }
}

/// One page of the task dashboard, with the columns its reader chose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskListPage {
    pub rows: Vec<TaskSummary>,
    /// Tasks matching the filter, over all pages (counted as far as the limit past this page).
    pub count: crate::domain::task_count::TaskCount,
    pub page: u32,
    pub page_size: u32,
    /// The columns this person chose.
    pub columns: Vec<crate::domain::task_list::TaskColumn>,
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
    /// The hour (0-23, agency time) after which the daily "Tasks to do" email goes.
    pub daily_reminder_hour: i64,
    /// What the assignment email adds to a task's essentials.
    pub email_description: bool,
    pub email_access_details: bool,
    pub email_purchase_order: bool,
    /// When chasing an outstanding certificate widens, and whether it suspends the contractor.
    pub chasing: super::escalation::Ladder,
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
    /// Suspended for new work by the chasing ladder.
    #[serde(default)]
    pub suspended: bool,
}

/// One page of the contractor list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractorListPage {
    pub rows: Vec<ContractorRow>,
    /// Contractors matching the filters, over all pages.
    pub total: u32,
    /// From 1.
    pub page: u32,
    pub page_size: u32,
    /// Contractors matching the name filter by light, in [`TrafficLight::ALL`] order.
    ///
    /// [`TrafficLight::ALL`]: super::compliance::TrafficLight::ALL
    pub lights: [u32; 3],
    /// The agency's kinds of work, for the filter.
    #[serde(default)]
    pub work_kinds: Vec<(i64, String)>,
}

/// Defined beside the statuses it carries; a record of the pages as much as a rule's input.
pub use super::compliance::RequirementStatus;

/// A kind of work (requirement profile) and the certificate types it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkKindRow {
    pub id: i64,
    pub name: String,
    /// Certificate type id and name, by name.
    pub types: Vec<(i64, String)>,
    /// How many contractors have it, and how many tasks name it.
    pub contractors: i64,
    pub tasks: i64,
}

/// One uploaded certificate document, newest first in lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub id: i64,
    #[serde(default, with = "crate::domain::dates::optional")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, with = "crate::domain::dates::optional")]
    pub end_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub reminder: Option<String>,
    pub validated: bool,
    pub uploaded_at_ms: i64,
    /// The uploaded file's safe name; `None` for a certificate recorded without a file (imports).
    pub file_name: Option<String>,
    pub uploaded_by: Option<String>,
    /// Cover in whole pounds, issuer and number, as the uploader confirmed them.
    pub cover: Option<i64>,
    pub issuer: Option<String>,
    pub reference: Option<String>,
    /// How the typed values compare with what the document says (uploaded PDFs only).
    pub check: Option<crate::domain::certificate_reading::DocumentCheck>,
    /// Ticked Valid moments ago: the tick may still be undone.
    #[serde(default)]
    pub undoable: bool,
    /// The file is an image, so the page can show it before it is ticked Valid.
    #[serde(default)]
    pub is_image: bool,
}

/// A required certificate type on the contractor's Certification tab: its status and documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementDetail {
    pub certificate_type_id: i64,
    pub certificate_type: String,
    /// The least cover a document must record, in whole pounds.
    pub minimum_cover: Option<i64>,
    pub status: super::compliance::TypeStatus,
    pub documents: Vec<DocumentSummary>,
    /// How far chasing has gone in this certificate's spell, and its next step.
    #[serde(default)]
    pub chasing: Option<String>,
}

/// The Certification tab of a contractor's profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractorCertification {
    pub contractor_id: i64,
    pub company_name: String,
    pub light: super::compliance::TrafficLight,
    /// "Suspended for new work since …: … not provided after chasing".
    #[serde(default)]
    pub suspension: Option<String>,
    pub requirements: Vec<RequirementDetail>,
    /// Types that could still be requested: (id, name).
    pub requestable: Vec<(i64, String)>,
    /// The viewer may request certificates and validate documents.
    pub can_manage: bool,
    /// The viewer may upload documents: the contractor's office, or an agent who manages
    /// certification.
    pub can_upload: bool,
    /// Who requested, uploaded, validated and overrode, newest first (agents only).
    pub history: Vec<HistoryEntry>,
    /// The agency's kinds of work and whether this contractor has each (for the office, only
    /// those it has).
    #[serde(default)]
    pub work_kinds: Vec<WorkKindChoice>,
}

/// A kind of work beside a contractor: whether the contractor has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkKindChoice {
    pub id: i64,
    pub name: String,
    pub held: bool,
}

/// One line of a contractor's certification history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Date and time in the agency's zone and date format.
    pub when: String,
    pub who: String,
    pub what: String,
}

/// A choice of contractor when instructing works: the compliance light beside each name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractorChoice {
    pub id: i64,
    pub company_name: String,
    pub trade: Option<String>,
    pub light: super::compliance::TrafficLight,
    /// Suspended for new work by the chasing ladder.
    #[serde(default)]
    pub suspended: bool,
}

/// The compliance verdict on a contractor for a piece of work, shown as soon as the agent chooses
/// the contractor, its kind and its due date (the server checks again when the works are sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCheck {
    /// The light the instruct rule applies: red when a certificate lapses before the work.
    pub light: super::compliance::TrafficLight,
    /// The certificates at fault, today's and those lapsing before the work.
    pub problems: Vec<String>,
    /// This agent may send the works anyway, with a reason.
    pub can_override: bool,
}

/// What the "Instruct works" form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructChoices {
    pub properties: Vec<(i64, String)>,
    pub contractors: Vec<ContractorChoice>,
    pub can_override: bool,
    /// Certificate types a task can require of its technicians.
    pub technician_types: Vec<(i64, String)>,
    /// The agency's kinds of work, by name.
    pub work_kinds: Vec<(i64, String)>,
}

/// The answer to instructing works: done, or refused by the compliance rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstructOutcome {
    Instructed {
        task_id: i64,
        reference: String,
        overridden: bool,
    },
    /// The contractor is red. `problems` names each certificate ("Gas safety: expired");
    /// `alternatives` are compliant contractors of the same trade.
    Blocked {
        company_name: String,
        problems: Vec<String>,
        can_override: bool,
        alternatives: Vec<ContractorChoice>,
    },
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
    /// The agency's kinds of work, for the filter.
    #[serde(default)]
    pub work_kinds: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub contractor_id: i64,
    pub company_name: String,
    pub light: super::compliance::TrafficLight,
    pub cells: Vec<super::compliance::TypeStatus>,
    /// Suspended for new work by the chasing ladder.
    #[serde(default)]
    pub suspended: bool,
}

/// A certificate type of the agency, built in or its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateTypeRow {
    pub id: i64,
    pub name: String,
    pub built_in: bool,
    /// Also asked of technicians, as accreditations.
    pub applies_to_technicians: bool,
    /// How many contractors are required to hold it.
    pub required_of: i64,
    /// The least cover a document must record, in whole pounds.
    pub minimum_cover: Option<i64>,
}

/// One row of an import preview: where it is, what it names, and what it will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub line: usize,
    pub contractor: String,
    pub certificate: String,
    /// The dates as read, the month in words ("4 Feb 2026"), so a swapped day and month shows.
    pub start: Option<String>,
    pub end: Option<String>,
    pub outcome: super::import::Outcome,
}

/// What an import would do, row by row, before anything changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Said when the file was not UTF-8 and was converted.
    pub note: Option<String>,
    pub rows: Vec<PreviewRow>,
    pub creates: u32,
    pub updates: u32,
    pub unchanged: u32,
    pub duplicates: u32,
    pub errors: u32,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportResult {
    pub imported: u32,
    /// Rows left out: errors, duplicates and certificates already recorded.
    pub skipped: u32,
    pub errors: u32,
}

/// One entry of a task's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Date and time in the agency's zone and date format.
    pub when: String,
    pub who: String,
    pub what: String,
    pub reason: Option<String>,
}

/// A task as the Desk view, the Tech view and the agency show it: its summary, what the viewer
/// may do now, and its timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDetail {
    pub summary: TaskSummary,
    pub description: Option<String>,
    pub purchase_order: Option<String>,
    pub access_details: Option<String>,
    pub contractor: Option<String>,
    pub actions: Vec<crate::domain::task_status::TaskAction>,
    pub timeline: Vec<TimelineEntry>,
    #[serde(default, with = "crate::domain::dates::optional")]
    pub on_site_date: Option<NaiveDate>,
    pub documents: Vec<TaskDocumentEntry>,
    /// Agents allowed to instruct work and the contractor's office; technicians read only.
    pub can_message: bool,
    /// Agents allowed to instruct work, on tasks not archived.
    pub can_add_client_documents: bool,
    pub service_tasks: Vec<ServiceTaskEntry>,
    pub defects: Vec<DefectEntry>,
    /// The contractor's office and assigned technicians, between accepting and performing.
    pub can_record_work: bool,
    /// Agents allowed to instruct work, on finished tasks not yet archived.
    pub can_archive: bool,
    /// Certificate types the task requires of its technicians.
    pub required_types: Vec<String>,
    pub technicians: Vec<AssignedTechnician>,
    /// The contractor's office, while technicians can still be assigned.
    pub can_assign: bool,
    /// For the office while it can assign: its active technicians with their gaps.
    pub technician_choices: Vec<TechnicianChoice>,
    /// The notes of "I've performed this work".
    pub performed_notes: Option<String>,
    pub signatures: Vec<SignatureEntry>,
    /// The service report (PDF) exists once the work is performed on site.
    pub report_available: bool,
    /// Its issued versions, newest first (filled by the page's loader).
    #[serde(default)]
    pub report_versions: Vec<ReportVersionEntry>,
    /// The kind of work the task names, if any.
    #[serde(default)]
    pub work_kind: Option<String>,
    /// For the agent and the contractor's office while the work is still to be done: the
    /// certificates at fault for this work, today or on the day of the work (scheduled, else due).
    #[serde(default)]
    pub compliance_on_the_day: Vec<String>,
}

/// A service task of a task, with its result once recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceTaskEntry {
    pub id: i64,
    pub name: String,
    pub reading_expected: bool,
    pub outcome: Option<crate::domain::service_tasks::Outcome>,
    pub reading: Option<String>,
    /// "Sam Carter, 22/11/2026 10:04" once recorded.
    pub recorded: Option<String>,
}

/// A defect found on site; its photos are at `/files/defect-photos/{id}/thumbnail|view`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectEntry {
    pub id: i64,
    pub service_task: Option<String>,
    pub description: String,
    pub severity: crate::domain::service_tasks::Severity,
    pub who: String,
    pub when: String,
    pub photos: Vec<i64>,
}

/// A file on a task, downloadable at `/files/tasks/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDocumentEntry {
    pub id: i64,
    pub kind: crate::domain::task_work::DocumentKind,
    pub file_name: String,
    /// Date and time in the agency's zone and date format.
    pub when: String,
    pub who: String,
}

/// One message of a task's chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEntry {
    pub id: i64,
    pub when: String,
    pub who: String,
    pub from_agency: bool,
    /// Written by the one reading.
    pub mine: bool,
    pub body: String,
}

/// A property on the agency's Properties page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyRow {
    pub id: i64,
    pub details: super::properties::PropertyDetails,
    /// Tasks on it that are not completed, rejected or archived.
    pub open_tasks: i64,
}

/// A technician on the contractor's Team page, with their accreditations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub mobile: Option<String>,
    pub active: bool,
    pub accreditations: Vec<AccreditationRow>,
}

/// One uploaded accreditation; `expired` when its end date has passed (agency's today).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccreditationRow {
    pub id: i64,
    pub type_name: String,
    #[serde(default, with = "crate::domain::dates::optional")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, with = "crate::domain::dates::optional")]
    pub end_date: Option<NaiveDate>,
    pub file_name: String,
    /// Uploaded with a file (the demo's are typed from a paper copy).
    pub has_file: bool,
    pub expired: bool,
}

/// The Team page: the technicians, and the certificate types that apply to technicians.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub members: Vec<TeamMember>,
    pub technician_types: Vec<(i64, String)>,
}

/// A technician as a picker offers them for a set of tasks: what they lack of those tasks'
/// requirements ("Gas Safe registration (expired 01/10/2026)"), and on how many of the tasks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianChoice {
    pub id: i64,
    pub name: String,
    pub gaps: Vec<String>,
    pub tasks_with_gaps: u32,
}

/// What a (bulk) assignment will change, shown before it is confirmed, and what it did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentSummary {
    pub tasks: u32,
    /// Task-technician pairs that are new.
    pub new_assignments: u32,
    /// Tasks whose scheduled date changes.
    pub rescheduled: u32,
    /// "Tom Baker: Gas Safe registration (missing) on 3 tasks".
    pub warnings: Vec<String>,
    /// Emails queued (one per technician with new tasks); 0 in a preview.
    pub emails: u32,
}

/// A technician on a task, as the task page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedTechnician {
    pub id: i64,
    pub name: String,
    /// What they lacked when assigned anyway, for the agency to see.
    pub accreditation_gaps: Option<String>,
}

/// A technician's details as the office types them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianDetails {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub mobile: String,
}

/// A selection of tasks to assign: the ids ticked, or every task matching the dashboard's
/// filter (its query string), with the technicians and the scheduled date (`YYYY-MM-DD`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRequest {
    #[serde(default)]
    pub task_ids: Vec<i64>,
    #[serde(default)]
    pub matching: Option<String>,
    #[serde(default)]
    pub technician_ids: Vec<i64>,
    #[serde(default)]
    pub scheduled_date: Option<String>,
}

/// "I've performed this work" as the form sends it: strokes as JSON of
/// `domain::signature::Drawing`; the client's signature is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformForm {
    pub task_id: i64,
    #[serde(default)]
    pub notes: String,
    pub signer_name: String,
    pub signature: String,
    #[serde(default)]
    pub client_name: String,
    #[serde(default)]
    pub client_signature: String,
}

/// A signature on a task, as the task page lists it; its PNG is `/files/signatures/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureEntry {
    pub id: i64,
    /// "Contractor" or "Client".
    pub role: String,
    pub name: String,
    pub when: String,
}

/// A Desk user's preferences: their mobile number and saved signature (strokes as JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub saved_signature: Option<String>,
}

/// A version of a task's service report, as the task page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportVersionEntry {
    pub version: i64,
    /// The code `/verify/{code}` answers to.
    pub code: String,
    /// Date and time in the agency's zone and date format.
    pub issued: String,
    pub withdrawn: bool,
}

/// What `/verify/{code}` shows anyone holding the code: only what proves the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportVerification {
    pub agency: String,
    pub reference: String,
    pub postcode: String,
    pub performed_on: Option<String>,
    /// "Contractor: Łukasz Wiśniewski, signed 03/12/2026 10:04".
    pub signatures: Vec<String>,
    pub version: i64,
    pub latest_version: i64,
    pub issued: String,
    pub sha256: String,
}
