//! What several test modules need: numbers read back with one query, the demo's ids by name, a
//! task instructed to Brightspark, and a small PDF. The test databases and the demo's people are
//! in `app::testing` (the benches use them too).

use app::db::now_ms;
use app::domain::records::InstructOutcome;
use app::domain::service_tasks::parse_service_tasks;
use app::services::compliance::Upload;
use app::services::tasks::{instruct, NewTask};
use app::services::Context;
use app::testing::{actor, contractor_id};

pub const AGENT: &str = "priya.shah@harbour-lettings.example";

/// The one number a query answers (a `COUNT(*)`, say).
pub async fn count(cx: &Context, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

pub async fn user_id(cx: &Context, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = $1")
        .bind(email.to_lowercase())
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

/// A certificate type's id by name (the demo agency's when two agencies share a name).
pub async fn certificate_type(cx: &Context, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM certificate_types WHERE name = $1 ORDER BY id")
        .bind(name)
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

/// The demo agency's first property.
pub async fn first_property(cx: &Context) -> i64 {
    sqlx::query_scalar("SELECT MIN(id) FROM properties")
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

/// A task the demo's agent instructs to Brightspark (green in the demo) with these service tasks
/// (one a line; none when empty).
pub async fn brightspark_task(cx: &Context, title: &str, service_tasks: &str) -> i64 {
    let agent = actor(cx, AGENT).await;
    let task = NewTask {
        property_id: first_property(cx).await,
        contractor_id: contractor_id(cx, "Brightspark Electrical Ltd").await,
        title: title.into(),
        priority: "normal".into(),
        service_tasks: parse_service_tasks(service_tasks).unwrap(),
        ..Default::default()
    };
    match instruct(cx, &agent, task, now_ms()).await.unwrap() {
        InstructOutcome::Instructed { task_id, .. } => task_id,
        other => panic!("{other:?}"),
    }
}

/// Puts a technician on a task directly, as accepting with them would.
pub async fn assign(cx: &Context, task_id: i64, technician: &str) {
    sqlx::query("INSERT INTO task_technicians (task_id, technician_id) VALUES ($1, $2)")
        .bind(task_id)
        .bind(user_id(cx, technician).await)
        .execute(cx.db.pool())
        .await
        .unwrap();
}

/// A file the uploads accept as a PDF.
pub fn pdf(name: &str) -> Upload {
    Upload {
        file_name: name.into(),
        bytes: b"%PDF-1.4\n% a test document\n%%EOF\n".to_vec(),
    }
}
