//! On both databases: work a technician's phone kept while it had no signal arrives later and is
//! recorded at the phone's time when the server's clock makes it plausible (flagged otherwise);
//! and the office taking a technician off a task, after which what the phone sends is refused.

use crate::support::brightspark_task;
use app::db::now_ms;
use app::db_test;
use app::domain::acted_at::{ActedAt, AHEAD_MS};
use app::domain::task_status::{TaskAction, TaskStatus};
use app::services::tasks::assignment::take_off;
use app::services::tasks::perform::perform_on_site;
use app::services::tasks::{accept, act, task_detail};
use app::services::Context;
use app::services::ServiceError;
use app::testing::{actor, seed_demo, signed_work};

const OFFICE: &str = "office@brightspark.example";
const OTHER_OFFICE: &str = "desk@northgate-gas.example";
const TOM: &str = "tom.baker@brightspark.example";
const JESS: &str = "jess.lee@brightspark.example";
const MINUTE: i64 = 60 * 1000;

async fn user_id(cx: &Context, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

/// A task for Brightspark accepted with Tom, accepted `ago` milliseconds before now.
async fn accepted_with_tom(cx: &Context, ago: i64) -> i64 {
    let task_id = brightspark_task(cx, "Boiler service", "Check the flue").await;
    let office = actor(cx, OFFICE).await;
    let tom = user_id(cx, TOM).await;
    accept(cx, &office, task_id, None, &[tom], now_ms() - ago)
        .await
        .unwrap();
    task_id
}

#[derive(sqlx::FromRow)]
struct TimelineRow {
    at: i64,
    phone_at: Option<i64>,
    received_at: Option<i64>,
    phone_clock: Option<String>,
}

async fn timeline_row(cx: &Context, task_id: i64, action: &str) -> TimelineRow {
    sqlx::query_as(
        "SELECT at, phone_at, received_at, phone_clock FROM task_events \
         WHERE task_id = $1 AND action = $2",
    )
    .bind(task_id)
    .bind(action)
    .fetch_one(cx.db.pool())
    .await
    .unwrap()
}

db_test!(
    a_queued_act_is_recorded_at_the_phones_time_with_its_arrival_beside_it,
    |cx| {
        seed_demo(&cx).await;
        let task = accepted_with_tom(&cx, 3 * 60 * MINUTE).await;
        let tom = actor(&cx, TOM).await;
        // Arriving later than the task was made (now), having been done on the phone after that.
        let received = now_ms() + 3 * 60 * MINUTE;
        let pressed = received - 90 * MINUTE;
        let acted = ActedAt {
            received,
            phone: Some(pressed),
        };
        assert_eq!(
            act(&cx, &tom, task, TaskAction::OnSite, None, acted)
                .await
                .unwrap(),
            TaskStatus::InProgress
        );
        let on_site = timeline_row(&cx, task, TaskAction::OnSite.label()).await;
        assert_eq!(on_site.at, pressed);
        assert_eq!(on_site.phone_at, Some(pressed));
        assert_eq!(on_site.received_at, Some(received));
        assert_eq!(on_site.phone_clock, None);

        // Performed 20 minutes later on the phone; the signatures carry that time too.
        let performed_at = pressed + 20 * MINUTE;
        let acted = ActedAt {
            received: received + 1,
            phone: Some(performed_at),
        };
        perform_on_site(&cx, &tom, task, signed_work("Tom Baker"), acted)
            .await
            .unwrap();
        let performed = timeline_row(&cx, task, TaskAction::PerformedOnSite.label()).await;
        assert_eq!(performed.at, performed_at);
        let signed_at: i64 =
            sqlx::query_scalar("SELECT signed_at FROM signatures WHERE task_id = $1")
                .bind(task)
                .fetch_one(cx.db.pool())
                .await
                .unwrap();
        assert_eq!(signed_at, performed_at);

        // The timeline says it was done on the phone and when it arrived, in order of the acts.
        let office = actor(&cx, OFFICE).await;
        let detail = task_detail(&cx, &office, task, now_ms()).await.unwrap();
        let whens: Vec<&str> = detail.timeline.iter().map(|e| e.when.as_str()).collect();
        assert!(detail.timeline[0]
            .what
            .starts_with(TaskAction::PerformedOnSite.label()));
        assert!(
            whens[0].contains("(on the phone, without signal; arrived "),
            "{whens:?}"
        );
        assert!(detail.timeline[1]
            .what
            .starts_with(TaskAction::OnSite.label()));
        assert!(
            whens[1].contains("(on the phone, without signal; arrived "),
            "{whens:?}"
        );

        // An act done with signal is as before: nothing beside its time.
        let plain = accepted_with_tom(&cx, 0).await;
        act(&cx, &tom, plain, TaskAction::OnSite, None, now_ms())
            .await
            .unwrap();
        let row = timeline_row(&cx, plain, TaskAction::OnSite.label()).await;
        assert_eq!(
            (row.phone_at, row.received_at, row.phone_clock),
            (None, None, None)
        );
    }
);

db_test!(
    a_phone_time_the_servers_clock_cannot_believe_is_flagged_not_used,
    |cx| {
        seed_demo(&cx).await;
        let tom = actor(&cx, TOM).await;
        let office = actor(&cx, OFFICE).await;
        // Later than the tasks are made (now).
        let received = now_ms() + 60 * MINUTE;

        // Ahead of the server's clock by more than drift explains.
        let ahead = accepted_with_tom(&cx, 60 * MINUTE).await;
        let phone = received + AHEAD_MS + MINUTE;
        let acted = ActedAt {
            received,
            phone: Some(phone),
        };
        act(&cx, &tom, ahead, TaskAction::OnSite, None, acted)
            .await
            .unwrap();
        let row = timeline_row(&cx, ahead, TaskAction::OnSite.label()).await;
        assert_eq!((row.at, row.phone_at), (received, Some(phone)));
        assert_eq!(row.phone_clock.as_deref(), Some("ahead"));
        let detail = task_detail(&cx, &office, ahead, now_ms()).await.unwrap();
        assert!(
            detail.timeline[0]
                .when
                .contains("the phone's clock was ahead of the server's"),
            "{:?}",
            detail.timeline[0]
        );

        // Before the task was accepted: the office's change cannot have come after it.
        let early = accepted_with_tom(&cx, 0).await;
        let acted = ActedAt {
            received,
            phone: Some(now_ms() - 30 * MINUTE),
        };
        act(&cx, &tom, early, TaskAction::OnSite, None, acted)
            .await
            .unwrap();
        let row = timeline_row(&cx, early, TaskAction::OnSite.label()).await;
        assert_eq!(row.at, received);
        assert_eq!(row.phone_clock.as_deref(), Some("before_last_change"));
    }
);

db_test!(
    the_office_takes_a_technician_off_and_their_phone_is_refused,
    |cx| {
        seed_demo(&cx).await;
        let task = accepted_with_tom(&cx, 0).await;
        let office = actor(&cx, OFFICE).await;
        let tom = actor(&cx, TOM).await;
        let tom_id = user_id(&cx, TOM).await;

        // Nobody outside Brightspark's office reaches it: another contractor's office, Tom himself.
        assert!(matches!(
            take_off(&cx, &actor(&cx, OTHER_OFFICE).await, task, tom_id, now_ms()).await,
            Err(ServiceError::NotFound("task"))
        ));
        assert!(matches!(
            take_off(&cx, &tom, task, tom_id, now_ms()).await,
            Err(ServiceError::Forbidden(_))
        ));
        // Someone not on the task is not taken off it.
        let jess_id = user_id(&cx, JESS).await;
        assert!(matches!(
            take_off(&cx, &office, task, jess_id, now_ms()).await,
            Err(ServiceError::NotFound("technician on this task"))
        ));

        take_off(&cx, &office, task, tom_id, now_ms())
            .await
            .unwrap();
        let detail = task_detail(&cx, &office, task, now_ms()).await.unwrap();
        assert!(detail.technicians.is_empty());
        assert_eq!(detail.timeline[0].what, "Technician taken off the task");
        assert_eq!(detail.timeline[0].reason.as_deref(), Some("Tom Baker"));
        // What Tom's phone sends for it now is refused as not his; the task is unchanged.
        assert!(matches!(
            act(&cx, &tom, task, TaskAction::OnSite, None, now_ms()).await,
            Err(ServiceError::NotFound("task"))
        ));
        let detail = task_detail(&cx, &office, task, now_ms()).await.unwrap();
        assert_eq!(detail.summary.status, TaskStatus::Accepted);
    }
);
