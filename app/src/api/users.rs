//! The agency's people, for administrators.

use super::ApiError;
use crate::domain::identity::Permission;
use crate::domain::records::Directory;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::request, crate::services::auth::now, crate::services::users};

#[server(prefix = "/rpc", endpoint = "users/list")]
pub async fn list_users() -> Result<Directory, ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(users::directory(&context, &actor).await?)
}

/// Creates an agent account and emails them a link to choose a password.
#[server(prefix = "/rpc", endpoint = "users/invite")]
pub async fn invite_user(name: String, email: String, role_id: i64) -> Result<String, ApiError> {
    let (context, actor) = request::actor().await?;
    let invitation = users::Invitation {
        name: &name,
        email: &email,
        role_id,
    };
    users::invite_agent(&context, &actor, invitation, now()).await?;
    Ok(format!("Invitation sent to {}.", email.trim()))
}

#[server(prefix = "/rpc", endpoint = "users/role")]
pub async fn change_user_role(user_id: i64, role_id: i64) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(users::change_role(&context, &actor, user_id, role_id, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "users/active")]
pub async fn set_user_active(user_id: i64, active: bool) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(users::set_active(&context, &actor, user_id, active, now()).await?)
}

#[server(prefix = "/rpc", endpoint = "users/role_permission")]
pub async fn set_role_permission(
    role_id: i64,
    permission: Permission,
    allowed: bool,
) -> Result<(), ApiError> {
    let (context, actor) = request::actor().await?;
    Ok(users::set_role_permission(&context, &actor, role_id, permission, allowed, now()).await?)
}
