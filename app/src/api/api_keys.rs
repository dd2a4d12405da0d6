//! API keys on the Settings > API page.

use super::ApiError;
use crate::domain::api_keys::{KeyActivity, KeySummary, NewKeyShown};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::domain::api_keys::Scopes,
    crate::services::{api_keys, auth::now},
};

#[server(prefix = "/rpc", endpoint = "api_keys/list")]
pub async fn list_api_keys() -> Result<Vec<KeySummary>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(api_keys::list(&context, &actor).await?)
}

/// What one key changed, newest first.
#[server(prefix = "/rpc", endpoint = "api_keys/activity")]
pub async fn api_key_activity(key_id: i64) -> Result<Vec<KeyActivity>, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(api_keys::activity(&context, &actor, key_id).await?)
}

/// The form: a name and one checkbox per scope (sent as "on" only when ticked).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ApiKeyForm {
    pub name: String,
    #[serde(default)]
    pub contractors_read: Option<String>,
    #[serde(default)]
    pub certification_read: Option<String>,
    #[serde(default)]
    pub certification_write: Option<String>,
    #[serde(default)]
    pub tasks_read: Option<String>,
    #[serde(default)]
    pub tasks_write: Option<String>,
    #[serde(default)]
    pub webhooks_manage: Option<String>,
}

#[server(prefix = "/rpc", endpoint = "api_keys/create")]
pub async fn create_api_key(key: ApiKeyForm) -> Result<NewKeyShown, ApiError> {
    let (context, actor) = request::actor().await?;
    let ticked = [
        (key.contractors_read.is_some(), "contractors:read"),
        (key.certification_read.is_some(), "certification:read"),
        (key.certification_write.is_some(), "certification:write"),
        (key.tasks_read.is_some(), "tasks:read"),
        (key.tasks_write.is_some(), "tasks:write"),
        (key.webhooks_manage.is_some(), "webhooks:manage"),
    ];
    let scopes = Scopes::chosen(
        ticked
            .into_iter()
            .filter_map(|(ticked, name)| ticked.then_some(name)),
    )?;
    Ok(api_keys::create(&context, &actor, &key.name, scopes, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "api_keys/revoke")]
pub async fn revoke_api_key(key_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(api_keys::revoke(&context, &actor, key_id, now()).await?)
}
