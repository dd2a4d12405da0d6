//! The server: configuration, the HTTP router and start-up. `main.rs` is the command line.

pub mod assets;
pub mod auth_routes;
pub mod client_address;
pub mod config;
pub mod event_routes;
pub mod file_routes;
pub mod import_command;
pub mod import_routes;
pub mod mailer;
pub mod quote_routes;
pub mod router;
pub mod security;
pub mod serve;
pub mod startup;
pub mod task_file_routes;
pub mod team_routes;
pub mod verify_routes;
