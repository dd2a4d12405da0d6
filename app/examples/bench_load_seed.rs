//! The load benchmark's dataset (`bench/load.sh`): ten agencies, the largest with 2,000
//! contractors, 20 certificate types, 40,000 certificates, 100,000 tasks and 500 technicians; the
//! other nine a tenth of that each. Deterministic: the same rows every run.
//!
//! Usage: `bench_load_seed DATABASE_URL OUT_DIR`. Migrates the database, seeds it, and writes to
//! OUT_DIR what the load driver needs: `seed.json` (who signs in, which task and contractor
//! pages to open) and id files the write routes walk through, so no request repeats another's
//! work (`validate_ids`, `status_ids`).

use app::db::{now_ms, Db};
use app::domain::dates;
use app::services::auth;
use sqlx::{Any, Transaction};
use std::time::Instant;

const AGENCIES: i64 = 10;
const PASSWORD: &str = "bench-password-1";
/// Rows per multi-row INSERT.
const CHUNK: usize = 500;

struct Scale {
    contractors: i64,
    types: i64,
    /// Certificate types each contractor is asked for; two documents per requirement on average.
    required: i64,
    tasks: i64,
    technicians: i64,
    properties: i64,
}

fn scale(agency: i64) -> Scale {
    let tenth = if agency == 0 { 1 } else { 10 };
    Scale {
        contractors: 2_000 / tenth,
        types: 20,
        required: 11,
        tasks: 100_000 / tenth,
        technicians: 500 / tenth,
        properties: 5_000 / tenth,
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: bench_load_seed DATABASE_URL OUT_DIR");
        std::process::exit(2);
    };
    let out = std::path::PathBuf::from(out);
    std::fs::create_dir_all(&out).expect("create OUT_DIR");
    let db = Db::connect(&url).await.expect("open the database");
    db.migrate().await.expect("migrate");
    let started = Instant::now();
    let hash = auth::hash_password(PASSWORD.into()).await.unwrap();
    let mut counts = Counts::default();
    let mut first = None;
    let mut agent_emails = Vec::new();
    for agency in 0..AGENCIES {
        let seeded = seed_agency(&db, agency, &hash, &mut counts).await;
        agent_emails.push(seeded.agent_email.replace('@', "%40"));
        first.get_or_insert(seeded);
    }
    // As after any bulk load: planner statistics, and on PostgreSQL the visibility map that lets
    // the dashboard's counts read their index alone (autovacuum would get there later).
    let settle = match db.backend() {
        app::db::Backend::Postgres => "VACUUM ANALYZE",
        app::db::Backend::Sqlite => "ANALYZE",
    };
    sqlx::query(settle)
        .execute(db.pool())
        .await
        .expect("statistics after seeding");
    let first = first.unwrap();
    println!(
        "seeded on {} in {:.1} s: {} agencies, {} contractors, {} certificates, {} tasks, {} technicians",
        db.backend().name(),
        started.elapsed().as_secs_f64(),
        AGENCIES,
        counts.contractors,
        counts.certificates,
        counts.tasks,
        counts.technicians
    );
    let write_ids = |name: &str, ids: &[i64]| {
        let text: String = ids.iter().map(|id| format!("{id}\n")).collect();
        std::fs::write(out.join(name), text).unwrap();
    };
    write_ids("validate_ids", &first.waiting_documents);
    write_ids("status_ids", &first.accepted_tasks);
    // The sign-in route signs in as each agency's agent in turn (form-encoded): one account
    // signed in sixteen times at once would meet the password limiter, which counts each
    // attempt before checking it.
    std::fs::write(out.join("sign_in_ids"), agent_emails.join("\n") + "\n").unwrap();
    let seed = serde_json::json!({
        "password": PASSWORD,
        "agent_email": first.agent_email,
        "office_email": first.office_email,
        "technician_link": first.technician_link,
        "contractor_id": first.contractor_id,
        "task_id": first.task_id,
        "technician_task_id": first.technician_task_id,
    });
    std::fs::write(
        out.join("seed.json"),
        serde_json::to_string_pretty(&seed).unwrap(),
    )
    .unwrap();
    db.close().await;
}

#[derive(Default)]
struct Counts {
    contractors: i64,
    certificates: i64,
    tasks: i64,
    technicians: i64,
}

/// What the driver uses from the largest agency.
struct Seeded {
    agent_email: String,
    office_email: String,
    technician_link: String,
    contractor_id: i64,
    task_id: i64,
    technician_task_id: i64,
    waiting_documents: Vec<i64>,
    accepted_tasks: Vec<i64>,
}

async fn insert_rows(tx: &mut Transaction<'static, Any>, head: &str, rows: Vec<String>) {
    for chunk in rows.chunks(CHUNK) {
        sqlx::query(&format!("{head} VALUES {}", chunk.join(",")))
            .execute(&mut **tx)
            .await
            .unwrap_or_else(|e| panic!("{head}: {e}"));
    }
}

