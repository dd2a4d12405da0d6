//! The calendar feed over HTTP: made on the Calendar page, read by a calendar app with no
//! cookies as `text/calendar`, and gone (404) once stopped.

use crate::support::{browser, call, seeded, sign_in, start};
use app::db_test;

db_test!(a_calendar_app_reads_the_feed_until_it_is_stopped, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let office = browser();
    sign_in(&office, &base, "office@brightspark.example").await;
    let (status, url) = call(&office, &base, "calendar/make", &[]).await;
    assert_eq!(status, 200, "{url}");
    let path = url
        .as_str()
        .unwrap()
        .split("/calendar/")
        .nth(1)
        .unwrap()
        .to_string();
    let feed = format!("{base}/calendar/{path}");

    // A calendar app: no cookies, no JavaScript.
    let response = reqwest::get(&feed).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "private, max-age=300");
    let text = response.text().await.unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
    assert!(text.contains("Brightspark Electrical Ltd tasks"));

    let (status, _) = call(&office, &base, "calendar/stop", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(reqwest::get(&feed).await.unwrap().status(), 404);
    let guessed = format!("{base}/calendar/cal_{}.ics", "A".repeat(43));
    assert_eq!(reqwest::get(&guessed).await.unwrap().status(), 404);
});
