//! Queries on users, roles and agencies: who someone is and what their role allows.

use sqlx::{Any, Executor, FromRow};

/// A user joined with what the session needs: permissions, agency and company names.
#[derive(Clone, Debug, FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub agency_id: i64,
    pub kind: String,
    pub role_id: Option<i64>,
    pub contractor_id: Option<i64>,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub active: i64,
    pub agency_name: String,
    pub date_format: String,
    pub time_zone: String,
    pub company_name: Option<String>,
    pub role_name: Option<String>,
    pub can_manage_users: Option<i64>,
    pub can_manage_certification: Option<i64>,
    pub can_instruct_work: Option<i64>,
    pub can_override_compliance: Option<i64>,
}

const SELECT_USER: &str = "SELECT u.id, u.agency_id, u.kind, u.role_id, u.contractor_id, u.email, \
     u.name, u.password_hash, u.active, a.name AS agency_name, a.date_format, a.time_zone, c.company_name, r.name AS role_name, \
     r.can_manage_users, r.can_manage_certification, r.can_instruct_work, r.can_override_compliance \
     FROM users u JOIN agencies a ON a.id = u.agency_id \
     LEFT JOIN contractors c ON c.id = u.contractor_id \
     LEFT JOIN roles r ON r.id = u.role_id";

pub async fn by_id<'c, E: Executor<'c, Database = Any>>(
    e: E,
    id: i64,
) -> sqlx::Result<Option<UserRecord>> {
    sqlx::query_as(&format!("{SELECT_USER} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(e)
        .await
}

/// `email` must already be normalized (lower case).
pub async fn by_email<'c, E: Executor<'c, Database = Any>>(
    e: E,
    email: &str,
) -> sqlx::Result<Option<UserRecord>> {
    sqlx::query_as(&format!("{SELECT_USER} WHERE lower(u.email) = $1"))
        .bind(email)
        .fetch_optional(e)
        .await
}

/// Every user of an agency, agents first, then by name.
pub async fn in_agency<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
) -> sqlx::Result<Vec<UserRecord>> {
    sqlx::query_as(&format!(
        "{SELECT_USER} WHERE u.agency_id = $1 ORDER BY CASE u.kind WHEN 'agent' THEN 0 \
         WHEN 'contractor' THEN 1 ELSE 2 END, lower(u.name), u.id"
    ))
    .bind(agency_id)
    .fetch_all(e)
    .await
}

#[derive(Clone, Debug, FromRow)]
pub struct RoleRecord {
    pub id: i64,
    pub agency_id: i64,
    pub name: String,
    pub can_manage_users: i64,
    pub can_manage_certification: i64,
    pub can_instruct_work: i64,
    pub can_override_compliance: i64,
}

pub async fn roles_of_agency<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
) -> sqlx::Result<Vec<RoleRecord>> {
    sqlx::query_as(
        "SELECT id, agency_id, name, can_manage_users, can_manage_certification, \
         can_instruct_work, can_override_compliance FROM roles WHERE agency_id = $1 ORDER BY id",
    )
    .bind(agency_id)
    .fetch_all(e)
    .await
}

/// How many active agents of the agency could still manage users.
pub async fn active_user_managers<'c, E: Executor<'c, Database = Any>>(
    e: E,
    agency_id: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u JOIN roles r ON r.id = u.role_id \
         WHERE u.agency_id = $1 AND u.active = 1 AND r.can_manage_users = 1",
    )
    .bind(agency_id)
    .fetch_one(e)
    .await
}

pub async fn set_password_hash<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
    hash: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}

pub async fn record_sign_in<'c, E: Executor<'c, Database = Any>>(
    e: E,
    user_id: i64,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user_id)
        .execute(e)
        .await?;
    Ok(())
}
