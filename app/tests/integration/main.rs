//! The library's integration tests in one binary (one link instead of one per file), each file a
//! module. Every database test runs on SQLite, and on PostgreSQL when `TEST_POSTGRES_URL` is set.
//! `certificate_bomb` is its own binary: it sets the process-wide PDF reader's deadline and
//! measures the process's peak memory.

mod api_keys;
mod assignment;
mod calendar;
mod certificate_reading;
mod compliance;
mod db;
mod escalation;
mod identity;
mod import;
mod perform;
mod phone_times;
mod properties;
mod quotes;
mod service_tasks;
mod support;
mod tasks;
mod webhooks;
mod work_kinds;
