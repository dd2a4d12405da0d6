//! Mail through a real SMTP listener started by the test: delivered once, retried when the mail
//! server refuses for now, given up when it refuses for good, and neither lost nor doubled when
//! a server process dies between writing a message and sending it.

mod support;

use app::db::{now_ms, outbox, Db};
use app::db_test;
use app::domain::identity::LinkPurpose;
use app::services::auth::{self, Origin};
use certidesk::mailer::Mailer;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the test's SMTP server answers the recipient.
#[derive(Clone, Copy)]
enum Answer {
    Accept,
    TryLater,
    Reject,
}

/// A minimal SMTP server speaking the protocol over TCP. Keeps every accepted message's data.
struct SmtpServer {
    port: u16,
    received: Arc<Mutex<Vec<String>>>,
}

impl SmtpServer {
    async fn start(answer: Answer) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, answer)
    }

    fn serve(listener: TcpListener, answer: Answer) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 test.smtp ready\r\n").await.unwrap();
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                store.lock().unwrap().push(data.take().unwrap());
                                write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
                            } else {
                                body.push_str(&line);
                                body.push('\n');
                            }
                            continue;
                        }
                        let command = line.to_ascii_uppercase();
                        let reply: &[u8] =
                            if command.starts_with("EHLO") || command.starts_with("HELO") {
                                b"250-test.smtp\r\n250 8BITMIME\r\n"
                            } else if command.starts_with("MAIL FROM") {
                                b"250 2.1.0 ok\r\n"
                            } else if command.starts_with("RCPT TO") {
                                match answer {
                                    Answer::Accept => b"250 2.1.5 ok\r\n",
                                    Answer::TryLater => b"451 4.3.0 try again later\r\n",
                                    Answer::Reject => b"550 5.1.1 no such user\r\n",
                                }
                            } else if command.starts_with("DATA") {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            } else if command.starts_with("QUIT") {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            } else {
                                b"250 ok\r\n"
                            };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        SmtpServer { port, received }
    }

    fn mailer(&self) -> Mailer {
        Mailer::from_url(
            &format!("smtp://127.0.0.1:{}", self.port),
            "Certidesk <no-reply@certidesk.test>".parse().unwrap(),
        )
        .unwrap()
    }

    fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

async fn write_a_sign_in_email(db: &Db) -> String {
    support::seeded(db).await;
    let to = "priya.shah@harbour-lettings.example";
    let origin = Origin {
        address: "192.0.2.1".into(),
    };
    auth::request_link(
        db,
        to,
        &origin,
        "http://127.0.0.1:3000",
        LinkPurpose::SignIn,
        now_ms(),
    )
    .await
    .unwrap();
    to.to_string()
}

db_test!(a_message_is_delivered_once_over_smtp, |db| {
    let to = write_a_sign_in_email(&db).await;
    let smtp = SmtpServer::start(Answer::Accept).await;
    let mailer = smtp.mailer();
    let pass = mailer.deliver_due(&db).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (1, 0));
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains(&format!("To: {to}")), "{message}");
    assert!(message.contains("Subject: Your sign-in link for Harbour Lettings"));
    assert!(message.contains("Message-ID: <outbox-"));
    assert!(message.contains("multipart/alternative"));
    assert!(message.contains("http://127.0.0.1:3000/auth/link/"));
    // Sent is sent: later passes send nothing more.
    assert_eq!(mailer.deliver_due(&db).await.unwrap().sent, 0);
    assert_eq!(smtp.messages().len(), 1);
    let row = &outbox::latest(db.pool(), 1).await.unwrap()[0];
    assert!(row.sent_at.is_some());
    assert_eq!(row.attempts, 1);
});

db_test!(a_leased_message_waits_for_its_lease_then_goes_once, |db| {
    write_a_sign_in_email(&db).await;
    let smtp = SmtpServer::start(Answer::Accept).await;
    let id = outbox::latest(db.pool(), 1).await.unwrap()[0].id;
    // Another worker took the message and died before sending it.
    let now = now_ms();
    assert!(outbox::claim(db.pool(), id, now, now + 60_000)
        .await
        .unwrap());
    assert_eq!(smtp.mailer().deliver_due(&db).await.unwrap().sent, 0);
    assert!(smtp.messages().is_empty());
    // When the lease runs out, the next pass sends it.
    sqlx::query("UPDATE outbox_emails SET locked_until = $1 WHERE id = $2")
        .bind(now - 1)
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(smtp.mailer().deliver_due(&db).await.unwrap().sent, 1);
    assert_eq!(smtp.messages().len(), 1);
});

