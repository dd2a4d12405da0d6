//! Mail through a real SMTP listener started by the test: delivered once, retried when the mail
//! server refuses for now, given up when it refuses for good, and neither lost nor doubled when
//! a server process dies between writing a message and sending it.

use crate::support::smtp::{Answer, SmtpServer};
use crate::support::{run_server, wait_for, wait_until_up};

use app::db::{now_ms, outbox};
use app::db_test;
use app::domain::identity::LinkPurpose;
use app::services::auth::{self, Origin};
use app::services::Context;
use std::time::Duration;

async fn write_a_sign_in_email(cx: &Context) -> String {
    crate::support::seeded(&cx.db).await;
    let to = "priya.shah@harbour-lettings.example";
    let origin = Origin {
        address: "192.0.2.1".into(),
    };
    auth::request_link(cx, to, &origin, LinkPurpose::SignIn, now_ms())
        .await
        .unwrap();
    to.to_string()
}

db_test!(a_message_is_delivered_once_over_smtp, |cx| {
    let to = write_a_sign_in_email(&cx).await;
    let smtp = SmtpServer::start(Answer::Accept).await;
    let mailer = smtp.mailer();
    let pass = mailer.deliver_due(&cx.db).await.unwrap();
    assert_eq!((pass.sent, pass.failed), (1, 0));
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(message.contains(&format!("To: {to}")), "{message}");
    assert!(message.contains("Subject: Your sign-in link for Harbour Lettings"));
    assert!(message.contains("Message-ID: <outbox-"));
    assert!(message.contains("multipart/alternative"));
    assert!(message.contains(&format!("{}/auth/link/", app::testing::PUBLIC_URL)));
    // Sent is sent: later passes send nothing more.
    assert_eq!(mailer.deliver_due(&cx.db).await.unwrap().sent, 0);
    assert_eq!(smtp.messages().len(), 1);
    let row = &outbox::latest(cx.db.pool(), 1).await.unwrap()[0];
    assert!(row.sent_at.is_some());
    assert_eq!(row.attempts, 1);
});

db_test!(a_leased_message_waits_for_its_lease_then_goes_once, |cx| {
    write_a_sign_in_email(&cx).await;
    let smtp = SmtpServer::start(Answer::Accept).await;
    let id = outbox::latest(cx.db.pool(), 1).await.unwrap()[0].id;
    // Another worker took the message and died before sending it.
    let now = now_ms();
    assert!(outbox::claim(cx.db.pool(), id, now, now + 60_000)
        .await
        .unwrap());
    assert_eq!(smtp.mailer().deliver_due(&cx.db).await.unwrap().sent, 0);
    assert!(smtp.messages().is_empty());
    // When the lease runs out, the next pass sends it.
    sqlx::query("UPDATE outbox_emails SET locked_until = $1 WHERE id = $2")
        .bind(now - 1)
        .bind(id)
        .execute(cx.db.pool())
        .await
        .unwrap();
    assert_eq!(smtp.mailer().deliver_due(&cx.db).await.unwrap().sent, 1);
    assert_eq!(smtp.messages().len(), 1);
});

db_test!(
    a_temporary_refusal_is_retried_later_and_a_permanent_one_given_up,
    |cx| {
        write_a_sign_in_email(&cx).await;
        let busy = SmtpServer::start(Answer::TryLater).await;
        let before = now_ms();
        let pass = busy.mailer().deliver_due(&cx.db).await.unwrap();
        assert_eq!((pass.sent, pass.failed), (0, 1));
        let row = &outbox::latest(cx.db.pool(), 1).await.unwrap()[0];
        assert!(row.sent_at.is_none() && row.gave_up_at.is_none());
        assert!(
            row.last_error.as_deref().unwrap_or("").contains("451"),
            "{:?}",
            row.last_error
        );
        let next: i64 =
            sqlx::query_scalar("SELECT next_attempt_at FROM outbox_emails WHERE id = $1")
                .bind(row.id)
                .fetch_one(cx.db.pool())
                .await
                .unwrap();
        assert!(next >= before + 60_000, "the retry waits a minute");
        // Not due yet: the next pass leaves it alone.
        assert_eq!(
            busy.mailer().deliver_due(&cx.db).await.unwrap(),
            Default::default()
        );

        sqlx::query("UPDATE outbox_emails SET next_attempt_at = 0 WHERE id = $1")
            .bind(row.id)
            .execute(cx.db.pool())
            .await
            .unwrap();
        let rejecting = SmtpServer::start(Answer::Reject).await;
        rejecting.mailer().deliver_due(&cx.db).await.unwrap();
        let row = &outbox::latest(cx.db.pool(), 1).await.unwrap()[0];
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
    let client = crate::support::browser();
    let (status, _) = crate::support::call(
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
    // Only the link counts: the demo data's daily digests go to contractors, and to Priya too
    // (uploads wait for validation).
    let links = || {
        smtp.messages()
            .iter()
            .filter(|m| {
                m.contains("To: priya.shah@harbour-lettings.example") && m.contains("sign-in link")
            })
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
