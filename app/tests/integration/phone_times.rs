//! On both databases: work a technician's phone kept while it had no signal arrives later and is
//! recorded at the phone's time when the server's clock makes it plausible (flagged otherwise);
//! and the office taking a technician off a task, after which what the phone sends is refused.

use crate::support::{brightspark_task, count, user_id};
use app::db::now_ms;
use app::db_test;
use app::domain::acted_at::{ActedAt, AHEAD_MS};
use app::domain::service_tasks::{Outcome, Severity};
use app::domain::task_status::{TaskAction, TaskStatus};
use app::services::tasks::assignment::take_off;
use app::services::tasks::perform::perform_on_site;
use app::services::tasks::service_work::{record_result, report_defect, NewDefect};
use app::services::tasks::{accept, act, task_detail};
use app::services::Context;
use app::services::ServiceError;
use app::testing::{actor, seed_demo, signed_work};

const OFFICE: &str = "office@brightspark.example";
const OTHER_OFFICE: &str = "desk@northgate-gas.example";
const TOM: &str = "tom.baker@brightspark.example";
const JESS: &str = "jess.lee@brightspark.example";
const MINUTE: i64 = 60 * 1000;

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
        let acted = ActedAt::from_phone(pressed, received);
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

        // A result and a defect done on the phone meanwhile: recorded at the phone's times, the
        // arrival kept beside them on their timeline lines.
        let flue: i64 = sqlx::query_scalar("SELECT id FROM service_tasks WHERE task_id = $1")
            .bind(task)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
        let result_at = pressed + 5 * MINUTE;
        let acted = ActedAt::from_phone(result_at, received);
        record_result(&cx, &tom, flue, Outcome::Fail, None, acted)
            .await
            .unwrap();
        let defect_at = pressed + 8 * MINUTE;
        let acted = ActedAt::from_phone(defect_at, received);
        let defect = NewDefect {
            service_task_id: Some(flue),
            description: "Flue terminal cracked".into(),
            severity: Severity::Critical,
            photos: Vec::new(),
        };
        let defect_id = report_defect(&cx, &tom, task, defect, acted).await.unwrap();
        let result = timeline_row(&cx, task, "Result recorded").await;
        assert_eq!(
            (result.at, result.phone_at, result.received_at),
            (result_at, Some(result_at), Some(received))
        );
        let reported = timeline_row(&cx, task, "Defect reported").await;
        assert_eq!(
            (reported.at, reported.phone_at, reported.received_at),
            (defect_at, Some(defect_at), Some(received))
        );
        let recorded_at = format!("SELECT recorded_at FROM service_tasks WHERE id = {flue}");
        assert_eq!(count(&cx, &recorded_at).await, result_at);
        let reported_at = format!("SELECT reported_at FROM defects WHERE id = {defect_id}");
        assert_eq!(count(&cx, &reported_at).await, defect_at);

        // Performed 20 minutes later on the phone; the signatures carry that time too.
        let performed_at = pressed + 20 * MINUTE;
        let acted = ActedAt::from_phone(performed_at, received + 1);
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
        let whats: Vec<&str> = detail.timeline.iter().map(|e| e.what.as_str()).collect();
        assert!(whats[0].starts_with(TaskAction::PerformedOnSite.label()));
        assert!(whats[1].starts_with("Defect reported"), "{whats:?}");
        assert!(whats[2].starts_with("Result recorded"), "{whats:?}");
        assert!(whats[3].starts_with(TaskAction::OnSite.label()));
        for entry in &detail.timeline[..4] {
            assert!(
                entry
                    .when
                    .contains("(on the phone, without signal; arrived "),
                "{entry:?}"
            );
        }

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
        let acted = ActedAt::from_phone(phone, received);
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
        let acted = ActedAt::from_phone(now_ms() - 30 * MINUTE, received);
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
