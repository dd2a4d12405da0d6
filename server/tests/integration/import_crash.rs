//! An import killed half-way through its commit leaves the database as it was: the real binary
//! imports a large file and is killed (SIGKILL) while applying it; the certificates are then
//! either all there or none, never part of them. On SQLite and, when set up, PostgreSQL.

use app::db::Db;
use app::testing::TestDb;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROWS: usize = 40_000;

async fn count(db: &Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM certificate_documents")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Demo data, and a file of distinct certificates for the demo's contractors.
async fn prepare(db: &Db, dir: &std::path::Path) -> std::path::PathBuf {
    app::services::demo::seed_if_empty(db, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM contractors ORDER BY id")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let mut file =
        String::from("ContractorUserTypeID,ExternalContractorRef,ContractorCompanyName,ContractorCertificateName,StartDate,EndDate,ContractorCertificateReminder,ContractorCertificateReminderRelatesTo,ContractorCertificateValid\r\n");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for i in 0..ROWS {
        let end = start + chrono::Days::new(1 + (i / ids.len()) as u64);
        file.push_str(&format!(
            "{},,,Gas safety,01/01/2026,{},,,\r\n",
            ids[i % ids.len()],
            end.format("%d/%m/%Y")
        ));
    }
    let path = dir.join("big.csv");
    std::fs::write(&path, file).unwrap();
    path
}

async fn killed_half_way_changes_nothing(db: Db, url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = prepare(&db, dir.path()).await;
    let before = count(&db).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_certidesk"))
        .args(["import-certifications", "--agency", "1"])
        .arg(&file)
        .env("DATABASE_URL", url)
        .env("DATA_DIR", dir.path())
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the transaction starts, then kill the process outright.
    let stdout = child.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.contains("applying an import in one transaction") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the import never started applying"
        );
    }
    std::thread::sleep(Duration::from_millis(150));
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        still_running,
        "the import finished before it could be killed; make the file larger"
    );
    assert_eq!(
        count(&db).await,
        before,
        "a killed import left part of its rows"
    );
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'certificate_imported'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(audit, 0);
}

#[tokio::test]
async fn an_import_killed_half_way_leaves_the_database_as_it_was_sqlite() {
    let test = TestDb::sqlite().await;
    killed_half_way_changes_nothing(test.db.clone(), &test.url).await;
}

#[tokio::test]
async fn an_import_killed_half_way_leaves_the_database_as_it_was_postgres() {
    let Some(test) = TestDb::postgres().await else {
        eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
        return;
    };
    killed_half_way_changes_nothing(test.db.clone(), &test.url).await;
}
