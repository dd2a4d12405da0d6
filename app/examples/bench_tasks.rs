//! The task dashboard at scale: one contractor with 50,000 tasks from one agency (500
//! properties, 5 technicians, every status), then the office's dashboard asked for a page
//! unfiltered and with each filter, many times each; prints median and p99. Run with
//! `bench/tasks.sh` (SQLite, or PostgreSQL when a URL is given).

use app::db::{now_ms, Db};
use app::domain::task_list::TaskFilter;
use app::domain::task_status::TaskStatus;
use app::services::{auth, task_list};
use app::testing::TestDb;
use std::time::Instant;

const TASKS: i64 = 50_000;
const PROPERTIES: i64 = 500;
const TECHNICIANS: i64 = 5;
const RUNS: usize = 40;

#[tokio::main]
async fn main() {
    let postgres = std::env::args().nth(1);
    // Kept alive for the run: a fresh schema in the scratch database given, or a temp SQLite.
    let scratch = TestDb::scratch(postgres.as_deref()).await;
    let db = scratch.db.clone();
    let cx = scratch.context();
    let t = Instant::now();
    let (office, technician) = seed(&db).await;
    println!(
        "{TASKS} tasks for one contractor on {}, seeded in {:.1} s",
        db.backend().name(),
        t.elapsed().as_secs_f64()
    );
    let actor = auth::load_actor(&cx, office).await.unwrap().unwrap();
    let cases = [
        ("unfiltered, first page", String::new()),
        ("unfiltered, page 500 (the last)", "page=1000".to_string()),
        ("status = accepted", "status=accepted".to_string()),
        ("search \"boiler 12\"", "q=boiler+12".to_string()),
        ("property \"Road 4\"", "property=road+4".to_string()),
        (
            "due in one month",
            "from=2026-12-01&to=2026-12-31".to_string(),
        ),
        ("technician", format!("technician={technician}")),
        (
            "sorted by status, descending",
            "sort=status&dir=desc".to_string(),
        ),
    ];
    for (name, query) in cases {
        let filter = TaskFilter::from_query_string(&query);
        let mut times = Vec::with_capacity(RUNS);
        let mut count = String::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let page = task_list::task_list(&cx, &actor, &filter).await.unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            count = page.count.label();
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let p99 = times[((times.len() as f64) * 0.99).ceil() as usize - 1];
        println!(
            "{name:<34} {count:>22}: median {:>7.1} ms, p99 {:>7.1} ms ({RUNS} runs)",
            times[times.len() / 2],
            p99
        );
    }
    db.close().await;
}

/// One agency, its contractor with an office user and technicians, properties and tasks,
/// inserted 500 rows per statement. Answers the office user's id and a technician's id.
async fn seed(db: &Db) -> (i64, i64) {
    let now = now_ms();
    let mut tx = db.pool().begin().await.unwrap();
    let agency: i64 = sqlx::query_scalar(
        "INSERT INTO agencies (name, created_at) VALUES ('Bench Lettings', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let contractor: i64 = sqlx::query_scalar(
        "INSERT INTO contractors (agency_id, company_name, email, created_at) \
         VALUES ($1, 'Bench Contractor', 'c@example.com', $2) RETURNING id",
    )
    .bind(agency)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let office: i64 = sqlx::query_scalar(
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at) \
         VALUES ($1, 'contractor', $2, 'office@example.com', 'Office', $3) RETURNING id",
    )
    .bind(agency)
    .bind(contractor)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let mut technicians = Vec::new();
    for n in 0..TECHNICIANS {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at) \
             VALUES ($1, 'technician', $2, $3, $4, $5) RETURNING id",
        )
        .bind(agency)
        .bind(contractor)
        .bind(format!("tech{n}@example.com"))
        .bind(format!("Technician {n}"))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        technicians.push(id);
    }
    let first_property: i64 = {
        let values: Vec<String> = (0..PROPERTIES)
            .map(|p| {
                format!(
                    "({agency}, '{p} Road {}', 'Town', 'AB{p} 1CD', {now})",
                    p % 50
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO properties (agency_id, address_line1, town, postcode, created_at) VALUES {}",
            values.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query_scalar("SELECT MIN(id) FROM properties WHERE agency_id = $1")
            .bind(agency)
            .fetch_one(&mut *tx)
            .await
            .unwrap()
    };
    let statuses: Vec<&str> = TaskStatus::ALL
        .into_iter()
        .filter(|s| *s != TaskStatus::Draft)
        .map(TaskStatus::as_str)
        .collect();
    let titles = [
        "Service the boiler",
        "Replace the tap",
        "Test smoke alarms",
        "Fix the gutter",
    ];
    for chunk in (0..TASKS).collect::<Vec<_>>().chunks(500) {
        let values: Vec<String> = chunk
            .iter()
            .map(|&i| {
                let due = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                    + chrono::Duration::days(i % 730);
                format!(
                    "({agency}, 'T-{:06}', {}, {contractor}, '{} {}', '{}', 'normal', '{}', {now}, {now})",
                    i,
                    first_property + i % PROPERTIES,
                    titles[(i % 4) as usize],
                    i,
                    statuses[(i % statuses.len() as i64) as usize],
                    due.format("%Y-%m-%d")
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO tasks (agency_id, reference, property_id, contractor_id, title, status, \
             priority, due_date, created_at, updated_at) VALUES {}",
            values.join(",")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO task_technicians (task_id, technician_id) \
         SELECT t.id, u.id FROM tasks t JOIN users u ON u.kind = 'technician' \
         AND u.email = 'tech' || CAST(t.id % 5 AS TEXT) || '@example.com' WHERE t.agency_id = $1",
    )
    .bind(agency)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // Fresh statistics, as a database in use has.
    let _ = sqlx::query("ANALYZE").execute(db.pool()).await;
    (office, technicians[0])
}
