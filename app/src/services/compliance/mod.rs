//! Contractor certification: requirements, documents, validation and the statuses computed from
//! them with `domain::compliance`. Agents act within their agency; a contractor's office only on
//! its own company. Imports run downward only:
//!
//! - `cache` (bottom): the agency's day, and every contractor's statuses computed once per
//!   certification version;
//! - `access`: which contractors and certificate types an actor may reach;
//! - `documents` (requests, uploads, validation), `gate` (the instruct rule on the day of the
//!   work) and `views` (what the certification pages read).

pub mod access;
pub mod cache;
pub mod documents;
pub mod gate;
pub mod views;

pub(crate) use access::{own_certificate_type, visible_contractor};
pub use cache::StatusCache;
pub(crate) use cache::{agency_view, bump_certification_version, AgencyView, Changed};
pub use documents::{
    add_document, document_file, request_certificate, to_validate, undo_validation,
    upload_document, upload_url, validate_document, NewDocument, Upload,
};
pub(crate) use documents::{contractor_recipients, may_upload, require_certificate_in, Request};
pub(crate) use gate::judge_work;
pub use gate::{check_instruction, Instruction, Judgement, WorkToJudge};
pub(crate) use views::outstanding_certificates;
pub use views::{
    contractor_certification, contractor_lights, contractor_list, contractor_page,
    contractor_requirements, matrix, outstanding_requests, summary, ContractorQuery, MatrixFilter,
    CONTRACTOR_PAGE_SIZE, MATRIX_PAGE_SIZE,
};
