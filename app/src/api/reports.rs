//! Withdrawing a service report version's code, and the public verification of a code. (The
//! task page reads the versions with the task: `load_task`.)

use super::ApiError;
use crate::domain::records::ReportVerification;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::request, crate::services::auth::now, crate::services::tasks::report};

/// The agency withdraws the code of one version: its verification page stops showing the record.
#[server(prefix = "/rpc", endpoint = "reports/withdraw")]
pub async fn withdraw_report_code(task_id: i64, version: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(report::withdraw_code(&context, &actor, task_id, version, now()).await?)
}

/// What a report's code proves, for anyone who has the code: no sign-in.
#[server(prefix = "/rpc", endpoint = "reports/verification")]
pub async fn verify_report_code(code: String) -> Result<ReportVerification, ApiError> {
    let context = request::context()?;
    Ok(report::verification(&context, &code).await?)
}
