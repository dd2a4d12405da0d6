//! Pure rules of the product: no I/O, compiled for the server and the browser, heavily unit-tested.

pub mod accreditation;
pub mod api_keys;
pub mod certificate_reading;
pub mod compliance;
pub mod csv;
pub mod dates;
pub mod escalation;
pub mod files;
pub mod form_fields;
pub mod identity;
pub mod import;
pub mod outbox;
pub mod properties;
pub mod query;
pub mod quotes;
pub mod records;
pub mod service_tasks;
pub mod sheet;
pub mod signature;
pub mod task_count;
pub mod task_list;
pub mod task_status;
pub mod task_work;
pub mod tech_day;
pub mod work_date;
pub mod work_kinds;
