//! Calendar feeds on both databases: a technician's feed holds only the tasks assigned to them,
//! the office's its company's, a compliance agent's the agency's certificate expiries; a new
//! address stops the old one, stopping ends it, and an owner who leaves ends it too.

use crate::support::{assign, brightspark_task, user_id};
use app::db::now_ms;
use app::db_test;
use app::services::tasks::accept;
use app::services::{calendar, Context, ServiceError};
use app::testing::{actor, seed_demo};
use chrono::Days;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";
const TECHNICIAN: &str = "tom.baker@brightspark.example";
const OTHER_TECHNICIAN: &str = "jess.lee@brightspark.example";

/// The token of an address (what follows `/calendar/`, without `.ics`).
fn token(url: &str) -> String {
    url.rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".ics")
        .to_string()
}

async fn feed_of(cx: &Context, email: &str) -> String {
    let person = actor(cx, email).await;
    let url = calendar::make_link(cx, &person, now_ms()).await.unwrap();
    assert!(url.starts_with(&format!("{}/calendar/cal_", app::testing::PUBLIC_URL)));
    calendar::feed(cx, &token(&url), now_ms()).await.unwrap()
}

db_test!(each_person_sees_only_their_own_entries, |cx| {
    seed_demo(&cx).await;
    let office = actor(&cx, OFFICE).await;
    let now = now_ms();
    let planned = office.today(now) + Days::new(3);
    let mine = brightspark_task(&cx, "Replace the fuse board", "").await;
    let theirs = brightspark_task(&cx, "Test the smoke alarms", "").await;
    let tom = user_id(&cx, TECHNICIAN).await;
    accept(&cx, &office, mine, Some(planned), &[tom], now)
        .await
        .unwrap();
    accept(&cx, &office, theirs, Some(planned), &[], now)
        .await
        .unwrap();
    assign(&cx, theirs, OTHER_TECHNICIAN).await;
    let reference = |id: i64| {
        let cx = cx.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT reference FROM tasks WHERE id = $1")
                .bind(id)
                .fetch_one(cx.db.pool())
                .await
                .unwrap()
        }
    };
    let (mine_ref, theirs_ref) = (reference(mine).await, reference(theirs).await);

    let technician = feed_of(&cx, TECHNICIAN).await;
    assert!(technician.contains(&format!("SUMMARY:{mine_ref} Replace the fuse board")));
    assert!(technician.contains(&format!("UID:task-{mine}@certidesk")));
    assert!(technician.contains(&format!("DTSTART;VALUE=DATE:{}", planned.format("%Y%m%d"))));
    assert!(technician.contains(&format!("/tech/tasks/{mine}")));
    assert!(
        !technician.contains(&theirs_ref),
        "another technician's task is not in Tom's calendar"
    );

    let company = feed_of(&cx, OFFICE).await;
    assert!(company.contains(&mine_ref) && company.contains(&theirs_ref));
    assert!(company.contains(&format!("/desk/tasks/{theirs}")));
    assert!(company.contains("X-WR-CALNAME:Brightspark Electrical Ltd tasks"));

    let expiries = feed_of(&cx, ADMIN).await;
    assert!(expiries.contains("X-WR-CALNAME:Harbour Lettings certificate expiries"));
    assert!(expiries.contains(" expires\r\n"), "{expiries}");
    assert!(expiries.contains("UID:certificate-"));
    assert!(!expiries.contains("UID:task-"));

    let read_only = actor(&cx, READ_ONLY).await;
    assert!(matches!(
        calendar::make_link(&cx, &read_only, now).await,
        Err(ServiceError::Forbidden(_))
    ));
});

db_test!(a_new_address_stops_the_old_one_and_stopping_ends_it, |cx| {
    seed_demo(&cx).await;
    let tom = actor(&cx, TECHNICIAN).await;
    let now = now_ms();
    assert!(calendar::status(&cx, &tom).await.unwrap().made.is_none());
    let first = token(&calendar::make_link(&cx, &tom, now).await.unwrap());
    calendar::feed(&cx, &first, now).await.unwrap();
    let status = calendar::status(&cx, &tom).await.unwrap();
    assert!(status.made.is_some() && status.last_read.is_some());

    let second = token(&calendar::make_link(&cx, &tom, now).await.unwrap());
    assert!(matches!(
        calendar::feed(&cx, &first, now).await,
        Err(ServiceError::NotFound(_))
    ));
    calendar::feed(&cx, &second, now).await.unwrap();
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM calendar_feeds WHERE token_hash = $1")
            .bind(&second)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
    assert_eq!(stored, 0, "only a hash of the address is kept");

    calendar::stop(&cx, &tom, now).await.unwrap();
    assert!(matches!(
        calendar::feed(&cx, &second, now).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(calendar::status(&cx, &tom).await.unwrap().made.is_none());

    // An owner who leaves takes the feed with them.
    let third = token(&calendar::make_link(&cx, &tom, now).await.unwrap());
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
        .bind(tom.user_id)
        .execute(cx.db.pool())
        .await
        .unwrap();
    assert!(matches!(
        calendar::feed(&cx, &third, now).await,
        Err(ServiceError::NotFound(_))
    ));
    for junk in ["", "cal_", "cdk_nothing", &"x".repeat(10_000)] {
        assert!(matches!(
            calendar::feed(&cx, junk, now).await,
            Err(ServiceError::NotFound(_))
        ));
    }
});
