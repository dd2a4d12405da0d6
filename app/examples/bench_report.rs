//! The service report: a 3-page report (50 service tasks with results, long notes, the
//! technician's and the client's signatures, the QR code) issued 20 times, each after a small
//! change to the record so each is a new version; prints the median and slowest time to issue
//! one (lay out, write the PDF, store it, record it) and the PDF's size. Run with
//! `bench/report.sh` (SQLite in a temp folder, or PostgreSQL when a URL is given).

use app::db::now_ms;
use app::domain::records::InstructOutcome;
use app::domain::service_tasks::{parse_service_tasks, Outcome};
use app::domain::task_status::TaskAction;
use app::services::tasks::perform::{perform_on_site, Signed};
use app::services::tasks::report::current_report;
use app::services::tasks::service_work::record_result;
use app::services::tasks::{accept, act, instruct, NewTask};
use app::testing::{actor, contractor_id, seed_demo, signed_work, TestDb};
use std::time::Instant;

const RUNS: usize = 20;

#[tokio::main]
async fn main() {
    let postgres = std::env::args().nth(1);
    let scratch = TestDb::scratch(postgres.as_deref()).await;
    let db = scratch.db.clone();
    let cx = scratch.context();
    seed_demo(&cx).await;
    let agent = actor(&cx, "priya.shah@harbour-lettings.example").await;
    let names: Vec<String> = (1..=50)
        .map(|i| format!("Emergency light in corridor {i}"))
        .collect();
    let property: i64 = sqlx::query_scalar("SELECT MIN(id) FROM properties")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let task = NewTask {
        property_id: property,
        contractor_id: contractor_id(&cx, "Brightspark Electrical Ltd").await,
        title: "Emergency lighting annual test".into(),
        priority: "normal".into(),
        service_tasks: parse_service_tasks(&names.join("\n")).unwrap(),
        ..Default::default()
    };
    let task = match instruct(&cx, &agent, task, now_ms()).await.unwrap() {
        InstructOutcome::Instructed { task_id, .. } => task_id,
        other => panic!("{other:?}"),
    };
    let office = actor(&cx, "office@brightspark.example").await;
    let tom_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind("tom.baker@brightspark.example")
        .fetch_one(db.pool())
        .await
        .unwrap();
    accept(&cx, &office, task, None, &[tom_id], now_ms())
        .await
        .unwrap();
    let tom = actor(&cx, "tom.baker@brightspark.example").await;
    act(&cx, &tom, task, TaskAction::OnSite, None, now_ms())
        .await
        .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM service_tasks WHERE task_id = $1")
        .bind(task)
        .fetch_all(db.pool())
        .await
        .unwrap();
    for id in ids {
        record_result(&cx, &tom, id, Outcome::Pass, None, now_ms())
            .await
            .unwrap();
    }
    let mut work = signed_work("Łukasz Wiśniewski");
    work.notes = "All fittings tested to BS 5266; durations recorded per fitting. ".repeat(20);
    work.client = Some(Signed {
        name: "Zoë Ó Súilleabháin".into(),
        drawing: work.signer.drawing.clone(),
    });
    perform_on_site(&cx, &tom, task, work, now_ms())
        .await
        .unwrap();
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for run in 0..RUNS {
        sqlx::query("UPDATE tasks SET performed_notes = performed_notes || '.' WHERE id = $1")
            .bind(task)
            .execute(db.pool())
            .await
            .unwrap();
        let t = Instant::now();
        let (_, issued) = current_report(&cx, &agent, task, now_ms()).await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(issued.version, run as i64 + 1, "a new version each run");
        last = Some(issued);
    }
    let issued = last.unwrap();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "service report on {}: {} pages, {} bytes; issued {RUNS} times: median {:.1} ms, slowest {:.1} ms",
        db.backend().name(),
        issued.pages,
        issued.size_bytes,
        times[RUNS / 2],
        times[RUNS - 1]
    );
}
