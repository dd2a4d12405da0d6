//! Fresh databases for tests, on SQLite always and on PostgreSQL when `TEST_POSTGRES_URL` is set.
//!
//! Each PostgreSQL test gets its own schema inside the database that URL names (CI creates a
//! scratch database per run and drops it afterwards), so tests run in parallel without meeting.

use super::{Backend, Db};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A migrated, empty database that lives as long as this value.
pub struct TestDb {
    pub db: Db,
    // Keeps the SQLite file's folder alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder for a test database");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let db = Db::connect(&url)
            .await
            .expect("open the SQLite test database");
        db.migrate()
            .await
            .expect("migrate the SQLite test database");
        TestDb {
            db,
            _dir: Some(dir),
        }
    }

    /// `None` when `TEST_POSTGRES_URL` is not set: the caller reports the test as skipped.
    /// When it is set but unusable, the test fails: a silent skip would hide a broken CI.
    pub async fn postgres() -> Option<TestDb> {
        let base = postgres_url()?;
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_micros() % 1_000_000_000
        );
        let admin = Db::connect(&base)
            .await
            .expect("connect to TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(admin.pool())
            .await
            .expect("create a test schema");
        admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        let db = Db::connect(&url).await.expect("connect to the test schema");
        db.migrate()
            .await
            .expect("migrate the PostgreSQL test schema");
        Some(TestDb { db, _dir: None })
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// Declares one async test that runs on both engines: `name::sqlite` and `name::postgres`.
///
/// ```ignore
/// db_test!(creates_an_agency, |db| {
///     /* use db: app::db::Db */
/// });
/// ```
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let guard = $crate::db::testing::TestDb::sqlite().await;
                let $db: $crate::db::Db = guard.db.clone();
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some(guard) = $crate::db::testing::TestDb::postgres().await else {
                    eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
                    return;
                };
                let $db: $crate::db::Db = guard.db.clone();
                $body
            }
        }
    };
}
