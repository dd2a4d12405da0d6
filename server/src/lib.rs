//! The server: configuration, the HTTP router and start-up. `main.rs` is the command line.

pub mod api_v1;
pub mod assets;
pub mod client_address;
pub mod config;
pub mod idempotency;
pub mod import_command;
pub mod mailer;
pub mod router;
pub mod routes;
pub mod security;
pub mod serve;
pub mod startup;
pub mod webhook_sender;
