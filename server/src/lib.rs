//! The server: configuration, the HTTP router and start-up. `main.rs` is the command line.

pub mod config;
pub mod router;
pub mod security;
pub mod startup;
