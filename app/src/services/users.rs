//! The agency's people: list, invite, change role, disable and enable. Administrators only
//! (the "manage users" permission), and only within their own agency.

use super::auth::{issue_link, Actor};
use super::ServiceError;
use crate::db::{audit, sessions, users};
use crate::domain::identity::{self, LinkPurpose, Permission, UserKind};
use crate::domain::records::{Directory, RoleSummary, UserSummary};
use crate::services::Context;

pub async fn directory(cx: &Context, actor: &Actor) -> Result<Directory, ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let users = users::in_agency(cx.db.pool(), actor.agency_id)
        .await?
        .into_iter()
        .filter_map(|u| {
            Some(UserSummary {
                id: u.id,
                kind: UserKind::parse(&u.kind)?,
                has_password: u.password_hash.is_some(),
                name: u.name,
                email: u.email,
                role_id: u.role_id,
                role_name: u.role_name,
                company_name: u.company_name,
                active: u.active == 1,
            })
        })
        .collect();
    let roles = users::roles_of_agency(cx.db.pool(), actor.agency_id)
        .await?
        .into_iter()
        .map(|r| RoleSummary {
            id: r.id,
            name: r.name,
            permissions: identity::Permissions {
                manage_users: r.can_manage_users == 1,
                manage_certification: r.can_manage_certification == 1,
                instruct_work: r.can_instruct_work == 1,
                override_compliance: r.can_override_compliance == 1,
            },
        })
        .collect();
    Ok(Directory { users, roles })
}

async fn own_role(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    role_id: i64,
) -> Result<users::RoleRecord, ServiceError> {
    users::roles_of_agency(conn, actor.agency_id)
        .await?
        .into_iter()
        .find(|r| r.id == role_id)
        .ok_or(ServiceError::NotFound("role"))
}

/// A user of the actor's agency, or `NotFound` (also for another agency's user).
async fn own_user(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    user_id: i64,
) -> Result<users::UserRecord, ServiceError> {
    users::by_id(conn, user_id)
        .await?
        .filter(|u| u.agency_id == actor.agency_id)
        .ok_or(ServiceError::NotFound("user"))
}

pub struct Invitation<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role_id: i64,
}

/// Creates an agent account and emails an invitation to choose a password, in one transaction.
pub async fn invite_agent(
    cx: &Context,
    actor: &Actor,
    invitation: Invitation<'_>,
    now: i64,
) -> Result<i64, ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let name = invitation.name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid("name", "Enter the person's name."));
    }
    if name.chars().count() > 120 {
        return Err(ServiceError::invalid("name", "Use at most 120 characters."));
    }
    let email = identity::normalize_email(invitation.email)
        .map_err(|m| ServiceError::invalid("email", m))?;
    let mut tx = cx.db.begin_write().await?;
    let role = own_role(&mut tx, actor, invitation.role_id).await?;
    if users::by_email(&mut *tx, &email).await?.is_some() {
        return Err(ServiceError::invalid(
            "email",
            "Someone already has an account with this email address.",
        ));
    }
    let user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (agency_id, kind, role_id, email, name, active, created_at) \
         VALUES ($1, 'agent', $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(actor.agency_id)
    .bind(role.id)
    .bind(&email)
    .bind(name)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let user = users::by_id(&mut *tx, user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    issue_link(
        &mut tx,
        &user,
        LinkPurpose::Invitation,
        &cx.public_url,
        "invitation",
        Some(&actor.name),
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "user_invited",
        Some(user_id),
        &format!("invited {email} as {}", role.name),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Keeps at least one active administrator, so an agency cannot lock itself out.
async fn ensure_an_administrator_remains(
    conn: &mut sqlx::AnyConnection,
    agency_id: i64,
) -> Result<(), ServiceError> {
    if users::active_user_managers(conn, agency_id).await? == 0 {
        return Err(ServiceError::Refused(
            "At least one active user must keep a role that can manage users.".into(),
        ));
    }
    Ok(())
}

pub async fn change_role(
    cx: &Context,
    actor: &Actor,
    user_id: i64,
    role_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let mut tx = cx.db.begin_write().await?;
    let user = own_user(&mut tx, actor, user_id).await?;
    if user.kind != UserKind::Agent.as_str() {
        return Err(ServiceError::invalid(
            "role",
            "Only agency staff have roles; contractors and technicians do not.",
        ));
    }
    let role = own_role(&mut tx, actor, role_id).await?;
    sqlx::query("UPDATE users SET role_id = $1 WHERE id = $2")
        .bind(role.id)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    ensure_an_administrator_remains(&mut tx, actor.agency_id).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "role_changed",
        Some(user.id),
        &format!(
            "{}: {} -> {}",
            user.email,
            user.role_name.as_deref().unwrap_or("none"),
            role.name
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables or enables a user of the agency. Disabling ends all their sessions at once.
pub async fn set_active(
    cx: &Context,
    actor: &Actor,
    user_id: i64,
    active: bool,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageUsers)?;
    if user_id == actor.user_id && !active {
        return Err(ServiceError::Refused(
            "You cannot disable your own account.".into(),
        ));
    }
    let mut tx = cx.db.begin_write().await?;
    let user = own_user(&mut tx, actor, user_id).await?;
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(crate::db::flag(active))
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    if !active {
        sessions::end_all_for_user(&mut *tx, user.id).await?;
        ensure_an_administrator_remains(&mut tx, actor.agency_id).await?;
    }
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        if active {
            "user_enabled"
        } else {
            "user_disabled"
        },
        Some(user.id),
        &user.email,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives or takes one permission of one of the agency's roles.
pub async fn set_role_permission(
    cx: &Context,
    actor: &Actor,
    role_id: i64,
    permission: Permission,
    allowed: bool,
    now: i64,
) -> Result<(), ServiceError> {
    actor.require(Permission::ManageUsers)?;
    let mut tx = cx.db.begin_write().await?;
    let role = own_role(&mut tx, actor, role_id).await?;
    // The column name comes from a closed list, never from input.
    sqlx::query(&format!(
        "UPDATE roles SET {} = $1 WHERE id = $2",
        permission.column()
    ))
    .bind(crate::db::flag(allowed))
    .bind(role.id)
    .execute(&mut *tx)
    .await?;
    ensure_an_administrator_remains(&mut tx, actor.agency_id).await?;
    audit::record(
        &mut *tx,
        actor.agency_id,
        actor.audit_by(),
        "role_permission_changed",
        None,
        &format!(
            "{}: {} {}",
            role.name,
            if allowed { "may now" } else { "may no longer" },
            permission.describe()
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
