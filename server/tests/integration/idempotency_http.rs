//! Requests sent again with the same `Idempotency-Key` (a phone whose answer was lost, work
//! queued offline and replayed) are done once and answered with the first answer.

use crate::support::{browser, number, seeded, sign_in, start};
use app::db_test;

const OFFICE: &str = "office@brightspark.example";
const ADMIN: &str = "alex.morgan@harbour-lettings.example";

db_test!(
    a_request_sent_again_with_its_key_is_done_once_and_answered_as_the_first_time,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let task = number(
            &cx.db,
            "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
             WHERE c.company_name = 'Brightspark Electrical Ltd'",
        )
        .await
        .to_string();
        let messages = format!("SELECT COUNT(*) FROM task_messages WHERE task_id = {task}");
        let before = number(&cx.db, &messages).await;
        let send = |client: &reqwest::Client, key: &str, path: &str, body: &str| {
            client
                .post(format!("{base}/rpc/{path}"))
                .header("origin", &base)
                .header("sec-fetch-site", "same-origin")
                .header("idempotency-key", key)
                .form(&[("task_id", task.as_str()), ("body", body)])
                .send()
        };

        // Sent, then sent again (its answer lost): one message, the same answer, marked.
        let first = send(&office, "first-key-0001", "tasks/message", "On my way")
            .await
            .unwrap();
        assert_eq!(first.status(), 200);
        assert!(first.headers().get("idempotent-replayed").is_none());
        let first_id = first.text().await.unwrap();
        let again = send(&office, "first-key-0001", "tasks/message", "On my way")
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.text().await.unwrap(), first_id);
        assert_eq!(number(&cx.db, &messages).await, before + 1);

        // Sixteen at once with one key: one message; the others get the answer or "still
        // being answered", never an error of the server's.
        let sends = (0..16).map(|_| send(&office, "parallel-key-02", "tasks/message", "Once"));
        for answer in futures_util::future::join_all(sends).await {
            let status = answer.unwrap().status().as_u16();
            assert!(status == 200 || status == 409, "{status}");
        }
        assert_eq!(number(&cx.db, &messages).await, before + 2);

        // The key belongs to the request it named, and to the person who sent it.
        let elsewhere = send(&office, "first-key-0001", "tasks/accept", "x")
            .await
            .unwrap();
        assert_eq!(elsewhere.status(), 422);
        assert!(elsewhere.text().await.unwrap().contains("already used"));
        let colleague = browser();
        sign_in(&colleague, &base, OFFICE).await;
        let theirs = send(&colleague, "first-key-0001", "tasks/message", "Mine")
            .await
            .unwrap();
        assert_eq!(theirs.status(), 200, "another session of the same person");
        assert_eq!(theirs.headers()["idempotent-replayed"], "true");
        assert_eq!(number(&cx.db, &messages).await, before + 2);
        let agent = browser();
        sign_in(&agent, &base, ADMIN).await;
        let agents = send(&agent, "first-key-0001", "tasks/message", "From the agency")
            .await
            .unwrap();
        assert_eq!(
            agents.status(),
            200,
            "another person's key of the same name"
        );
        assert!(agents.headers().get("idempotent-replayed").is_none());
        assert_eq!(number(&cx.db, &messages).await, before + 3);

        // A key that is not one is refused before anything is done.
        let bad = send(&office, "short", "tasks/message", "No").await.unwrap();
        assert_eq!(bad.status(), 422);
        assert_eq!(number(&cx.db, &messages).await, before + 3);

        // A refusal is an answer too: kept, and given again.
        let refused = send(&office, "empty-body-03", "tasks/message", "")
            .await
            .unwrap();
        let status = refused.status();
        assert!(status.is_client_error(), "{status}");
        let replayed = send(&office, "empty-body-03", "tasks/message", "")
            .await
            .unwrap();
        assert_eq!(replayed.status(), status);
        assert_eq!(replayed.headers()["idempotent-replayed"], "true");

        // Without a key, nothing changes: each sending is done.
        for _ in 0..2 {
            let plain = office
                .post(format!("{base}/rpc/tasks/message"))
                .header("origin", &base)
                .header("sec-fetch-site", "same-origin")
                .form(&[("task_id", task.as_str()), ("body", "Twice")])
                .send()
                .await
                .unwrap();
            assert_eq!(plain.status(), 200);
        }
        assert_eq!(number(&cx.db, &messages).await, before + 5);
    }
);
