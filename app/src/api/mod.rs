//! Server functions: thin. Each resolves who is asking, calls a service, returns a typed result.

/// What the server gives every request: the database and how it runs.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct AppContext {
    pub db: crate::db::Db,
    pub demo: bool,
}
