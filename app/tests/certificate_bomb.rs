//! A PDF bomb uploaded as a certificate: its reading gives up at the deadline or dies at the
//! child's memory limit, and the upload is stored all the same. Its own test binary, because
//! the reader (and its deadline) is set once per process.

use app::db::now_ms;
use app::db_test;
use app::files::certificate_corpus::bomb;
use app::files::certificate_text::{pdf_text_within, use_reader, TextError, TextReader};
use app::files::FileStore;
use app::services::compliance::{self, NewDocument, Upload};
use app::testing::{actor, seed_demo};
use std::time::{Duration, Instant};

const OFFICE: &str = "office@brightspark.example";

fn reader() {
    use_reader(TextReader {
        program: env!("CARGO_BIN_EXE_certidesk-read-pdf").into(),
        args: vec![],
        deadline: Duration::from_millis(300),
    });
}

/// The most this process has held, in kB.
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

db_test!(a_bomb_times_out_and_the_upload_is_kept, |cx| {
    reader();
    seed_demo(&cx).await;
    let office = actor(&cx, OFFICE).await;
    let gas: i64 = sqlx::query_scalar(
        "SELECT id FROM certificate_types WHERE name = 'Gas safety' ORDER BY id",
    )
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let files = FileStore::local(folder.path());
    let cx = cx.clone().with_files(files.clone());
    // 300 MB of content in a few megabytes: slower to walk than the deadline, under the
    // memory limit, and a file the upload accepts.
    let pdf = bomb(300 << 20);
    assert!(
        (pdf.len() as u64) < app::domain::files::MAX_CERTIFICATE_BYTES,
        "{} bytes",
        pdf.len()
    );
    let started = Instant::now();
    let id = compliance::upload_document(
        &cx,
        &office,
        NewDocument {
            contractor_id: office.contractor_id.unwrap(),
            certificate_type_id: gas,
            ..Default::default()
        },
        Upload {
            file_name: "bomb.pdf".into(),
            bytes: pdf,
        },
        now_ms(),
    )
    .await
    .expect("the upload is kept whatever its reading does");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "the upload waited {took:?}");
    let outcome: Option<String> =
        sqlx::query_scalar("SELECT read_outcome FROM certificate_documents WHERE id = $1")
            .bind(id)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
    assert_eq!(outcome.as_deref(), Some("timed_out"));
    // The inflating happened in the child: this process never held the bomb.
    assert!(
        peak_kb() < 300 * 1024,
        "the test process peaked at {} kB",
        peak_kb()
    );
});

#[tokio::test(flavor = "multi_thread")]
async fn a_bomb_past_the_memory_limit_is_unreadable() {
    reader();
    // 1 GB inflated: past the child's 768 MB address space, given all the time it wants.
    let pdf = bomb(1 << 30);
    let result = pdf_text_within(&pdf, Duration::from_secs(60)).await;
    assert_eq!(result, Err(TextError::Unreadable));
    assert!(
        peak_kb() < 300 * 1024,
        "the test process peaked at {} kB",
        peak_kb()
    );
}
