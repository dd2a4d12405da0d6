//! API keys: administrators make, list and revoke them; a request presenting one becomes an
//! [`Actor`] (the key's maker, narrowed to the key's scopes) after its rate limit is counted.

use super::auth::{self, Actor};
use super::{Context, ServiceError};
use crate::db::{api_keys, audit};
use crate::domain::api_keys::{
    self as rules, has_key_shape, KeyActivity, KeySummary, NewKeyShown, Scope, Scopes,
};
use crate::domain::audit::action_label;
use crate::domain::identity::Permission;

/// The agency's keys, newest first.
pub async fn list(cx: &Context, actor: &Actor) -> Result<Vec<KeySummary>, ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let at = actor.instant_format();
    Ok(api_keys::of_agency(cx.db.pool(), actor.agency_id)
        .await?
        .into_iter()
        .map(|row| KeySummary {
            id: row.id,
            name: row.name,
            scopes: Scopes::from_text(&row.scopes).iter().collect(),
            hint: row.key_hint,
            created_by: row.created_by_name.unwrap_or_default(),
            created: at(row.created_at),
            last_used: row.last_used_at.map(&at),
            revoked: row.revoked_at.map(&at),
        })
        .collect())
}

/// The most changes a key's activity lists.
pub const ACTIVITY_LIMIT: i64 = 100;

/// What a key of the agency changed, newest first (at most [`ACTIVITY_LIMIT`]).
pub async fn activity(
    cx: &Context,
    actor: &Actor,
    key_id: i64,
) -> Result<Vec<KeyActivity>, ServiceError> {
    actor.require(Permission::ManageUsers)?;
    if !api_keys::is_of_agency(cx.db.pool(), actor.agency_id, key_id).await? {
        return Err(ServiceError::NotFound("API key"));
    }
    let at = actor.instant_format();
    Ok(
        audit::of_api_key(cx.db.pool(), actor.agency_id, key_id, ACTIVITY_LIMIT)
            .await?
            .into_iter()
            .map(|row| KeyActivity {
                when: at(row.at),
                what: match row.detail.as_str() {
                    "" => action_label(&row.action),
                    detail => format!("{}: {detail}", action_label(&row.action)),
                },
                contractor: row.company_name,
            })
            .collect(),
    )
}

/// Makes a key; its text is in the answer and nowhere else.
pub async fn create(
    cx: &Context,
    actor: &Actor,
    name: &str,
    scopes: Scopes,
    now: i64,
) -> Result<NewKeyShown, ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let name = rules::key_name(name).map_err(|e| ServiceError::invalid("name", e.message))?;
    if scopes.is_empty() {
        return Err(ServiceError::invalid(
            "scopes",
            "Choose at least one thing this key may do.",
        ));
    }
    let key = rules::key_text(&auth::random_bytes());
    let scope_text = scopes.to_text();
    let mut tx = cx.db.begin_write().await?;
    let id = api_keys::insert(
        &mut *tx,
        &api_keys::NewKey {
            agency_id: actor.agency_id,
            name: &name,
            scopes: &scope_text,
            key_hash: &auth::token_hash(&key),
            key_hint: &rules::hint(&key),
            created_by: actor.user_id,
        },
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "api_key_created",
        None,
        &format!("{name} ({scope_text})"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(NewKeyShown { id, name, key })
}

/// Revokes a key: the next request presenting it, on any instance, is refused.
pub async fn revoke(cx: &Context, actor: &Actor, id: i64, now: i64) -> Result<(), ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let mut tx = cx.db.begin_write().await?;
    let Some(name) = api_keys::revoke(&mut *tx, actor.agency_id, id, actor.user_id, now).await?
    else {
        return Err(ServiceError::NotFound("API key"));
    };
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "api_key_revoked",
        None,
        &name,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A request made through a key.
#[derive(Clone, Debug)]
pub struct KeyCaller {
    pub actor: Actor,
    pub scopes: Scopes,
}

impl KeyCaller {
    /// The key must carry `scope`; the answer names it so the developer knows what to ask for.
    pub fn require(&self, scope: Scope) -> Result<(), ServiceError> {
        if self.scopes.has(scope) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(scope_message(scope)))
        }
    }
}

fn scope_message(scope: Scope) -> &'static str {
    match scope {
        Scope::ContractorsRead => "this API key lacks the contractors:read scope",
        Scope::CertificationRead => "this API key lacks the certification:read scope",
        Scope::CertificationWrite => "this API key lacks the certification:write scope",
        Scope::TasksRead => "this API key lacks the tasks:read scope",
        Scope::TasksWrite => "this API key lacks the tasks:write scope",
        Scope::WebhooksManage => "this API key lacks the webhooks:manage scope",
    }
}

/// Who a presented key acts as, after counting the request against the key's limit per minute
/// (`limit`, reserved a block at a time: [`Reservations`](super::api_limit::Reservations)). An
/// unknown or revoked key, or one whose maker has left or lost the administrator role, is
/// `NotSignedIn`; over the limit is `TooManyAttempts`.
pub async fn authenticate(
    cx: &Context,
    presented: &str,
    limit: i64,
    now: i64,
) -> Result<KeyCaller, ServiceError> {
    if !has_key_shape(presented) {
        return Err(ServiceError::NotSignedIn);
    }
    let Some(key) = api_keys::by_hash(cx.db.pool(), &auth::token_hash(presented)).await? else {
        return Err(ServiceError::NotSignedIn);
    };
    if key.revoked_at.is_some() {
        return Err(ServiceError::NotSignedIn);
    }
    let Some(maker) = auth::load_actor(cx, key.created_by).await? else {
        return Err(ServiceError::NotSignedIn);
    };
    if maker.agency_id != key.agency_id || !maker.permissions.allows(Permission::ManageUsers) {
        return Err(ServiceError::NotSignedIn);
    }
    if !cx.api_reservations.take(&cx.db, key.id, limit, now).await? {
        return Err(ServiceError::TooManyAttempts {
            wait_ms: rules::retry_after(rules::window_start(now), now) * 1000,
        });
    }
    let scopes = Scopes::from_text(&key.scopes);
    let actor = Actor {
        permissions: scopes.narrow(maker.permissions),
        api_key_id: Some(key.id),
        ..maker
    };
    Ok(KeyCaller { actor, scopes })
}
