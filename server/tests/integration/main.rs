//! The server's tests in one binary (one link instead of one per file), each file a module:
//! in-process servers on real sockets (`support`), and the real binary started as a process
//! where a crash, a signal or peak memory is what is tested.

mod support;

mod api_http;
mod assets_http;
mod auth_http;
mod calendar_http;
mod cancelled;
mod errors_http;
mod events_http;
mod files_http;
mod hardening;
mod http;
mod idempotency_http;
mod import_crash;
mod import_http;
mod instances;
mod mail;
mod shutdown;
mod startup;
mod webhooks_http;
