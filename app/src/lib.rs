//! Certidesk: contractor certification compliance and the contractor portal.
//!
//! The crate is compiled twice: with `ssr` for the server and with `hydrate` for the browser.
//! `domain` holds pure rules for both; `db` and `services` exist only on the server.

// Large statically typed views (the compliance matrix) nest deeper than the default limit.
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod services;
/// Fresh databases on both engines, the demo's people and PDF inspection, for the test
/// binaries and the benches only (feature `test-support`).
#[cfg(feature = "test-support")]
pub mod testing;