db_test!(
    a_temporary_refusal_is_retried_later_and_a_permanent_one_given_up,
    |db| {
        write_a_sign_in_email(&db).await;
        let busy = SmtpServer::start(Answer::TryLater).await;
        let before = now_ms();
        let pass = busy.mailer().deliver_due(&db).await.unwrap();
        assert_eq!((pass.sent, pass.failed), (0, 1));
        let row = &outbox::latest(db.pool(), 1).await.unwrap()[0];
        assert!(row.sent_at.is_none() && row.gave_up_at.is_none());
        assert!(
            row.last_error.as_deref().unwrap_or("").contains("451"),
            "{:?}",
            row.last_error
        );
        let next: i64 =
            sqlx::query_scalar("SELECT next_attempt_at FROM outbox_emails WHERE id = $1")
                .bind(row.id)
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(next >= before + 60_000, "the retry waits a minute");
        // Not due yet: the next pass leaves it alone.
        assert_eq!(
            busy.mailer().deliver_due(&db).await.unwrap(),
            Default::default()
        );

        sqlx::query("UPDATE outbox_emails SET next_attempt_at = 0 WHERE id = $1")
            .bind(row.id)
            .execute(db.pool())
            .await
            .unwrap();
        let rejecting = SmtpServer::start(Answer::Reject).await;
        rejecting.mailer().deliver_due(&db).await.unwrap();
        let row = &outbox::latest(db.pool(), 1).await.unwrap()[0];
        assert!(
            row.gave_up_at.is_some(),
            "a permanent refusal is not retried"
        );
        assert_eq!(row.attempts, 2);
    }
);

/// The real server process, killed between committing a message and sending it, then restarted.
#[tokio::test]
async fn a_crash_between_commit_and_send_neither_loses_nor_doubles_a_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    let database = format!("sqlite://{}/app.db", dir.path().display());

    // 1. A server without a mail server: the request commits the message and nothing sends it.
    let (mut first, base) = run_server(dir.path(), &database, None);
    wait_until_up(&base).await;
    let client = support::browser();
    let (status, _) = support::call(
        &client,
        &base,
        "request_email_link",
        &[
            ("email", "priya.shah@harbour-lettings.example"),
            ("purpose", "SignIn"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    // 2. The process dies without any chance to clean up.
    first.kill().unwrap();
    first.wait().unwrap();

    // 3. Restarted with a mail server: the message goes, once.
    let smtp = SmtpServer::start(Answer::Accept).await;
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    // Only the link counts: the demo data's daily "Tasks to do" emails go to contractors.
    let links = || {
        smtp.messages()
            .iter()
            .filter(|m| m.contains("To: priya.shah@harbour-lettings.example"))
            .count()
    };
    let (mut second, base) = run_server(dir.path(), &database, Some(&url));
    wait_until_up(&base).await;
    wait_for(|| links() == 1, "the message to be sent after the restart").await;
    second.kill().unwrap();
    second.wait().unwrap();

    // 4. Another restart sends nothing again.
    let (mut third, base) = run_server(dir.path(), &database, Some(&url));
    wait_until_up(&base).await;
    tokio::time::sleep(Duration::from_secs(3)).await; // longer than one worker pass
    third.kill().unwrap();
    third.wait().unwrap();
    assert_eq!(links(), 1);
}

fn run_server(
    dir: &std::path::Path,
    database: &str,
    smtp: Option<&str>,
) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_certidesk"));
    command
        .arg("serve")
        .env("SITE_ROOT", dir)
        .env("DATA_DIR", dir)
        .env("DATABASE_URL", database)
        .env("DEMO_MODE", "true")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("SMTP_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(url) = smtp {
        command.env("SMTP_URL", url);
    }
    (command.spawn().unwrap(), format!("http://127.0.0.1:{port}"))
}

async fn wait_until_up(base: &str) {
    let started = Instant::now();
    while reqwest::get(format!("{base}/readyz"))
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for(done: impl Fn() -> bool, what: &str) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "waited too long for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
