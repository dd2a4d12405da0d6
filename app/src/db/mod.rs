//! Database access: one code path for SQLite and PostgreSQL through sqlx's `Any` driver.
//!
//! Portable storage choices (docs/architecture.md, "Why sqlx `Any`"): calendar dates as `TEXT 'YYYY-MM-DD'`, instants as
//! `BIGINT` Unix milliseconds, ids as 64-bit integers, and flags as 0/1 integers: the `Any` driver
//! cannot decode SQLite booleans, so flags are bound with [`flag`] and read as `i64`. Queries use
//! `$1` placeholders, which both engines accept.

pub mod api_keys;
pub mod attempts;
pub mod audit;
pub mod client_requests;
pub mod escalations;
mod leases;
pub mod outbox;
pub mod sessions;
pub mod tokens;
pub mod users;
pub mod webhooks;

use crate::events::{Change, Events};
use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a write waits for its turn (as long as for a pooled connection).
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(5);
const SQLITE_CONNECTIONS: u32 = 8;
const POSTGRES_CONNECTIONS: u32 = 16;
/// How long a PostgreSQL connection may sit in the pool before it is tested as it is taken.
pub const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database engine a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the URL must start with sqlite: or postgres:")]
    UnsupportedUrl,
    #[error("cannot create the folder for the database file: {0}")]
    Folder(#[source] std::io::Error),
    #[error("{0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How SQLite makes a commit durable (PostgreSQL: its own `synchronous_commit`, on by default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteSync {
    /// Every commit reaches the disk before it is acknowledged: survives a power cut.
    #[default]
    Full,
    /// Commits reach the disk at checkpoints: survives the process being killed, but an OS
    /// crash or a power cut can lose the last commits.
    Normal,
}

impl SqliteSync {
    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "PRAGMA synchronous = FULL",
            SqliteSync::Normal => "PRAGMA synchronous = NORMAL",
        }
    }
}

/// A pool on one of the two engines. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    events: Events,
    /// Write transactions take turns here, in arrival order, before they take a connection.
    /// SQLite has one writer: one at a time, instead of sleeping in SQLite's busy handler (whose
    /// back-off made a queue of writers a long tail). PostgreSQL: at most half the pool, so the
    /// reads a transaction makes through the pool always find a connection (with every
    /// connection in a transaction waiting for one, all waited for the pool's timeout).
    write_turns: Arc<Semaphore>,
}

/// A write transaction: the connection (deref it as for a `Transaction`) and the turn it holds
/// until it commits or is dropped (rolled back).
pub struct WriteTx {
    // Declared before the turn: dropped (rolled back) before the next writer goes.
    tx: Transaction<'static, Any>,
    _turn: WriteTurn,
}

/// A writer's turn. Logs at debug how long the writer waited for it and held it: under load a
/// write's time is mostly one or the other, and they call for different cures.
struct WriteTurn {
    _permit: OwnedSemaphorePermit,
    asked: std::time::Instant,
    taken: std::time::Instant,
}

impl Drop for WriteTurn {
    fn drop(&mut self) {
        tracing::debug!(
            waited_us = (self.taken - self.asked).as_micros() as u64,
            held_us = self.taken.elapsed().as_micros() as u64,
            "write turn"
        );
    }
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl Db {
    /// Opens a pool. For SQLite the file (and its folder) is created when missing, and every
    /// connection gets WAL, foreign keys and a busy timeout.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        Self::connect_with(url, SqliteSync::default()).await
    }

