//! The schema and the portable types behave the same on SQLite and PostgreSQL.

use app::db::now_ms;
use app::db_test;
use app::domain::task_status::TaskStatus;
use app::services::demo;
use app::services::Context;
use chrono::NaiveDate;
use std::collections::HashSet;

async fn agency(cx: &Context, name: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO agencies (name, created_at) VALUES ($1, $2) RETURNING id")
        .bind(name)
        .bind(now_ms())
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

db_test!(portable_types_round_trip, |cx| {
    let id = agency(&cx, "Round Trip Lettings").await;
    let row: (String, String, String, i64, i64) = sqlx::query_as(
        "SELECT name, time_zone, date_format, expiring_soon_days, created_at FROM agencies WHERE id = $1",
    )
    .bind(id)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert_eq!(row.0, "Round Trip Lettings");
    assert_eq!(row.1, "Europe/London");
    assert_eq!(row.2, "DD/MM/YYYY");
    assert_eq!(row.3, 30);
    assert!(
        row.4 > 1_700_000_000_000,
        "instants are stored in milliseconds"
    );

    sqlx::query(
        "INSERT INTO roles (agency_id, name, can_manage_users, can_override_compliance) VALUES ($1, 'R', 1, 0)",
    )
    .bind(id)
    .execute(cx.db.pool())
    .await
    .unwrap();
    let (users, overrides, instruct): (i64, i64, i64) = sqlx::query_as(
        "SELECT can_manage_users, can_override_compliance, can_instruct_work FROM roles WHERE agency_id = $1",
    )
    .bind(id)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert_eq!((users, overrides), (1, 0));
    assert_eq!(instruct, 0, "flags default to 0");
    let not_a_flag = sqlx::query("UPDATE roles SET can_manage_users = 2 WHERE agency_id = $1")
        .bind(id)
        .execute(cx.db.pool())
        .await;
    assert!(not_a_flag.is_err(), "a flag is 0 or 1");

    let missing: Option<String> =
        sqlx::query_scalar("SELECT external_ref FROM contractors WHERE agency_id = $1")
            .bind(id)
            .fetch_optional(cx.db.pool())
            .await
            .unwrap()
            .flatten();
    assert_eq!(missing, None);
});

db_test!(constraints_are_enforced, |cx| {
    let id = agency(&cx, "Strict Lettings").await;
    let contractor: i64 = sqlx::query_scalar(
        "INSERT INTO contractors (agency_id, company_name, email, created_at) VALUES ($1, 'Sparks', 's@x.example', 0) RETURNING id",
    )
    .bind(id)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();

    // A technician never has a password.
    let with_password = sqlx::query(
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, password_hash, created_at) \
         VALUES ($1, 'technician', $2, 't@x.example', 'T', 'hash', 0)",
    )
    .bind(id)
    .bind(contractor)
    .execute(cx.db.pool())
    .await;
    assert!(with_password.is_err());

    // Email addresses are unique whatever their case.
    let insert_user = |email: &'static str| {
        sqlx::query(
            "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at) \
             VALUES ($1, 'contractor', $2, $3, 'Office', 0)",
        )
        .bind(id)
        .bind(contractor)
        .bind(email)
        .execute(cx.db.pool())
    };
    insert_user("office@x.example").await.unwrap();
    assert!(insert_user("Office@X.example").await.is_err());

    // Foreign keys hold (SQLite enforces them only when told to, on every connection).
    let orphan = sqlx::query(
        "INSERT INTO tasks (agency_id, reference, property_id, title, status, priority, created_at, updated_at) \
         VALUES ($1, 'T-1', 999999, 'Orphan', 'draft', 'normal', 0, 0)",
    )
    .bind(id)
    .execute(cx.db.pool())
    .await;
    assert!(orphan.is_err(), "a task must reference a real property");

    // Only known statuses are stored.
    let property: i64 = sqlx::query_scalar(
        "INSERT INTO properties (agency_id, address_line1, town, postcode, created_at) VALUES ($1, '1 A St', 'Bath', 'BA1 1AA', 0) RETURNING id",
    )
    .bind(id)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    let bad_status = sqlx::query(
        "INSERT INTO tasks (agency_id, reference, property_id, title, status, priority, created_at, updated_at) \
         VALUES ($1, 'T-2', $2, 'Odd', 'done', 'normal', 0, 0)",
    )
    .bind(id)
    .bind(property)
    .execute(cx.db.pool())
    .await;
    assert!(bad_status.is_err());
});

db_test!(demo_data_loads_once_with_every_task_status, |cx| {
    let summary = demo::seed_if_empty(&cx.db, today())
        .await
        .unwrap()
        .expect("an empty database is seeded");
    assert_eq!(summary.agency, "Harbour Lettings");
    assert!(summary.agents.len() >= 3);
    assert!(!summary.office_users.is_empty());
    assert!(!summary.technicians.is_empty());

    assert_eq!(
        demo::seed_if_empty(&cx.db, today()).await.unwrap(),
        None,
        "seeding twice changes nothing"
    );
    let agencies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agencies")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert_eq!(agencies, 1);

    let statuses: Vec<String> = sqlx::query_scalar("SELECT DISTINCT status FROM tasks")
        .fetch_all(cx.db.pool())
        .await
        .unwrap();
    let statuses: HashSet<_> = statuses
        .iter()
        .map(|s| TaskStatus::parse(s).expect("known status"))
        .collect();
    for status in TaskStatus::ALL {
        assert!(
            statuses.contains(&status),
            "demo data lacks a {status:?} task"
        );
    }

    let types: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM certificate_types WHERE built_in = 1")
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
    assert_eq!(types as usize, demo::BUILT_IN_CERTIFICATE_TYPES.len());

    // Dates sit relative to the day of loading, stored as YYYY-MM-DD.
    let due: String = sqlx::query_scalar("SELECT due_date FROM tasks WHERE reference = 'T-01001'")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    assert_eq!(due, "2026-12-06");
});

