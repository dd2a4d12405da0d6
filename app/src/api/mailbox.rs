//! The development mailbox: in demo mode, every email the product wrote, newest first, so
//! emailed links can be followed without a mail server. It does not exist outside demo mode.

use super::ApiError;
use crate::domain::records::MailView;
use leptos::prelude::*;

#[server(prefix = "/rpc", endpoint = "dev/mailbox")]
pub async fn dev_mailbox() -> Result<Vec<MailView>, ApiError> {
    let context = super::request::context()?;
    if !use_context::<super::DemoMode>().is_some_and(|demo| demo.0) {
        return Err(ApiError::NotFound("mailbox".into()));
    }
    let rows = crate::db::outbox::latest(context.db.pool(), 100)
        .await
        .map_err(crate::services::ServiceError::from)?;
    Ok(rows
        .into_iter()
        .map(|m| MailView {
            id: m.id,
            state: match (m.sent_at, m.gave_up_at) {
                (Some(_), _) => "sent".into(),
                (None, Some(_)) => format!("failed: {}", m.last_error.unwrap_or_default()),
                (None, None) => "waiting to be sent".into(),
            },
            to: m.to_address,
            subject: m.subject,
            body_text: m.body_text,
            created_at_ms: m.created_at,
        })
        .collect())
}