    /// As [`Db::connect`], with SQLite's durability chosen.
    pub async fn connect_with(url: &str, sync: SqliteSync) -> Result<Self, DbError> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url_with_create(url).map_err(DbError::Folder)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => SQLITE_CONNECTIONS,
                Backend::Postgres => POSTGRES_CONNECTIONS,
            })
            .acquire_timeout(Duration::from_secs(5))
            // sqlx pings a connection as it goes back to the pool, and by default again as it is
            // taken: two round trips around every pooled statement, where a page runs twenty.
            // The second is kept below only where it can find something: a PostgreSQL
            // connection that sat idle.
            .test_before_acquire(false)
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    if !conn.is_in_transaction() {
                        return Ok(true);
                    }
                    // A dropped transaction's rollback may still be queued: the ping runs it.
                    conn.ping().await?;
                    // Still in one: a `begin` was cancelled after the database began it but
                    // before sqlx gave back the transaction that would roll it back, so nothing
                    // will. Kept, the connection would hold SQLite's write lock, or make the next
                    // borrower's transaction a savepoint inside the stale one on PostgreSQL.
                    // Closing it rolls it back.
                    Ok(!conn.is_in_transaction())
                })
            });
        let options = match backend {
            Backend::Sqlite => options.after_connect(move |conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute(sync.pragma()).await?;
                    Ok(())
                })
            }),
            // A restarted server leaves idle connections dead; busy ones are proven by their
            // last statement and the ping on release. SQLite's live in the process and cannot
            // be cut, so they are not tested at all.
            Backend::Postgres => options.before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            }),
        };
        let pool = options.connect(&url).await?;
        let events = match backend {
            Backend::Sqlite => Events::new(None),
            Backend::Postgres => {
                let schema: String = sqlx::query_scalar("SELECT current_schema()::text")
                    .fetch_one(&pool)
                    .await?;
                Events::new(Some((
                    url.clone(),
                    crate::events::channel_for_schema(&schema),
                )))
            }
        };
        if backend == Backend::Sqlite {
            // WAL is a property of the file: set once, it stays.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Db {
            pool,
            backend,
            events,
            write_turns: Arc::new(Semaphore::new(match backend {
                Backend::Sqlite => 1,
                Backend::Postgres => POSTGRES_CONNECTIONS as usize / 2,
            })),
        })
    }

    /// Begins a transaction that writes. It takes its turn first (before a pooled connection, so
    /// waiting writers never hold the connections readers need). On SQLite, then the write lock
    /// at once (`BEGIN IMMEDIATE`): a transaction that reads and then writes can no longer fail
    /// with "database is locked" because another wrote after it read. Another process
    /// (`certidesk import`) is waited for by the busy timeout. PostgreSQL keeps its own
    /// concurrency among the writers let in.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let asked = std::time::Instant::now();
        let permit =
            tokio::time::timeout(WRITE_TURN_TIMEOUT, self.write_turns.clone().acquire_owned())
                .await
                .map_err(|_| sqlx::Error::PoolTimedOut)?
                .map_err(|_| sqlx::Error::PoolClosed)?;
        let turn = WriteTurn {
            _permit: permit,
            asked,
            taken: std::time::Instant::now(),
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _turn: turn })
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Live updates of this database's changes, across instances on PostgreSQL.
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Tells open pages about a committed change.
    pub async fn publish(&self, change: Change) {
        self.events.publish(&self.pool, change).await
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Adds `mode=rwc` so a missing SQLite file is created, and creates its folder.
fn sqlite_url_with_create(url: &str) -> std::io::Result<String> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)?;
            }
        }
    }
    if query.contains("mode=") {
        Ok(url.to_string())
    } else if query.is_empty() {
        Ok(format!("{url}?mode=rwc"))
    } else {
        Ok(format!("{url}&mode=rwc"))
    }
}

/// Ids for an `IN (...)` list. Only ever numbers, so nothing a person typed reaches the SQL.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// A read narrowed to some contractors, for a statement whose `$1` is the agency.
///
/// The filter is written only when there is one, never as `($2 = 0 OR contractor_id = $2)`:
/// with that, both engines read every row of the agency. One contractor (a contractor's page)
/// is bound as `$2`, so the statement stays prepared; a list is written into the statement,
/// which then is not kept prepared (each list would be a statement of its own).
pub struct ContractorFilter {
    /// `AND <column> ...`, or nothing for the whole agency.
    pub sql: String,
    /// The one contractor to bind as `$2`.
    bind: Option<i64>,
    persistent: bool,
}

impl ContractorFilter {
    /// `None` when the list is empty: the read has nothing to find.
    pub fn new(column: &str, contractors: Option<&[i64]>) -> Option<Self> {
        Some(match contractors {
            None => Self {
                sql: String::new(),
                bind: None,
                persistent: true,
            },
            Some([]) => return None,
            Some([one]) => Self {
                sql: format!("AND {column} = $2"),
                bind: Some(*one),
                persistent: true,
            },
            Some(ids) => Self {
                sql: format!("AND {column} IN ({})", id_list(ids)),
                bind: None,
                persistent: false,
            },
        })
    }

    /// `sql` (with this filter written in) as a query with the agency and the one contractor
    /// bound, kept prepared or not as the filter says.
    pub fn query_as<'q, O>(
        &self,
        sql: &'q str,
        agency_id: i64,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>
    where
        O: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        let query = sqlx::query_as(sql)
            .persistent(self.persistent)
            .bind(agency_id);
        match self.bind {
            Some(contractor_id) => query.bind(contractor_id),
            None => query,
        }
    }
}

/// A flag as stored: 1 or 0.
pub fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// Milliseconds since the Unix epoch: how instants are stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_read_from_the_url() {
        assert_eq!(
            Backend::from_url("sqlite://data/app.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://u@h/db").is_err());
    }

    #[test]
    fn sqlite_url_gets_create_mode_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/app.db");
        let url = format!("sqlite://{}", file.display());
        assert_eq!(
            sqlite_url_with_create(&url).unwrap(),
            format!("{url}?mode=rwc")
        );
        assert!(file.parent().unwrap().is_dir());
        let with_mode = format!("{url}?mode=ro");
        assert_eq!(sqlite_url_with_create(&with_mode).unwrap(), with_mode);
    }

    #[test]
    fn one_contractor_is_bound_and_kept_prepared_a_list_is_written_in() {
        let all = ContractorFilter::new("c", None).unwrap();
        assert_eq!(
            (all.sql.as_str(), all.bind, all.persistent),
            ("", None, true)
        );
        let one = ContractorFilter::new("c", Some(&[7])).unwrap();
        assert_eq!(
            (one.sql.as_str(), one.bind, one.persistent),
            ("AND c = $2", Some(7), true)
        );
        let some = ContractorFilter::new("c", Some(&[7, 9])).unwrap();
        assert_eq!(
            (some.sql.as_str(), some.bind, some.persistent),
            ("AND c IN (7,9)", None, false)
        );
        assert!(ContractorFilter::new("c", Some(&[])).is_none());
    }
}
