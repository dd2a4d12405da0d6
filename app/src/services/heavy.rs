//! Work that holds a core or a lot of memory for a while (password hashing, reading a
//! spreadsheet, decoding a photo) runs on tokio's blocking threads, never on the async ones that
//! answer every other request, and at most a few of each kind at once in this process: more at
//! once would not finish sooner (each is pure CPU) but would each hold its memory. Requests past
//! the bound wait their turn. Each instance has its own bound, as each has its own memory.

use super::ServiceError;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// The kinds of heavy work, each with its own bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// Argon2 holds 19 MiB for about 50 ms a password.
    Hashing,
    /// An import's file: up to 64 MB unpacked and its rows.
    Spreadsheet,
    /// A photo of up to 50 megapixels, decoded and resized: up to about 600 MB.
    Image,
    /// A service report laid out and written (fonts subset, photos embedded), or a file
    /// someone asks to verify hashed.
    Pdf,
    /// An agency's certification statuses judged: every requirement of every contractor
    /// against its documents (tens of thousands for a large agency).
    Statuses,
    /// A certificate PDF's text read in a child process (its own memory and time limits);
    /// the turn is held while the child runs.
    Reading,
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn permits(work: Work) -> &'static Semaphore {
    static HASHING: OnceLock<Semaphore> = OnceLock::new();
    static SPREADSHEET: OnceLock<Semaphore> = OnceLock::new();
    static IMAGE: OnceLock<Semaphore> = OnceLock::new();
    static PDF: OnceLock<Semaphore> = OnceLock::new();
    static READING: OnceLock<Semaphore> = OnceLock::new();
    static STATUSES: OnceLock<Semaphore> = OnceLock::new();
    match work {
        Work::Hashing => HASHING.get_or_init(|| Semaphore::new(cores())),
        Work::Spreadsheet => SPREADSHEET.get_or_init(|| Semaphore::new(cores().min(2))),
        Work::Image => IMAGE.get_or_init(|| Semaphore::new(cores().min(2))),
        Work::Pdf => PDF.get_or_init(|| Semaphore::new(cores().min(2))),
        Work::Reading => READING.get_or_init(|| Semaphore::new(cores().min(2))),
        Work::Statuses => STATUSES.get_or_init(|| Semaphore::new(cores().min(2))),
    }
}

/// Waits for a turn of this kind of work, for work that runs elsewhere (a child process)
/// but must still count against the bound while it does.
pub async fn turn(work: Work) -> Result<tokio::sync::SemaphorePermit<'static>, ServiceError> {
    permits(work)
        .acquire()
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Runs `job` on a blocking thread once a permit of its kind is free.
pub async fn run<T: Send + 'static>(
    work: Work,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    let _permit = turn(work).await?;
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| ServiceError::Internal(format!("{work:?} work failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_run_at_once_than_the_bound() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs = (0..12).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            tokio::spawn(run(Work::Spreadsheet, move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
            }))
        });
        for job in jobs.collect::<Vec<_>>() {
            job.await.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most >= 1 && most <= cores().min(2), "{most} at once");
    }
}
