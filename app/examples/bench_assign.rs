//! Bulk assignment at scale: the demo contractor's office assigns two technicians and a
//! scheduled date to 500 tasks (each requiring an accreditation one of them lacks) in one
//! action, ten times over fresh tasks; prints median, p99 and worst, and the emails queued.
//! Run with `bench/assign.sh` (SQLite, or PostgreSQL when a URL is given).

use app::db::{now_ms, Db};
use app::services::tasks::assignment::{assign, Assignment};
use app::testing::{actor, seed_demo, TestDb};
use chrono::{Duration, Utc};
use std::time::Instant;

const SELECTION: usize = 500;
const RUNS: usize = 10;

#[tokio::main]
async fn main() {
    let postgres = std::env::args().nth(1);
    let scratch = TestDb::scratch(postgres.as_deref()).await;
    let db = scratch.db.clone();
    let cx = scratch.context();
    seed_demo(&cx).await;
    let tasks = seed_tasks(&db, SELECTION * RUNS).await;
    let office = actor(&cx, "office@brightspark.example").await;
    let technicians: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE email IN ('tom.baker@brightspark.example', \
         'jess.lee@brightspark.example') ORDER BY id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let emails_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox_emails")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut times = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        let selection = Assignment {
            task_ids: tasks[run * SELECTION..(run + 1) * SELECTION].to_vec(),
            technician_ids: technicians.clone(),
            scheduled_date: Some((Utc::now() + Duration::days(3)).date_naive()),
        };
        let t = Instant::now();
        let done = assign(&cx, &office, &selection, now_ms()).await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(done.new_assignments as usize, SELECTION * 2);
    }
    let emails: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox_emails")
        .fetch_one(db.pool())
        .await
        .unwrap();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p99 = times[((times.len() as f64) * 0.99).ceil() as usize - 1];
    println!(
        "bulk-assign {SELECTION} tasks x 2 technicians + a date on {}: median {:.1} ms, p99 {:.1} ms, \
         worst {:.1} ms ({RUNS} runs); emails queued: {} ({} per run, one per technician)",
        db.backend().name(),
        times[times.len() / 2],
        p99,
        times[times.len() - 1],
        emails - emails_before,
        (emails - emails_before) / RUNS as i64,
    );
    db.close().await;
}

/// `n` assigned tasks for the demo contractor, each requiring the electrical accreditation.
async fn seed_tasks(db: &Db, n: usize) -> Vec<i64> {
    let mut tx = db.pool().begin().await.unwrap();
    let (agency, contractor, property): (i64, i64, i64) = sqlx::query_as(
        "SELECT c.agency_id, c.id, (SELECT MIN(id) FROM properties) FROM contractors c \
         WHERE c.company_name = 'Brightspark Electrical Ltd'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let electrical: i64 = sqlx::query_scalar(
        "SELECT id FROM certificate_types WHERE name = 'Electrical installation'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let now = now_ms();
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tasks (agency_id, reference, property_id, contractor_id, title, status, \
             priority, due_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'assigned', 'normal', '2026-12-31', $6, $6) RETURNING id",
        )
        .bind(agency)
        .bind(format!("B-{i:06}"))
        .bind(property)
        .bind(contractor)
        .bind(format!("Bench rewire {i}"))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO task_required_types (task_id, certificate_type_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(electrical)
        .execute(&mut *tx)
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}
