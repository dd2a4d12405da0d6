//! "I've performed this work": notes, the technician's or office's signature drawn on the pad,
//! and optionally the client's with their printed name. The task becomes Performed (need docs),
//! so the office knows the final documents are still to come. Signatures are rendered to PNG by
//! the server from their strokes and kept with who signed, when, and for which task.

use super::access::{check_signed_step, publish_task_change, record_step, TaskChanges};
use crate::domain::acted_at::ActedAt;
use crate::domain::signature::{check_signature, Drawing};
use crate::domain::task_status::{TaskAction, TaskStatus};
use crate::events::Topic;
use crate::files::{signatures, Staged};
use crate::services::auth::Actor;
use crate::services::Context;
use crate::services::ServiceError;

/// A signature as drawn, with the signer's printed name.
#[derive(Clone, Debug)]
pub struct Signed {
    pub name: String,
    pub drawing: Drawing,
}

/// What "I've performed this work" sends.
#[derive(Clone, Debug)]
pub struct PerformedWork {
    pub notes: String,
    pub signer: Signed,
    pub client: Option<Signed>,
}

const MAX_NOTES: usize = 4_000;

/// Records the work as performed on site, with its notes and signatures, in one transaction, at
/// the phone's time when it was queued on a phone without signal (`domain::acted_at`).
pub async fn perform_on_site(
    cx: &Context,
    actor: &Actor,
    task_id: i64,
    work: PerformedWork,
    acted: impl Into<ActedAt>,
) -> Result<TaskStatus, ServiceError> {
    let acted = acted.into();
    let now = acted.received;
    let notes = work.notes.trim();
    if notes.chars().count() > MAX_NOTES {
        return Err(ServiceError::invalid(
            "notes",
            format!("Keep the notes under {MAX_NOTES} characters."),
        ));
    }
    let signer = check_signature(&work.signer.drawing, &work.signer.name)
        .map_err(|e| ServiceError::invalid("signature", e.to_string()))?;
    let client = match &work.client {
        Some(client) => Some(
            check_signature(&client.drawing, &client.name)
                .map_err(|e| ServiceError::invalid("client_signature", e.to_string()))?,
        ),
        None => None,
    };
    let step = check_signed_step(
        &cx.db,
        actor,
        task_id,
        TaskAction::PerformedOnSite,
        None,
        true,
    )
    .await?;
    let mut staged = Staged::new(&cx.files);
    let mut signed = vec![(
        "contractor",
        signer,
        &work.signer.drawing,
        Some(actor.user_id),
    )];
    if let (Some(name), Some(c)) = (client, &work.client) {
        signed.push(("client", name, &c.drawing, None));
    }
    let recorded = async {
        let mut keys = Vec::new();
        for (_, _, drawing, _) in &signed {
            let key = staged
                .put(
                    "signatures",
                    actor.agency_id,
                    "png",
                    &signatures::png(drawing),
                )
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            keys.push(key);
        }
        let mut tx = cx.db.begin_write().await?;
        let changes = TaskChanges {
            phone_time: acted.phone,
            ..TaskChanges::default()
        };
        let signed_at = record_step(&mut tx, actor, &step, changes, now).await?;
        sqlx::query("UPDATE tasks SET performed_notes = $1 WHERE id = $2")
            .bind((!notes.is_empty()).then_some(notes))
            .bind(task_id)
            .execute(&mut *tx)
            .await?;
        for ((role, name, drawing, user), key) in signed.iter().zip(&keys) {
            insert_signature(
                &mut tx,
                actor.agency_id,
                Some(task_id),
                *user,
                role,
                name,
                drawing,
                key,
                signed_at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok::<(), ServiceError>(())
    }
    .await;
    staged.settle(recorded).await?;
    publish_task_change(
        &cx.db,
        actor.agency_id,
        step.contractor_id,
        task_id,
        Topic::Task,
    )
    .await;
    Ok(step.to)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_signature(
    tx: &mut sqlx::AnyConnection,
    agency_id: i64,
    task_id: Option<i64>,
    user_id: Option<i64>,
    role: &str,
    name: &str,
    drawing: &Drawing,
    png_key: &str,
    now: i64,
) -> Result<i64, ServiceError> {
    let strokes = serde_json::to_string(drawing)
        .map_err(|e| ServiceError::Internal(format!("signature strokes: {e}")))?;
    Ok(sqlx::query_scalar(
        "INSERT INTO signatures (agency_id, task_id, user_id, role, signer_name, strokes, \
         png_key, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(agency_id)
    .bind(task_id)
    .bind(user_id)
    .bind(role)
    .bind(name)
    .bind(strokes)
    .bind(png_key)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?)
}