async fn ids(tx: &mut Transaction<'static, Any>, sql: &str, agency_id: i64) -> Vec<i64> {
    sqlx::query_scalar(sql)
        .bind(agency_id)
        .fetch_all(&mut **tx)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn seed_agency(db: &Db, n: i64, hash: &str, counts: &mut Counts) -> Seeded {
    let s = scale(n);
    let now = now_ms();
    let today = app::domain::dates::local_today("Europe/London", now);
    let date = |days: i64| dates::to_storage(today + chrono::TimeDelta::days(days));
    let mut tx = db.pool().begin().await.unwrap();
    let agency: i64 =
        sqlx::query_scalar("INSERT INTO agencies (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(format!("Bench Lettings {n}"))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    let role: i64 = sqlx::query_scalar(
        "INSERT INTO roles (agency_id, name, can_manage_users, can_manage_certification, \
         can_instruct_work, can_override_compliance) VALUES ($1, 'Admin', 1, 1, 1, 1) RETURNING id",
    )
    .bind(agency)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let agent_email = format!("agent{n}@bench.example");
    sqlx::query(
        "INSERT INTO users (agency_id, kind, role_id, email, name, password_hash, created_at) \
         VALUES ($1, 'agent', $2, $3, 'Bench Agent', $4, $5)",
    )
    .bind(agency)
    .bind(role)
    .bind(&agent_email)
    .bind(hash)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();

    insert_rows(
        &mut tx,
        "INSERT INTO certificate_types (agency_id, name, applies_to_technicians, created_at)",
        (0..s.types)
            .map(|t| {
                format!(
                    "({agency}, 'Certificate type {t:02}', {}, {now})",
                    (t < 2) as i64
                )
            })
            .collect(),
    )
    .await;
    let types = ids(
        &mut tx,
        "SELECT id FROM certificate_types WHERE agency_id = $1 ORDER BY id",
        agency,
    )
    .await;

    insert_rows(
        &mut tx,
        "INSERT INTO contractors (agency_id, company_name, email, trade, created_at)",
        (0..s.contractors)
            .map(|c| {
                format!(
                    "({agency}, 'Contractor {n}-{c:04}', 'c{c}@a{n}.bench.example', '{}', {now})",
                    ["Plumbing", "Electrical", "Roofing", "General"][(c % 4) as usize]
                )
            })
            .collect(),
    )
    .await;
    let contractors = ids(
        &mut tx,
        "SELECT id FROM contractors WHERE agency_id = $1 ORDER BY id",
        agency,
    )
    .await;
    counts.contractors += contractors.len() as i64;

    // Requirements and documents: the shapes give every traffic light and plenty of documents
    // waiting for validation (which the validate route walks through).
    let mut requirements = Vec::new();
    let mut documents = Vec::new();
    for (c, contractor) in contractors.iter().enumerate() {
        let c = c as i64;
        for k in 0..s.required {
            let type_id = types[((c + k * 3) % s.types) as usize];
            requirements.push(format!("({agency}, {contractor}, {type_id}, {now})"));
            let shape = (c * 7 + k) % 10;
            let docs: &[(i64, bool)] = match shape {
                0 => &[(200, false), (-30, true), (-400, true)],
                1 => &[(200, false)],
                2 => &[(-40, true), (-400, true)],
                3 => &[(10, true), (-360, true)],
                4 => &[(-10, true), (355, false)],
                5 => &[],
                _ => &[(-400, true), (300, true)],
            };
            for (order, (days, validated)) in docs.iter().enumerate() {
                documents.push(format!(
                    "({agency}, {contractor}, {type_id}, '{}', 'certificate.pdf', {}, {})",
                    date(*days),
                    now - order as i64,
                    if *validated {
                        now.to_string()
                    } else {
                        "NULL".into()
                    }
                ));
            }
        }
    }
    insert_rows(
        &mut tx,
        "INSERT INTO certificate_requirements (agency_id, contractor_id, certificate_type_id, requested_at)",
        requirements,
    )
    .await;
    counts.certificates += documents.len() as i64;
    insert_rows(
        &mut tx,
        "INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, \
         end_date, file_name, uploaded_at, validated_at)",
        documents,
    )
    .await;

    // The bench contractor (the first) has an office user; the first contractors have five
    // technicians each, 500 in all.
    let office_email = format!("office{n}@bench.example");
    sqlx::query(
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, password_hash, created_at) \
         VALUES ($1, 'contractor', $2, $3, 'Bench Office', $4, $5)",
    )
    .bind(agency)
    .bind(contractors[0])
    .bind(&office_email)
    .bind(hash)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    insert_rows(
        &mut tx,
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at)",
        (0..s.technicians)
            .map(|t| {
                format!(
                    "({agency}, 'technician', {}, 't{t}@a{n}.bench.example', 'Technician {t}', {now})",
                    contractors[(t / 5) as usize]
                )
            })
            .collect(),
    )
    .await;
    let technicians = ids(
        &mut tx,
        "SELECT id FROM users WHERE agency_id = $1 AND kind = 'technician' ORDER BY id",
        agency,
    )
    .await;
    counts.technicians += technicians.len() as i64;

    insert_rows(
        &mut tx,
        "INSERT INTO properties (agency_id, address_line1, town, postcode, created_at)",
        (0..s.properties)
            .map(|p| {
                format!(
                    "({agency}, '{p} Bench Road', 'Leeds', 'LS{} {}AB', {now})",
                    p % 30,
                    p % 10
                )
            })
            .collect(),
    )
    .await;
    let properties = ids(
        &mut tx,
        "SELECT id FROM properties WHERE agency_id = $1 ORDER BY id",
        agency,
    )
    .await;

    // Tasks: one in ten goes to the bench contractor, mostly accepted (the status route walks
    // through those); the rest spread over every contractor and status.
    let statuses = [
        "assigned",
        "accepted",
        "rejected",
        "in_progress",
        "revisit",
        "performed_need_docs",
        "performed",
        "completed",
    ];
    let titles = [
        "Service the boiler",
        "Replace the kitchen tap",
        "Test smoke alarms",
        "Clear the gutters",
        "Electrical installation check",
    ];
    let tasks: Vec<String> = (0..s.tasks)
        .map(|i| {
            let (contractor, status) = if i % 10 == 0 {
                let status = if i % 30 == 0 { statuses[((i / 30) % 8) as usize] } else { "accepted" };
                (contractors[0], status)
            } else {
                (
                    contractors[(i % s.contractors) as usize],
                    statuses[((i / 7) % 8) as usize],
                )
            };
            format!(
                "({agency}, 'T-{i:06}', {}, {contractor}, '{} {i}', '{status}', '{}', '{}', {now}, {now})",
                properties[(i % s.properties) as usize],
                titles[(i % 5) as usize],
                ["low", "normal", "high", "urgent"][(i % 4) as usize],
                date(i % 400 - 100)
            )
        })
        .collect();
    counts.tasks += tasks.len() as i64;
    insert_rows(
        &mut tx,
        "INSERT INTO tasks (agency_id, reference, property_id, contractor_id, title, status, \
         priority, due_date, created_at, updated_at)",
        tasks,
    )
    .await;
    // Every open task of a contractor with technicians has one of them.
    let open: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.id, t.contractor_id FROM tasks t WHERE t.agency_id = $1 \
         AND t.status NOT IN ('completed', 'rejected') ORDER BY t.id",
    )
    .bind(agency)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let first_contractor = contractors[0];
    let teams = (s.technicians / 5) as usize;
    let assignments: Vec<String> = open
        .iter()
        .filter_map(|&(task, contractor)| {
            let index = contractors.binary_search(&contractor).ok()?;
            (index < teams).then(|| {
                let technician = technicians[index * 5 + (task % 5) as usize];
                format!("({task}, {technician}, {now})")
            })
        })
        .collect();
    insert_rows(
        &mut tx,
        "INSERT INTO task_technicians (task_id, technician_id, assigned_at)",
        assignments,
    )
    .await;

    // The task every page opens: the bench contractor's, in progress, with a technician (who
    // gets a sign-in link) and service tasks.
    let (task_id, technician): (i64, i64) = sqlx::query_as(
        "SELECT t.id, tt.technician_id FROM tasks t JOIN task_technicians tt ON tt.task_id = t.id \
         WHERE t.agency_id = $1 AND t.contractor_id = $2 AND t.status = 'in_progress' \
         ORDER BY t.id LIMIT 1",
    )
    .bind(agency)
    .bind(first_contractor)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    insert_rows(
        &mut tx,
        "INSERT INTO service_tasks (agency_id, task_id, position, name, result_kind)",
        (0..5)
            .map(|p| {
                format!(
                    "({agency}, {task_id}, {p}, 'Check {p}', '{}')",
                    if p % 2 == 0 { "pass_fail" } else { "reading" }
                )
            })
            .collect(),
    )
    .await;
    // The status route leaves the Desk dashboard's search (`boiler 1`) alone, so that page
    // keeps its rows whichever route runs first.
    let accepted_tasks: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM tasks WHERE agency_id = $1 AND contractor_id = $2 AND status = 'accepted' \
         AND title NOT LIKE '%boiler 1%' ORDER BY id",
    )
    .bind(agency)
    .bind(first_contractor)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let waiting_documents = ids(
        &mut tx,
        "SELECT id FROM certificate_documents WHERE agency_id = $1 AND validated_at IS NULL \
         ORDER BY id",
        agency,
    )
    .await;

    let (token, token_hash) = auth::new_token();
    app::db::tokens::insert(
        &mut *tx,
        &token_hash,
        technician,
        "sign_in",
        now,
        now + 7 * 86_400_000,
        "bench",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Seeded {
        agent_email,
        office_email,
        technician_link: format!("/auth/link/{token}"),
        contractor_id: first_contractor,
        task_id,
        technician_task_id: task_id,
        waiting_documents,
        accepted_tasks,
    }
}
