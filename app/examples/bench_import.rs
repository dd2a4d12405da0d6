//! Import at scale: seeds one agency with 2,000 contractors and 20 certificate types, builds a
//! 10,000-row CSV (a realistic mix: most rows create, some add renewals, a few errors), then
//! times the preview and the commit. Each run starts from a fresh database. Run with
//! `bench/import.sh` (SQLite, or PostgreSQL when a URL is given).

use app::db::{now_ms, Db};
use app::services::{auth, import};
use app::testing::TestDb;
use std::time::Instant;

const CONTRACTORS: i64 = 2_000;
const TYPES: i64 = 20;
const ROWS: i64 = 10_000;
const RUNS: usize = 3;

#[tokio::main]
async fn main() {
    let postgres = std::env::args().nth(1);
    let mut previews = Vec::new();
    let mut commits = Vec::new();
    for run in 0..RUNS {
        // Kept alive for the run: a fresh schema in the scratch database given, or a temp SQLite.
        let scratch = TestDb::scratch(postgres.as_deref()).await;
        let db = scratch.db.clone();
        let cx = scratch.context();
        let backend = db.backend().name();
        let (admin, ids) = seed(&db).await;
        let actor = auth::load_actor(&cx, admin).await.unwrap().unwrap();
        let file = csv(&ids);
        let t = Instant::now();
        let preview = import::preview(&cx, &actor, file.as_bytes()).await.unwrap();
        previews.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let result = import::commit(&cx, &actor, file.as_bytes(), false, now_ms())
            .await
            .unwrap();
        commits.push(t.elapsed().as_secs_f64());
        if run == 0 {
            println!(
                "{ROWS} rows on {backend}: {} create, {} update, {} errors; {} imported",
                preview.creates, preview.updates, preview.errors, result.imported
            );
        }
        db.close().await;
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2] * 1000.0
    };
    println!(
        "preview of {ROWS} rows: median {:>7.0} ms ({RUNS} runs)",
        median(previews)
    );
    println!(
        "commit of {ROWS} rows:  median {:>7.0} ms ({RUNS} runs, one transaction each)",
        median(commits)
    );
}

/// The CSV: row i names contractor i % 2000 and type (i / 2000) % 20; every 50th row renews an
/// earlier row's certificate (update), every 200th has an impossible date (error).
fn csv(ids: &[(i64, String)]) -> String {
    let mut out = String::from("ContractorUserTypeID,ExternalContractorRef,ContractorCompanyName,ContractorCertificateName,StartDate,EndDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid\r\n");
    for i in 0..ROWS {
        let (id, company) = &ids[(i % CONTRACTORS) as usize];
        // Every 50th row of the odd passes renews the certificate of the row 2,000 before it.
        let renewal = i % 50 == 49 && (i / CONTRACTORS) % 2 == 1;
        let t = if renewal {
            (i / CONTRACTORS - 1) % TYPES
        } else {
            (i / CONTRACTORS) % TYPES
        };
        let (start, end) = if i % 200 == 199 {
            ("31/02/2026".to_string(), "31/12/2027".to_string())
        } else if renewal {
            ("01/01/2027".to_string(), "31/12/2028".to_string())
        } else {
            (
                "01/01/2026".to_string(),
                format!("{:02}/12/2027", 1 + i % 28),
            )
        };
        out.push_str(&format!(
            "{id},,{company},Certificate type {t:02},{start},{end},Month1,EndDate,{}\r\n",
            if i % 3 == 0 { "" } else { "Yes" }
        ));
    }
    out
}

async fn seed(db: &Db) -> (i64, Vec<(i64, String)>) {
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
    for t in 0..TYPES {
        sqlx::query(
            "INSERT INTO certificate_types (agency_id, name, created_at) VALUES ($1, $2, $3)",
        )
        .bind(agency)
        .bind(format!("Certificate type {t:02}"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    let mut ids = Vec::new();
    for c in 0..CONTRACTORS {
        let company = format!("Contractor {c:04}");
        let id: i64 = sqlx::query_scalar("INSERT INTO contractors (agency_id, company_name, email, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(agency).bind(&company).bind(format!("c{c}@example.com")).bind(now)
            .fetch_one(&mut *tx).await.unwrap();
        ids.push((id, company));
    }
    tx.commit().await.unwrap();
    (admin, ids)
}
