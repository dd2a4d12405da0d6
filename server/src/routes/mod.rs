//! Routes outside the Leptos app and its server functions: uploads (multipart, answered in JSON
//! for the page's script), downloads, the live event stream, emailed links and report checks.
//! Each is thin: the `Actor` extractor says who is asking, a service decides, and a refusal is
//! the `ApiError` a server function would give, with the same status and JSON (`edge`). The
//! table of paths is `router.rs`.

pub mod auth;
pub mod calendar;
pub mod certificates;
pub mod edge;
pub mod events;
pub mod imports;
pub mod quotes;
pub mod task_files;
pub mod team;
pub mod verify;
