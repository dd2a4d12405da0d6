//! Compliance pages at scale: seeds one agency with 1,000 contractors, 20 certificate types and a
//! realistic mix of documents, then times the services behind the compliance matrix and the
//! contractor list. Prints median and p99. Run with `bench/compliance.sh` (SQLite, or PostgreSQL
//! when a URL is given).

use app::db::{now_ms, Db};
use app::domain::compliance::ComplianceStatus;
use app::files::FileStore;
use app::services::auth;
use app::services::compliance::{self, MatrixFilter};
use app::services::Context;
use std::time::Instant;

const CONTRACTORS: i64 = 1_000;
const TYPES: i64 = 20;
const RUNS: usize = 50;

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.path().display()));
    let db = Db::connect(&url).await.expect("open the database");
    db.migrate().await.expect("migrate");
    let cx = Context::new(
        db.clone(),
        FileStore::local(dir.path().join("files")),
        "http://bench.example",
    );
    let started = Instant::now();
    let admin = seed(&db).await;
    println!(
        "seeded {CONTRACTORS} contractors x {TYPES} types on {} in {:.1} s",
        db.backend().name(),
        started.elapsed().as_secs_f64()
    );
    let actor = auth::load_actor(&cx, admin).await.unwrap().unwrap();

    let report = |name: &str, mut times: Vec<f64>| {
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "{name:<44} median {:>7.2} ms   p99 {:>7.2} ms   ({RUNS} runs)",
            p(0.5),
            p(0.99)
        );
    };
    for (name, filter) in [
        ("matrix, first page, no filter", MatrixFilter::default()),
        (
            "matrix, status = expired",
            MatrixFilter {
                status: Some(ComplianceStatus::Expired),
                ..Default::default()
            },
        ),
        (
            "matrix, name contains \"07\"",
            MatrixFilter {
                name: Some("07".into()),
                ..Default::default()
            },
        ),
    ] {
        let mut times = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let page = compliance::matrix(&cx, &actor, filter.clone(), now_ms())
                .await
                .unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert!(page.rows.len() <= 50);
        }
        report(name, times);
    }
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let rows = compliance::contractor_list(&cx, &actor, None, now_ms())
            .await
            .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(rows.len() as i64, CONTRACTORS);
    }
    report("contractor list, all 1,000 with lights", times);
}

/// Deterministic data: each contractor requires 8 of the 20 types; documents give a mix of
/// valid, expiring, expired, missing and waiting ones (two per requirement on average).
async fn seed(db: &Db) -> i64 {
    let now = now_ms();
    let mut tx = db.pool().begin().await.unwrap();
    let agency: i64 = sqlx::query_scalar(
        "INSERT INTO agencies (name, created_at) VALUES ('Bench Lettings', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let role: i64 = sqlx::query_scalar("INSERT INTO roles (agency_id, name, can_manage_users, can_manage_certification, can_instruct_work) VALUES ($1, 'Admin', 1, 1, 1) RETURNING id")
        .bind(agency).fetch_one(&mut *tx).await.unwrap();
    let admin: i64 = sqlx::query_scalar("INSERT INTO users (agency_id, kind, role_id, email, name, created_at) VALUES ($1, 'agent', $2, 'bench@example.com', 'Bench', $3) RETURNING id")
        .bind(agency).bind(role).bind(now).fetch_one(&mut *tx).await.unwrap();
    let mut types = Vec::new();
    for t in 0..TYPES {
        let id: i64 = sqlx::query_scalar("INSERT INTO certificate_types (agency_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(agency).bind(format!("Certificate type {t:02}")).bind(now).fetch_one(&mut *tx).await.unwrap();
        types.push(id);
    }
    let today = app::domain::dates::local_today("Europe/London", now);
    for c in 0..CONTRACTORS {
        let contractor: i64 = sqlx::query_scalar("INSERT INTO contractors (agency_id, company_name, email, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(agency).bind(format!("Contractor {c:04}")).bind(format!("c{c}@example.com")).bind(now)
            .fetch_one(&mut *tx).await.unwrap();
        for k in 0..8 {
            let type_id = types[((c + k * 3) % TYPES) as usize];
            sqlx::query("INSERT INTO certificate_requirements (agency_id, contractor_id, certificate_type_id, requested_at) VALUES ($1, $2, $3, $4)")
                .bind(agency).bind(contractor).bind(type_id).bind(now).execute(&mut *tx).await.unwrap();
            let shape = (c * 7 + k) % 10;
            let docs: &[(i64, bool)] = match shape {
                0 => &[],                          // missing
                1 => &[(200, false)],              // waiting
                2 => &[(-40, true)],               // expired
                3 => &[(10, true)],                // expiring soon
                4 => &[(-10, true), (355, false)], // expired, renewal waiting
                _ => &[(-400, true), (300, true)], // history and a valid one
            };
            for (order, (days, validated)) in docs.iter().enumerate() {
                let end = app::domain::dates::to_storage(
                    today + chrono::Days::new(0) + chrono::TimeDelta::days(*days),
                );
                sqlx::query("INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, end_date, uploaded_at, validated_at) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(agency).bind(contractor).bind(type_id).bind(end).bind(now + order as i64)
                    .bind(validated.then_some(now)).execute(&mut *tx).await.unwrap();
            }
        }
    }
    tx.commit().await.unwrap();
    admin
}
