//! Two server processes sharing one PostgreSQL database and one file folder behave as one
//! product: a session made on one is valid on the other, a change made through one reaches the
//! other's open pages live, and mail queued through one is sent once although both run workers.
//! PostgreSQL is the engine for several instances, so this runs only when `TEST_POSTGRES_URL` is set.

mod support;

use app::db::testing::TestDb;
use futures_util::StreamExt;
use std::time::Duration;
use support::smtp::{Answer, SmtpServer};
use support::{browser, call, free_ports, run_server_on, seeded, server_log, sign_in, wait_for};

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
