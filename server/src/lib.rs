//! The server: configuration, the HTTP router and start-up. `main.rs` is the command line.

pub mod auth_routes;
pub mod config;
pub mod mailer;
pub mod router;
pub mod security;
pub mod startup;
