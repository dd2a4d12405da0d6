//! Certificates read for the user: the text of an uploaded PDF (in a bounded child process,
//! one turn of `heavy::Work::Reading` each) turned into proposed dates, issuer, number and
//! cover. A proposal fills the upload form; the reading stored with a document lets the agent
//! see, before ticking Valid, whether the typed values agree with the document.

use super::auth::Actor;
use super::compliance::{may_upload, own_certificate_type, Upload};
use super::heavy::{turn, Work};
use super::ServiceError;
use crate::domain::certificate_reading::{has_text, read_certificate, Proposal, ReadOutcome};
use crate::domain::files::FileKind;
use crate::files::certificate_text::{pdf_text, TextError};
use crate::services::Context;

/// Reads a checked file: only PDFs are read; anything else proposes nothing.
pub async fn read_file(kind: FileKind, bytes: &[u8], certificate_type: &str) -> Proposal {
    if kind != FileKind::Pdf {
        return Proposal::default();
    }
    let outcome = |outcome| Proposal {
        outcome: Some(outcome),
        reading: Default::default(),
    };
    let Ok(_turn) = turn(Work::Reading).await else {
        return outcome(ReadOutcome::Unreadable);
    };
    match pdf_text(bytes).await {
        Ok(text) if !has_text(&text) => outcome(ReadOutcome::NoText),
        Ok(text) => Proposal {
            outcome: Some(ReadOutcome::Read),
            reading: read_certificate(&text, certificate_type),
        },
        Err(TextError::TimedOut) => outcome(ReadOutcome::TimedOut),
        Err(TextError::NoReader) => {
            tracing::error!("a certificate PDF was not read: no reader is set up");
            outcome(ReadOutcome::Unreadable)
        }
        Err(TextError::Unreadable) => outcome(ReadOutcome::Unreadable),
    }
}

/// What the upload form is pre-filled with: the file is checked as an upload would be, read,
/// and forgotten (nothing is stored). Allowed to whoever may upload for that type.
pub async fn propose(
    cx: &Context,
    actor: &Actor,
    certificate_type_id: i64,
    upload: &Upload,
) -> Result<Proposal, ServiceError> {
    may_upload(actor)?;
    let type_name = own_certificate_type(&cx.db, actor, certificate_type_id).await?;
    let kind = upload.certificate_file_kind()?;
    Ok(read_file(kind, &upload.bytes, &type_name).await)
}
