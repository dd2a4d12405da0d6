//! Files made to take the server down, sent to the real binary in parallel as an attacker would:
//! each is refused with a message, the process's peak memory stays under 1 GB, and `/healthz`
//! answers within a second the whole time.

use crate::support::{browser, run_server, server_log, sign_in, wait_until_up};
use reqwest::multipart::{Form, Part};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";

/// The process's peak resident memory (VmHWM), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc status");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb * 1024
}

/// Polls `/healthz` until `stop`, and returns the slowest answer.
async fn watch_health(base: String, stop: Arc<AtomicBool>) -> Duration {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut slowest = Duration::ZERO;
    while !stop.load(Ordering::SeqCst) {
        let started = Instant::now();
        let ok = client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200);
        let took = if ok {
            started.elapsed()
        } else {
            Duration::from_secs(5)
        };
        slowest = slowest.max(took);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    slowest
}

async fn post(client: &reqwest::Client, base: &str, path: &str, form: Form) -> (u16, String) {
    let r = client
        .post(format!("{base}{path}"))
        .header("origin", base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bombs_sent_at_once_are_refused_and_the_server_stays_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    let url = format!("sqlite://{}/app.db", dir.path().display());
    let (mut server, base) = run_server(dir.path(), &url, None);
    wait_until_up(&base).await;

    let admin = browser();
    sign_in(&admin, &base, ADMIN).await;
    let office = browser();
    sign_in(&office, &base, OFFICE).await;
    let db = app::db::Db::connect(&url).await.unwrap();
    let task: i64 = sqlx::query_scalar(
        "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
         WHERE c.company_name = 'Brightspark Electrical Ltd' AND t.status = 'accepted'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();

    let defects_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM defects")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let health = tokio::spawn(watch_health(base.clone(), stop.clone()));

    use app::files::hostile;
    let far_corner = hostile::workbook(&[(0, 0, "x"), (1_048_575, 16_383, "y")]);
    let far_down = hostile::workbook(&[(0, 0, "x"), (999_999, 25, "y")]);
    let long_string = hostile::long_shared_string(50_000_000, 40);
    let png = hostile::black_png(20_000, 20_000);
    let mut sent = Vec::new();
    for path in ["preview", "commit", "errors"] {
        for (bytes, expected) in [
            (&far_corner, "Cell XFD1048576 has a value"),
            (&far_down, "must name the template's columns"),
            (&long_string, "more than 1,000 characters"),
            (&long_string, "more than 1,000 characters"),
        ] {
            let (client, base, bytes) = (admin.clone(), base.clone(), bytes.clone());
            sent.push(tokio::spawn(async move {
                let form =
                    Form::new().part("file", Part::bytes(bytes).file_name("certification.xlsx"));
                let path = format!("/imports/certifications/{path}");
                let (status, body) = post(&client, &base, &path, form).await;
                (path, status, body, expected)
            }));
        }
    }
    for _ in 0..4 {
        let (client, base, png) = (office.clone(), base.clone(), png.clone());
        sent.push(tokio::spawn(async move {
            let form = Form::new()
                .text("severity", "critical")
                .text("description", "A socket hangs off the wall")
                .part("photo", Part::bytes(png).file_name("socket.png"));
            let path = format!("/files/tasks/{task}/defects");
            let (status, body) = post(&client, &base, &path, form).await;
            (path, status, body, "20000 × 20000 pixels")
        }));
    }
    for answer in sent {
        let (path, status, body, expected) = answer.await.unwrap();
        assert!(
            (400..500).contains(&status) && body.contains(expected),
            "{path}: {status} {body}\n{}",
            server_log(dir.path(), &base)
        );
    }
    stop.store(true, Ordering::SeqCst);
    let slowest = health.await.unwrap();
    let peak = peak_memory(server.id());
    let defects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM defects")
        .fetch_one(db.pool())
        .await
        .unwrap();
    server.kill().unwrap();
    let _ = server.wait();
    assert!(
        slowest < Duration::from_secs(1),
        "/healthz took {slowest:?} while the files were read"
    );
    assert!(
        peak < 1024 * 1024 * 1024,
        "the server peaked at {} MB",
        peak / 1_048_576
    );
    assert_eq!(defects, defects_before, "no refused defect was recorded");
    println!(
        "bombs: slowest /healthz {} ms, peak memory {} MB",
        slowest.as_millis(),
        peak / 1_048_576
    );
}

/// How long until the server closes `stream`, which has sent `sent` and nothing more; `None`
/// if it is still open after `wait`.
fn closed_after(mut stream: std::net::TcpStream, sent: &[u8], wait: Duration) -> Option<Duration> {
    use std::io::{Read, Write};
    stream.write_all(sent).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(started.elapsed())
            }
            Err(_) => return None,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_headers_and_idle_connections_are_closed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    let url = format!("sqlite://{}/app.db", dir.path().display());
    let (mut server, base) = run_server(dir.path(), &url, None);
    wait_until_up(&base).await;
    let address = base.trim_start_matches("http://").to_string();
    let limit = certidesk::serve::HEADER_READ_TIMEOUT;
    let wait = limit + Duration::from_secs(5);
    let tries: Vec<_> = (0..40)
        .map(|i| {
            let address = address.clone();
            tokio::task::spawn_blocking(move || {
                let stream = std::net::TcpStream::connect(&address).unwrap();
                if i % 2 == 0 {
                    // Headers that never end.
                    closed_after(
                        stream,
                        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1",
                        wait,
                    )
                } else {
                    // One request, then nothing on the kept-alive connection.
                    closed_after(stream, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", wait)
                }
            })
        })
        .collect();
    // Meanwhile the server still answers others at once.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = Instant::now();
    assert_eq!(
        reqwest::get(format!("{base}/healthz"))
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    for (i, closed) in futures_util::future::join_all(tries)
        .await
        .into_iter()
        .enumerate()
    {
        let closed = closed.unwrap();
        assert!(
            closed.is_some_and(|after| after <= limit + Duration::from_secs(2)),
            "connection {i} was closed after {closed:?}, the limit is {limit:?}"
        );
    }
    server.kill().unwrap();
    let _ = server.wait();
}
