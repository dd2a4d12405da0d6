//! Fresh databases for tests, on SQLite always and on PostgreSQL when `TEST_POSTGRES_URL` is set.
//!
//! Each PostgreSQL test gets its own schema inside the database that URL names (CI creates a
//! scratch database per run and drops it afterwards), so tests run in parallel without meeting.

use crate::db::{Backend, Db};
use crate::files::FileStore;
use crate::services::Context;
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A migrated, empty database that lives as long as this value.
pub struct TestDb {
    pub db: Db,
    /// The uploaded files' folder of `context()`.
    files: tempfile::TempDir,
    /// How a second instance would connect to the same database.
    pub url: String,
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
            files: tempfile::tempdir().expect("temporary folder for a test's files"),
            url,
            _dir: Some(dir),
        }
    }

    /// `None` when `TEST_POSTGRES_URL` is not set: the caller reports the test as skipped.
    /// When it is set but unusable, the test fails: a silent skip would hide a broken CI.
    pub async fn postgres() -> Option<TestDb> {
        Some(Self::postgres_schema(&postgres_url()?).await)
    }

    /// A fresh schema in the PostgreSQL database at `base`, migrated.
    pub async fn postgres_schema(base: &str) -> TestDb {
        let schema = format!(
            "t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_micros() % 1_000_000_000
        );
        let admin = Db::connect(base)
            .await
            .expect("connect to the PostgreSQL database");
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
        TestDb {
            db,
            files: tempfile::tempdir().expect("temporary folder for a test's files"),
            url,
            _dir: None,
        }
    }

    /// For benchmarks: a fresh schema in the PostgreSQL database given, or else a fresh SQLite file.
    /// What the use cases take: this database, files in a folder of the test's own, and
    /// `PUBLIC_URL` for links.
    pub fn context(&self) -> Context {
        Context::new(
            self.db.clone(),
            FileStore::local(self.files.path()),
            PUBLIC_URL,
        )
    }

    /// What a second server on the same database would use: its own pool and its own memory
    /// (the status cache), the same files. Close its `db` at the end.
    pub async fn another_instance(&self) -> Context {
        let db = Db::connect(&self.url)
            .await
            .expect("a second pool on the test database");
        Context::new(db, FileStore::local(self.files.path()), PUBLIC_URL)
    }

    pub async fn scratch(postgres_base: Option<&str>) -> TestDb {
        match postgres_base {
            Some(base) => Self::postgres_schema(base).await,
            None => Self::sqlite().await,
        }
    }
}

/// The address the tests' emails link to.
pub const PUBLIC_URL: &str = "http://certidesk.test";

pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// Declares one async test that runs on both engines: `name::sqlite` and `name::postgres`.
///
/// ```ignore
/// db_test!(creates_an_agency, |cx| {
///     /* use cx: app::services::Context, cx.db for SQL */
/// });
/// ```
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$cx:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let guard = $crate::testing::TestDb::sqlite().await;
                let $cx: $crate::services::Context = guard.context();
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some(guard) = $crate::testing::TestDb::postgres().await else {
                    eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
                    return;
                };
                let $cx: $crate::services::Context = guard.context();
                $body
            }
        }
    };
    // With the test database too, for a second instance (`another_instance`).
    ($name:ident, |$cx:ident, $test_db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let $test_db = $crate::testing::TestDb::sqlite().await;
                let $cx: $crate::services::Context = $test_db.context();
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some($test_db) = $crate::testing::TestDb::postgres().await else {
                    eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
                    return;
                };
                let $cx: $crate::services::Context = $test_db.context();
                $body
            }
        }
    };
}

/// Another agency with a contractor, a certificate type, a property and a document: ids that
/// the demo agency's people must never reach.
#[derive(Clone, Copy, Debug)]
pub struct OtherAgency {
    pub agency_id: i64,
    pub contractor_id: i64,
    pub certificate_type_id: i64,
    pub property_id: i64,
    pub document_id: i64,
}

impl OtherAgency {
    /// Its certificate type's name, which the demo agency does not have.
    pub const TYPE_NAME: &'static str = "Other agency's type";

