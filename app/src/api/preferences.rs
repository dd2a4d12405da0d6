//! A Desk user's preferences.

use super::ApiError;
use crate::domain::records::Preferences;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::request,
    crate::services::auth::now,
    crate::services::preferences::{self, SavedSignature},
};

#[server(prefix = "/rpc", endpoint = "preferences/load")]
pub async fn load_preferences() -> Result<Preferences, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(preferences::load(&context, &actor).await?)
}

/// `signature`: the strokes (JSON) of a new saved signature, empty to keep the one saved;
/// `forget`: remove the saved signature.
#[server(prefix = "/rpc", endpoint = "preferences/save")]
pub async fn save_preferences(
    #[server(default)] mobile: String,
    #[server(default)] signature: String,
    #[server(default)] forget: bool,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    let signature = if forget {
        SavedSignature::Forget
    } else if signature.trim().is_empty() {
        SavedSignature::Keep
    } else {
        SavedSignature::Replace(serde_json::from_str(&signature).map_err(|_| {
            ApiError::Invalid {
                field: "signature".into(),
                message: "The signature could not be read. Clear it and sign again.".into(),
            }
        })?)
    };
    Ok(preferences::save(&context, &actor, &mobile, signature, now()).await?)
}