/// The two migration folders are written by hand; this keeps them in step: after migrating,
/// both engines have the same tables with the same columns.
#[tokio::test]
async fn both_engines_have_the_same_tables_and_columns() {
    use app::testing::TestDb;
    let sqlite = TestDb::sqlite().await;
    let Some(postgres) = TestDb::postgres().await else {
        eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
        return;
    };
    let mut on_sqlite: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(sqlite.db.pool())
    .await
    .unwrap();
    let mut on_postgres: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(postgres.db.pool())
    .await
    .unwrap();
    on_sqlite.sort();
    on_postgres.sort();
    assert!(on_sqlite.len() > 50, "the schema was read: {on_sqlite:?}");
    assert_eq!(on_sqlite, on_postgres);
}

/// A PostgreSQL server that restarts leaves the pool's idle connections dead. The pool no longer
/// tests every connection it hands out (a round trip around every statement), only those idle
/// for `IDLE_BEFORE_PING`: after a quiet spell, a dead connection is replaced, not handed out.
#[tokio::test]
async fn postgres_connections_cut_while_idle_are_replaced_not_used() {
    use app::testing::TestDb;
    let Some(postgres) = TestDb::postgres().await else {
        eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
        return;
    };
    let pool = postgres.db.pool();
    // Every connection the pool may hold, held at once, so every one is known.
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.unwrap());
    }
    let mut pids = Vec::new();
    for conn in &mut held {
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        pids.push(pid);
    }
    drop(held);
    let admin = app::db::Db::connect(&app::testing::postgres_url().expect("TEST_POSTGRES_URL"))
        .await
        .unwrap();
    for pid in &pids {
        let cut: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(*pid)
            .fetch_one(admin.pool())
            .await
            .unwrap();
        assert!(cut, "backend {pid} was cut");
    }
    admin.close().await;
    tokio::time::sleep(app::db::IDLE_BEFORE_PING + std::time::Duration::from_millis(200)).await;
    for _ in 0..pids.len() {
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(pool)
            .await
            .expect("a statement after a quiet spell runs on a live connection");
        assert!(!pids.contains(&pid), "a cut connection was used");
    }
}

// Writers that read first (a status check, a count) and then write, all at once: on SQLite a
// transaction begun deferred fails with "database is locked" when another writes after it read;
// written through `begin_write`, every one commits, and each sees all the writes before it.
db_test!(write_transactions_at_the_same_moment_all_commit, |cx| {
    sqlx::query("CREATE TABLE write_turns (seen BIGINT NOT NULL)")
        .execute(cx.db.pool())
        .await
        .unwrap();
    const WRITERS: i64 = 24;
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let cx = cx.clone();
            tokio::spawn(async move {
                let mut tx = cx.db.begin_write().await?;
                let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM write_turns")
                    .fetch_one(&mut *tx)
                    .await?;
                // Others read meanwhile.
                tokio::time::sleep(std::time::Duration::from_millis(3)).await;
                sqlx::query("INSERT INTO write_turns (seen) VALUES ($1)")
                    .bind(seen)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap().expect("every writer commits");
    }
    let seen: Vec<i64> = sqlx::query_scalar("SELECT seen FROM write_turns ORDER BY seen")
        .fetch_all(cx.db.pool())
        .await
        .unwrap();
    assert_eq!(seen.len() as i64, WRITERS);
    if cx.db.backend() == app::db::Backend::Sqlite {
        assert_eq!(
            seen,
            (0..WRITERS).collect::<Vec<_>>(),
            "one writer at a time"
        );
    }
});

// What the README promises of SQLite: an acknowledged commit is on the disk (FULL is 2).
db_test!(sqlite_commits_are_synchronous, |cx| {
    if cx.db.backend() != app::db::Backend::Sqlite {
        return;
    }
    // Three connections held at once: three different ones.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = cx.db.pool().acquire().await.unwrap();
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(level, 2, "synchronous = FULL on every connection");
        held.push(conn);
    }
});

// A `begin` cancelled after the database began the transaction but before sqlx handed it back
// (a client gone mid-request) leaves the connection inside a transaction that nothing will end.
// Such a connection must not be lent again: on SQLite every later write on it failed ("attempted
// to call begin_with at non-zero transaction depth", a 500); on PostgreSQL a later transaction
// became a savepoint inside the stale one, and its commit was never seen.
db_test!(a_connection_left_in_a_transaction_is_not_lent_again, |cx| {
    use sqlx::Connection;
    let id = agency(&cx, "Left Open Lettings").await;
    let size = cx.db.pool().options().get_max_connections();
    let mut connections = Vec::new();
    for _ in 0..size {
        connections.push(cx.db.pool().acquire().await.unwrap());
    }
    for connection in &mut connections {
        // Begun and never ended, as a cancelled `begin` leaves it.
        std::mem::forget(connection.begin().await.unwrap());
    }
    drop(connections);
    for i in 0..(2 * size) {
        let mut tx = cx.db.begin_write().await.unwrap();
        sqlx::query("UPDATE agencies SET name = $1 WHERE id = $2")
            .bind(format!("Lettings {i}"))
            .bind(id)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let seen: String = sqlx::query_scalar("SELECT name FROM agencies WHERE id = $1")
            .bind(id)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
        assert_eq!(
            seen,
            format!("Lettings {i}"),
            "write {i} committed and seen"
        );
    }
});
