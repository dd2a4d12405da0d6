//! What every use case works with: the database, the file store, the address people use (for
//! links in emails), and what is computed from the database and kept in memory beside it.

use crate::db::Db;
use crate::files::FileStore;
use crate::services::api_limit::Reservations;
use crate::services::compliance::StatusCache;
use crate::services::task_counts::TaskCountCache;
use std::sync::Arc;

/// One per running server, cloned cheaply into each request.
#[derive(Clone, Debug)]
pub struct Context {
    pub db: Db,
    pub files: FileStore,
    /// The address people use, for links in emails (no trailing slash needed).
    pub public_url: Arc<str>,
    /// The agencies' certification statuses, computed once per certification version.
    pub(crate) statuses: Arc<StatusCache>,
    /// The Desk dashboards' counts, kept per contractor task version.
    pub(crate) task_counts: Arc<TaskCountCache>,
    /// The API requests this instance has reserved for each key in the current minute.
    pub(crate) api_reservations: Arc<Reservations>,
    /// Whether webhook endpoints may be on this machine or a private network (an operator's
    /// setting for development; off, such endpoints are refused when registered and when sent).
    pub webhooks_reach_internal: bool,
}

impl Context {
    pub fn new(db: Db, files: FileStore, public_url: &str) -> Context {
        Context {
            db,
            files,
            public_url: public_url.into(),
            statuses: Arc::default(),
            task_counts: Arc::default(),
            api_reservations: Arc::default(),
            webhooks_reach_internal: false,
        }
    }

    /// How many times this instance has computed an agency's statuses whole, and how many it
    /// brought them up to date for the contractors that changed (tests count them).
    #[cfg(feature = "test-support")]
    pub fn statuses_computed(&self) -> (u64, u64) {
        self.statuses.computed()
    }

    /// The same database and address with another file store (a test's object storage, say).
    pub fn with_files(self, files: FileStore) -> Context {
        Context { files, ..self }
    }

    /// The same, with webhook endpoints allowed (or not) on internal addresses.
    pub fn with_internal_webhooks(self, allowed: bool) -> Context {
        Context {
            webhooks_reach_internal: allowed,
            ..self
        }
    }
}
