//! The live event stream over a real socket, on both databases: a technician hears only of the
//! tasks assigned to them, and a stream ends once its session no longer signs anyone in.

use crate::support::{browser, call, emailed_link, seeded, sign_in, start};
use app::db::Db;
use app::db_test;
use app::events::{Change, Topic};
use futures_util::StreamExt;
use std::time::Duration;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";

/// Signs a technician in as their phone does: an emailed link, opened and confirmed.
async fn sign_in_by_link(db: &Db, client: &reqwest::Client, base: &str, email: &str) {
    call(
        client,
        base,
        "request_email_link",
        &[("email", email), ("purpose", "SignIn")],
    )
    .await;
    let link = emailed_link(db, email).await;
    let path = link.trim_start_matches("http://127.0.0.1:3000");
    client.get(format!("{base}{path}")).send().await.unwrap();
    let (status, body) = call(client, base, "confirm_sign_in_link", &[]).await;
    assert_eq!(status, 200, "{body}");
}

/// What a stream says within `wait`, and whether it ended.
async fn listen<B: AsRef<[u8]>, E>(
    stream: &mut (impl futures_util::Stream<Item = Result<B, E>> + Unpin),
    wait: Duration,
    until: &str,
) -> (String, bool) {
    let mut seen = String::new();
    let ended = tokio::time::timeout(wait, async {
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => seen.push_str(&String::from_utf8_lossy(chunk.as_ref())),
                Err(_) => return true,
            }
            if !until.is_empty() && seen.contains(until) {
                return false;
            }
        }
        true
    })
    .await
    .unwrap_or(false);
    (seen, ended)
}

db_test!(
    a_technician_hears_only_of_the_tasks_assigned_to_them,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        #[derive(sqlx::FromRow)]
        struct Pair {
            task_id: i64,
            contractor_id: i64,
            agency_id: i64,
            assigned: String,
            other: String,
        }
        // A task with a technician, and a technician of the same company who is not on it.
        let pair: Pair = sqlx::query_as(
        "SELECT t.id AS task_id, t.contractor_id, t.agency_id, a.email AS assigned, o.email AS other \
         FROM tasks t JOIN task_technicians tt ON tt.task_id = t.id JOIN users a ON a.id = tt.technician_id \
         JOIN users o ON o.contractor_id = t.contractor_id AND o.kind = 'technician' \
         WHERE o.id NOT IN (SELECT technician_id FROM task_technicians WHERE task_id = t.id) \
         ORDER BY t.id LIMIT 1",
    )
    .fetch_one(cx.db.pool())
    .await
    .expect("demo data has a task and a colleague who is not on it");
        let on_it = browser();
        sign_in_by_link(&cx.db, &on_it, &base, &pair.assigned).await;
        let colleague = browser();
        sign_in_by_link(&cx.db, &colleague, &base, &pair.other).await;
        let mut heard_by_on_it = on_it
            .get(format!("{base}/events"))
            .send()
            .await
            .unwrap()
            .bytes_stream();
        let mut heard_by_colleague = colleague
            .get(format!("{base}/events"))
            .send()
            .await
            .unwrap()
            .bytes_stream();
        tokio::time::sleep(Duration::from_millis(300)).await;
        cx.db
            .publish(Change {
                agency_id: pair.agency_id,
                contractor_id: Some(pair.contractor_id),
                topic: Topic::Task,
                task_id: Some(pair.task_id),
            })
            .await;
        let wanted = format!("data: {}", pair.task_id);
        let (seen, _) = listen(&mut heard_by_on_it, Duration::from_secs(3), &wanted).await;
        assert!(
            seen.contains(&wanted),
            "the assigned technician heard: {seen:?}"
        );
        let (seen, _) = listen(&mut heard_by_colleague, Duration::from_secs(2), &wanted).await;
        assert!(
            !seen.contains(&wanted),
            "a colleague not on the task heard: {seen:?}"
        );
    }
);

db_test!(a_stream_ends_when_its_session_is_signed_out, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let admin = browser();
    sign_in(&admin, &base, ADMIN).await;
    let response = admin.get(format!("{base}/events")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut stream = response.bytes_stream();
    // Still open while signed in.
    let (_, ended) = listen(&mut stream, Duration::from_secs(1), "").await;
    assert!(!ended);
    let (status, _) = call(&admin, &base, "sign_out_everywhere", &[]).await;
    assert_eq!(status, 200);
    let wait = certidesk::routes::events::SESSION_CHECK + Duration::from_secs(3);
    let (_, ended) = listen(&mut stream, wait, "").await;
    assert!(ended, "the stream went on after signing out everywhere");
});
