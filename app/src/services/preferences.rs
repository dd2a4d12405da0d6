//! A Desk user's preferences: their mobile number and a saved signature. The saved signature is
//! never put on a report by itself: the signing form offers it, and the person signs with it.

use super::auth::Actor;
use super::ServiceError;
use crate::db::audit;
use crate::domain::identity::normalize_mobile;
use crate::domain::records::Preferences;
use crate::domain::signature::{check_signature, Drawing};
use crate::files::{signatures, Staged};
use crate::services::Context;

pub async fn load(cx: &Context, actor: &Actor) -> Result<Preferences, ServiceError> {
    actor.require_contractor_office()?;
    let mobile: Option<String> = sqlx::query_scalar("SELECT mobile FROM users WHERE id = $1")
        .bind(actor.user_id)
        .fetch_one(cx.db.pool())
        .await?;
    let saved_signature: Option<String> = sqlx::query_scalar(
        "SELECT strokes FROM signatures WHERE user_id = $1 AND role = 'saved' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(actor.user_id)
    .fetch_optional(cx.db.pool())
    .await?;
    Ok(Preferences {
        mobile: mobile.unwrap_or_default(),
        saved_signature,
    })
}

/// What the preferences form changes about the saved signature.
pub enum SavedSignature {
    Keep,
    Replace(Drawing),
    Forget,
}

pub async fn save(
    cx: &Context,
    actor: &Actor,
    mobile: &str,
    signature: SavedSignature,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require_contractor_office()?;
    let mobile = normalize_mobile(mobile).map_err(|e| ServiceError::invalid("mobile", e))?;
    let mut staged = Staged::new(&cx.files);
    let key = match &signature {
        SavedSignature::Replace(drawing) => {
            check_signature(drawing, &actor.name)
                .map_err(|e| ServiceError::invalid("signature", e.to_string()))?;
            Some(
                staged
                    .put(
                        "signatures",
                        actor.agency_id,
                        "png",
                        &signatures::png(drawing),
                    )
                    .await
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            )
        }
        _ => None,
    };
    let saved = async {
        let mut tx = cx.db.begin_write().await?;
        sqlx::query("UPDATE users SET mobile = $1 WHERE id = $2")
            .bind(mobile)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
        if !matches!(signature, SavedSignature::Keep) {
            sqlx::query("DELETE FROM signatures WHERE user_id = $1 AND role = 'saved'")
                .bind(actor.user_id)
                .execute(&mut *tx)
                .await?;
        }
        if let (SavedSignature::Replace(drawing), Some(key)) = (&signature, &key) {
            super::tasks::perform::insert_signature(
                &mut tx,
                actor.agency_id,
                None,
                Some(actor.user_id),
                "saved",
                &actor.name,
                drawing,
                key,
                now,
            )
            .await?;
        }
        audit::record(
            &mut *tx,
            actor.agency_id,
            actor.audit_by(),
            "preferences_saved",
            Some(actor.user_id),
            "",
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<(), ServiceError>(())
    }
    .await;
    staged.settle(saved).await
}
