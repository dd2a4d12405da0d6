//! Two server processes sharing one PostgreSQL database and one file folder behave as one
//! product: a session made on one is valid on the other, a change made through one reaches the
//! other's open pages live, and mail queued through one is sent once although both run workers.
//! With files in S3-compatible object storage (a real s3s-fs server), a file uploaded through one
//! instance is read through the other.
//! PostgreSQL is the engine for several instances, so this runs only when `TEST_POSTGRES_URL` is
//! set; the object storage test also needs `TEST_S3S_FS`, the s3s-fs binary (scripts/test.sh
//! installs it).

use crate::support::smtp::{Answer, SmtpServer};
use crate::support::{
    browser, call, free_ports, run_server_on, run_server_with, seeded, server_log, sign_in,
    wait_for,
};
use app::testing::TestDb;
use futures_util::StreamExt;
use std::time::Duration;

#[tokio::test]
async fn two_instances_share_sessions_live_updates_and_send_mail_once() {
    let Some(scratch) = TestDb::postgres().await else {
        eprintln!("SKIPPED: TEST_POSTGRES_URL is not set");
        return;
    };
    // Seeded once here: the instances find data and do not race to load it.
    seeded(&scratch.db).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    let smtp = SmtpServer::start(Answer::Accept).await;
    let smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    let ports = free_ports(2);
    let (mut a, base_a) = run_server_on(dir.path(), &scratch.url, Some(&smtp_url), ports[0]);
    let (mut b, base_b) = run_server_on(dir.path(), &scratch.url, Some(&smtp_url), ports[1]);
    for (server, base) in [(&mut a, &base_a), (&mut b, &base_b)] {
        up(server, base, dir.path()).await;
    }

    // Sessions: signed in through A, recognised by B (cookies are per host, not per port).
    let agent = browser();
    sign_in(&agent, &base_a, "priya.shah@harbour-lettings.example").await;
    let (status, viewer) = call(&agent, &base_b, "viewer", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(viewer["email"], "priya.shah@harbour-lettings.example");

    // Live updates: the agent's page listens on B; the office acts through A.
    let events = agent.get(format!("{base_b}/events")).send().await.unwrap();
    assert_eq!(events.status(), 200);
    let mut stream = events.bytes_stream();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let office = browser();
    sign_in(&office, &base_a, "office@brightspark.example").await;
    let task: i64 = sqlx::query_scalar(
        "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
         WHERE c.company_name = 'Brightspark Electrical Ltd' AND t.status = 'assigned'",
    )
    .fetch_one(scratch.db.pool())
    .await
    .unwrap();
    let task = task.to_string();
    let (status, body) = call(
        &office,
        &base_a,
        "tasks/message",
        &[("task_id", task.as_str()), ("body", "On our way")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if seen.contains("event: message") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "B's event stream said: {seen:?}");

    // Mail: a link requested through B is sent once, though A's and B's workers both run.
    let (status, _) = call(
        &browser(),
        &base_b,
        "request_email_link",
        &[
            ("email", "sam.reid@harbour-lettings.example"),
            ("purpose", "SignIn"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let to_sam = || {
        smtp.messages()
            .iter()
            .filter(|m| m.contains("To: sam.reid@harbour-lettings.example"))
            .count()
    };
    wait_for(|| to_sam() == 1, "the link to be sent").await;
    tokio::time::sleep(Duration::from_secs(3)).await; // longer than a worker pass of each
    assert_eq!(to_sam(), 1, "sent once");
    // The message to the agency about the office's chat line went once too.
    let about_message = smtp
        .messages()
        .iter()
        .filter(|m| m.contains("On our way"))
        .count();
    assert_eq!(about_message, 1);

    for server in [&mut a, &mut b] {
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

/// Waits for `/readyz` on `base`; if the process exits or takes too long, fails with its log.
async fn up(server: &mut std::process::Child, base: &str, dir: &std::path::Path) {
    let started = std::time::Instant::now();
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await {
            if r.status() == 200 {
                return;
            }
        }
        let exited = server.try_wait().unwrap();
        assert!(
            exited.is_none() && started.elapsed() < Duration::from_secs(60),
            "the server at {base} did not start ({exited:?}); it logged:\n{}",
            server_log(dir, base)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// s3s-fs on a free port, serving `root` (each folder in it is a bucket).
struct ObjectStorage {
    process: std::process::Child,
    endpoint: String,
}

impl Drop for ObjectStorage {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

const ACCESS_KEY: &str = "AKCERTIDESKTEST";
const SECRET_KEY: &str = "certidesk-test-secret";

async fn object_storage(binary: &str, root: &std::path::Path) -> ObjectStorage {
    let port = free_ports(1)[0];
    let process = std::process::Command::new(binary)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .arg(root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run s3s-fs at {binary}: {e}"));
    let storage = ObjectStorage {
        process,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let started = std::time::Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "s3s-fs did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    storage
}

fn s3_settings(endpoint: &str, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("S3_ENDPOINT", endpoint.to_string()),
        ("S3_BUCKET", "certidesk".to_string()),
        ("S3_REGION", "us-east-1".to_string()),
        ("S3_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
        ("S3_SECRET_ACCESS_KEY", secret.to_string()),
    ]
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn two_instances_share_files_in_object_storage() {
    let Some(scratch) = TestDb::postgres().await else {
        eprintln!("SKIPPED: TEST_POSTGRES_URL is not set");
        return;
    };
    let Ok(binary) = std::env::var("TEST_S3S_FS") else {
        eprintln!("SKIPPED: TEST_S3S_FS (the s3s-fs binary) is not set");
        return;
    };
    seeded(&scratch.db).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    let buckets = tempfile::tempdir().unwrap();
    std::fs::create_dir(buckets.path().join("certidesk")).unwrap();
    let storage = object_storage(&binary, buckets.path()).await;

    // A wrong secret stops the start with a message naming the setting.
    let port = free_ports(1)[0];
    let (mut refused, base) = run_server_with(
        dir.path(),
        &scratch.url,
        None,
        port,
        &s3_settings(&storage.endpoint, "not-the-secret"),
    );
    let status = tokio::task::spawn_blocking(move || refused.wait().unwrap())
        .await
        .unwrap();
    assert!(!status.success());
    let log = server_log(dir.path(), &base);
    assert!(
        log.contains("S3_BUCKET: cannot write to bucket certidesk"),
        "{log}"
    );

    let settings = s3_settings(&storage.endpoint, SECRET_KEY);
    let ports = free_ports(2);
    let (mut a, base_a) = run_server_with(dir.path(), &scratch.url, None, ports[0], &settings);
    let (mut b, base_b) = run_server_with(dir.path(), &scratch.url, None, ports[1], &settings);
    for (server, base) in [(&mut a, &base_a), (&mut b, &base_b)] {
        up(server, base, dir.path()).await;
    }

    // The agency asks for a certificate through A; the office uploads it through A.
    let admin = browser();
    sign_in(&admin, &base_a, "alex.morgan@harbour-lettings.example").await;
    let id = |sql: &'static str| {
        let pool = scratch.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let gas = id("SELECT id FROM certificate_types WHERE name = 'Gas safety'").await;
    let brightspark =
        id("SELECT id FROM contractors WHERE company_name = 'Brightspark Electrical Ltd'").await;
    let (status, body) = call(
        &admin,
        &base_a,
        "contractors/request_certificate",
        &[
            ("contractor_id", brightspark.to_string().as_str()),
            ("certificate_type_id", gas.to_string().as_str()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let office = browser();
    sign_in(&office, &base_a, "office@brightspark.example").await;
    let pdf = b"%PDF-1.4\n% kept in object storage\n".to_vec();
    let form = reqwest::multipart::Form::new()
        .text("certificate_type_id", gas.to_string())
        .text("start_date", "2026-01-01")
        .text("end_date", "2027-01-01")
        .text("reminder", "Month1")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.clone()).file_name("gas.pdf"),
        );
    let response = office
        .post(format!("{base_a}/files/certificates"))
        .header("origin", &base_a)
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let document = response.json::<serde_json::Value>().await.unwrap()["document_id"]
        .as_i64()
        .unwrap();

    // The object is in the bucket, not in the instances' shared folder. Beside it are the demo
    // certificates' files, which both instances set out to store at start: one each, none left
    // over by the instance that lost the race.
    let objects = files_under(&buckets.path().join("certidesk"));
    let certificates: Vec<_> = objects
        .iter()
        .filter(|p| p.to_string_lossy().contains("certificates/"))
        .collect();
    let stored: Vec<_> = certificates
        .iter()
        .filter(|p| std::fs::read(p).unwrap() == pdf)
        .collect();
    assert_eq!(stored.len(), 1, "{objects:?}");
    let filed = id("SELECT COUNT(*) FROM certificate_documents WHERE file_key IS NOT NULL").await;
    assert_eq!(certificates.len() as i64, filed, "{objects:?}");
    assert!(files_under(&dir.path().join("files")).is_empty());

    // B serves it to the agency, and still to nobody else.
    let response = admin
        .get(format!("{base_b}/files/certificates/{document}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().to_vec(), pdf);
    let stranger = reqwest::get(format!("{base_b}/files/certificates/{document}"))
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401);

    for server in [&mut a, &mut b] {
        server.kill().unwrap();
        server.wait().unwrap();
    }
}
