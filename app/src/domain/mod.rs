//! Pure rules of the product: no I/O, compiled for the server and the browser, heavily unit-tested.

pub mod dates;
pub mod task_status;
