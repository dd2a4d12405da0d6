//! Pure rules of the product: no I/O, compiled for the server and the browser, heavily unit-tested.

pub mod compliance;
pub mod dates;
pub mod identity;
pub mod outbox;
pub mod records;
pub mod task_status;
