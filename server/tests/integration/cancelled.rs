//! Clients that leave half-way through a write (a phone losing signal as it sends) leave the
//! server as it was: every later write still works. Before writes ran to completion, one
//! request in a few hundred cut at the wrong moment left a pooled connection inside a
//! transaction, and every later write that borrowed it answered 500.

use crate::support::{browser, call, seeded, sign_in, start};
use app::db_test;
use std::time::Duration;

db_test!(
    writes_cut_off_by_their_clients_leave_later_writes_working,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let office = browser();
        sign_in(&office, &base, "office@brightspark.example").await;
        let task: i64 = sqlx::query_scalar(
            "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
         WHERE c.company_name = 'Brightspark Electrical Ltd'",
        )
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        let task = task.to_string();
        let post = |body: String, wait: Duration| {
            let request = office
                .post(format!("{base}/rpc/tasks/message"))
                .header("origin", &base)
                .header("sec-fetch-site", "same-origin")
                .form(&[("task_id", task.as_str()), ("body", body.as_str())])
                .timeout(wait);
            async move { request.send().await }
        };
        // Cut at every moment from 0 to 6 ms, sixteen at a time.
        for round in 0..30u64 {
            let cuts = (0..16u64).map(|i| {
                let wait = Duration::from_micros((round * 16 + i) * 12_500 / 1_000);
                post(format!("Cut {round}-{i}"), wait)
            });
            futures_util::future::join_all(cuts).await;
        }
        // Work the cut requests began has ended, one way or the other.
        tokio::time::sleep(Duration::from_millis(300)).await;
        for i in 0..24 {
            let (status, body) = call(
                &office,
                &base,
                "tasks/message",
                &[("task_id", task.as_str()), ("body", &format!("Whole {i}"))],
            )
            .await;
            assert_eq!(status, 200, "write {i} after the cut ones: {body}");
        }
    }
);