    pub async fn create(cx: &Context) -> OtherAgency {
        let now = crate::db::now_ms();
        let id = |sql: &'static str| {
            let db = cx.db.clone();
            move |binds: Vec<i64>| async move {
                let mut query = sqlx::query_scalar::<_, i64>(sql);
                for b in binds {
                    query = query.bind(b);
                }
                query
                    .fetch_one(db.pool())
                    .await
                    .expect("another agency's row")
            }
        };
        let agency_id = id(
            "INSERT INTO agencies (name, created_at) VALUES ('Other Estates', $1) RETURNING id",
        )(vec![now])
        .await;
        let contractor_id = id("INSERT INTO contractors (agency_id, company_name, email, created_at) VALUES ($1, 'Other Sparks', 'o@x.example', $2) RETURNING id")(vec![agency_id, now]).await;
        let certificate_type_id = id("INSERT INTO certificate_types (agency_id, name, created_at) VALUES ($1, 'Other agency''s type', $2) RETURNING id")(vec![agency_id, now]).await;
        let property_id = id("INSERT INTO properties (agency_id, address_line1, town, postcode, created_at) VALUES ($1, '1 Elsewhere', 'Town', 'AB1 2CD', $2) RETURNING id")(vec![agency_id, now]).await;
        let document_id = id("INSERT INTO certificate_documents (agency_id, contractor_id, certificate_type_id, uploaded_at) VALUES ($1, $2, $3, $4) RETURNING id")(vec![agency_id, contractor_id, certificate_type_id, now]).await;
        OtherAgency {
            agency_id,
            contractor_id,
            certificate_type_id,
            property_id,
            document_id,
        }
    }

    /// Its administrator, with every permission (made on first use).
    pub async fn admin(&self, cx: &Context) -> crate::services::auth::Actor {
        let db = &cx.db;
        const EMAIL: &str = "boss@other-estates.example";
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(EMAIL)
            .fetch_optional(db.pool())
            .await
            .expect("look up the other administrator");
        if existing.is_none() {
            let role: i64 = sqlx::query_scalar(
                "INSERT INTO roles (agency_id, name, can_manage_users, can_manage_certification, \
                 can_instruct_work, can_override_compliance) VALUES ($1, 'Admin', 1, 1, 1, 1) \
                 RETURNING id",
            )
            .bind(self.agency_id)
            .fetch_one(db.pool())
            .await
            .expect("the other agency's role");
            sqlx::query(
                "INSERT INTO users (agency_id, kind, role_id, email, name, created_at) \
                 VALUES ($1, 'agent', $2, $3, 'Other Boss', $4)",
            )
            .bind(self.agency_id)
            .bind(role)
            .bind(EMAIL)
            .bind(crate::db::now_ms())
            .execute(db.pool())
            .await
            .expect("the other administrator");
        }
        actor(cx, EMAIL).await
    }
}

/// The demo data, dated from today in the demo agency's zone so statuses hold whenever tests run.
pub async fn seed_demo(cx: &Context) {
    let today = crate::domain::dates::local_today("Europe/London", crate::db::now_ms());
    crate::services::demo::seed_if_empty(&cx.db, today)
        .await
        .expect("demo data loads")
        .expect("the database was empty");
}

/// Who a demo person is, as the services see them.
pub async fn actor(cx: &Context, email: &str) -> crate::services::auth::Actor {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(cx.db.pool())
        .await
        .expect("a demo person");
    crate::services::auth::load_actor(cx, id)
        .await
        .expect("load the actor")
        .expect("an active account")
}

/// A demo contractor's id by its company name.
pub async fn contractor_id(cx: &Context, company: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM contractors WHERE company_name = $1")
        .bind(company)
        .fetch_one(cx.db.pool())
        .await
        .expect("a demo contractor")
}

/// "I've performed this work" with a signature that passes the checks: one firm stroke.
pub fn signed_work(name: &str) -> crate::services::tasks::perform::PerformedWork {
    use crate::domain::signature::{Drawing, Point};
    let stroke = (0..=20)
        .map(|i| Point {
            x: 0.1 + 0.04 * f64::from(i),
            y: 0.5 + if i % 2 == 0 { 0.1 } else { -0.1 },
        })
        .collect();
    crate::services::tasks::perform::PerformedWork {
        notes: "Replaced the unit; tested.".into(),
        signer: crate::services::tasks::perform::Signed {
            name: name.into(),
            drawing: Drawing {
                strokes: vec![stroke],
            },
        },
        client: None,
    }
}

/// The text of a PDF as a reader extracts it (poppler's `pdftotext`, in reading order with the
/// layout kept, so a table row stays on one line).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils; scripts/setup.sh installs it)");
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// How many images a PDF draws (poppler's `pdfimages -list`).
pub fn pdf_image_count(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = std::process::Command::new("pdfimages")
        .arg("-list")
        .arg(&path)
        .output()
        .expect("pdfimages (Debian's poppler-utils)");
    // Two heading lines, then one line an image.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .count()
        .saturating_sub(2)
}

/// A PDF's document information as poppler's `pdfinfo` prints it ("Title:", "Author:", ...).
pub fn pdf_info(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (Debian's poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
