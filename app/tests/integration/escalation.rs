//! Chasing outstanding certificates, on both databases: each step of the agency's ladder is
//! reached once, on its day, and widens who hears of it in their daily digest; an upload stops
//! the ladder; a suspension blocks new work until a valid certificate lifts it; each person gets
//! one digest a day, also with two instances at once.

use crate::support::{certificate_type, first_property};
use app::db::now_ms;
use app::db_test;
use app::domain::dates::DateFormat;
use app::domain::escalation::Ladder;
use app::domain::records::InstructOutcome;
use app::services::compliance::{self, NewDocument};
use app::services::daily::queue_daily_digests;
use app::services::tasks::{self, NewTask};
use app::services::Context;
use app::services::{agency, ServiceError};
use app::testing::{actor, contractor_id as contractor, seed_demo as seeded};
use chrono::NaiveDate;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";
const READ_ONLY: &str = "sam.reid@harbour-lettings.example";
/// Brightspark's own address, which is also its office user Rachel's.
const OFFICE: &str = "office@brightspark.example";
/// A second office user the test adds, so the office users' step is seen apart from the address.
const ACCOUNTS: &str = "accounts@brightspark.example";
/// Clearflow has no office users: its address gets a digest of its own.
const CLEARFLOW: &str = "jobs@clearflow.example";
const DAY_MS: i64 = 86_400_000;

/// The day's digest body sent to an address, if any ("…, 05/12/2026" in its subject).
async fn digest(cx: &Context, to: &str, at: i64) -> Option<String> {
    let day = DateFormat::default().format(app::domain::dates::local_today("Europe/London", at));
    sqlx::query_scalar(
        "SELECT body_text FROM outbox_emails WHERE to_address = $1 AND subject LIKE $2 \
         AND idempotency_key LIKE 'daily:%'",
    )
    .bind(to)
    .bind(format!("%, {day}"))
    .fetch_optional(cx.db.pool())
    .await
    .unwrap()
}

async fn steps_recorded(cx: &Context) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM certificate_escalations")
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

async fn chased_in_history(cx: &Context) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'certificate_chased'")
        .fetch_one(cx.db.pool())
        .await
        .unwrap()
}

/// Digests from midnight; the ladder the test climbs: the address at once, all office users
/// after 3 days, the agency after 7, suspension after 10.
async fn set_ladder(cx: &Context) {
    let admin = actor(cx, ADMIN).await;
    let mut settings = agency::settings(cx, &admin).await.unwrap();
    settings.daily_reminder_hour = 0;
    settings.chasing = Ladder {
        office_days: 0,
        office_users_days: 3,
        agency_days: 7,
        suspend_days: Some(10),
    };
    agency::update_settings(cx, &admin, settings, now_ms())
        .await
        .unwrap();
}

async fn add_office_user(cx: &Context, contractor_id: i64, email: &str) {
    sqlx::query(
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at) \
         SELECT agency_id, 'contractor', id, $1, 'Accounts', 0 FROM contractors WHERE id = $2",
    )
    .bind(email)
    .bind(contractor_id)
    .execute(cx.db.pool())
    .await
    .unwrap();
}

async fn instruct(cx: &Context, contractor_id: i64, at: i64) -> InstructOutcome {
    let agent = actor(cx, AGENT).await;
    let property = first_property(cx).await;
    let task = NewTask {
        property_id: property,
        contractor_id,
        title: "Replace the fuse board".into(),
        priority: "normal".into(),
        ..Default::default()
    };
    tasks::instruct(cx, &agent, task, at).await.unwrap()
}

fn suspended(rows: &[app::domain::records::ContractorRow], company: &str) -> bool {
    rows.iter()
        .find(|r| r.company_name == company)
        .unwrap()
        .suspended
}

db_test!(
    the_ladder_reaches_each_step_once_and_stops_on_upload,
    |cx| {
        seeded(&cx).await;
        set_ladder(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
        add_office_user(&cx, brightspark, ACCOUNTS).await;
        let gas = certificate_type(&cx, "Gas safety").await;
        let start = now_ms();
        let day = |n: i64| start + n * DAY_MS;
        compliance::request_certificate(&cx, &admin, brightspark, gas, start)
            .await
            .unwrap();
        let before = steps_recorded(&cx).await;

        // Day 0: the address (Rachel's too) hears of it; the other office user and the agency not yet.
        queue_daily_digests(&cx, day(0)).await.unwrap();
        let office = digest(&cx, OFFICE, day(0))
            .await
            .expect("the address's digest");
        assert!(office.contains("Gas safety (asked for on"), "{office}");
        let accounts = digest(&cx, ACCOUNTS, day(0)).await.unwrap_or_default();
        assert!(!accounts.contains("Gas safety"), "{accounts}");
        let alex = digest(&cx, ADMIN, day(0)).await.unwrap_or_default();
        assert!(
            !alex.contains("Brightspark Electrical Ltd: Gas safety"),
            "{alex}"
        );
        // Clearflow has no office users: its address gets a digest of its own, about certificates.
        let clearflow = digest(&cx, CLEARFLOW, day(0))
            .await
            .expect("Clearflow's digest");
        assert!(
            clearflow.contains("Legionella risk assessment"),
            "{clearflow}"
        );
        let after_day_0 = steps_recorded(&cx).await;
        assert!(after_day_0 > before);

        // The same day again, as after a restart: nothing new recorded, sent or logged.
        let chased = chased_in_history(&cx).await;
        assert_eq!(queue_daily_digests(&cx, day(0) + 60_000).await.unwrap(), 0);
        assert_eq!(steps_recorded(&cx).await, after_day_0);
        assert_eq!(chased_in_history(&cx).await, chased);

        // Day 3: every office user.
        queue_daily_digests(&cx, day(3)).await.unwrap();
        let accounts = digest(&cx, ACCOUNTS, day(3))
            .await
            .expect("accounts' digest");
        assert!(accounts.contains("Gas safety (asked for on"), "{accounts}");
        assert!(!suspended(
            &compliance::contractor_list(&cx, &admin, None, day(3))
                .await
                .unwrap(),
            "Brightspark Electrical Ltd"
        ));

        // Day 7: the agency's compliance users, not the read-only agent.
        queue_daily_digests(&cx, day(7)).await.unwrap();
        for who in [ADMIN, AGENT] {
            let body = digest(&cx, who, day(7))
                .await
                .expect("a compliance user's digest");
            assert!(
                body.contains("Brightspark Electrical Ltd: Gas safety (asked for on"),
                "{body}"
            );
        }
        assert!(digest(&cx, READ_ONLY, day(7)).await.is_none());

        // Day 10: suspended for new work, shown in the list and the instruct check.
        queue_daily_digests(&cx, day(10)).await.unwrap();
        let rows = compliance::contractor_list(&cx, &admin, None, day(10))
            .await
            .unwrap();
        assert!(suspended(&rows, "Brightspark Electrical Ltd"));
        let page = compliance::contractor_certification(&cx, &admin, brightspark, day(10))
            .await
            .unwrap();
        assert!(
            page.suspension
                .as_deref()
                .is_some_and(|s| s.contains("Gas safety")),
            "{:?}",
            page.suspension
        );
        let tile = page
            .requirements
            .iter()
            .find(|r| r.certificate_type == "Gas safety")
            .unwrap();
        let chasing = tile.chasing.as_deref().unwrap_or_default();
        assert!(
            chasing.starts_with("Chased at the contractor's office address on"),
            "{chasing}"
        );
        assert!(
            chasing.contains("; contractor suspended for new work on"),
            "{chasing}"
        );
        let body = digest(&cx, ADMIN, day(10)).await.unwrap();
        assert!(body.contains("Suspended for new work"), "{body}");

        // The office uploads: the ladder stops (nothing new tomorrow, the office users are no
        // longer chased) but the suspension holds, and alone blocks new work (the light is orange).
        let office_user = actor(&cx, OFFICE).await;
        let renewal = NewDocument {
            contractor_id: brightspark,
            certificate_type_id: gas,
            end_date: NaiveDate::from_ymd_opt(2099, 1, 1),
            ..Default::default()
        };
        let document = compliance::add_document(&cx, &office_user, renewal, day(10))
            .await
            .unwrap();
        let recorded = steps_recorded(&cx).await;
        queue_daily_digests(&cx, day(11)).await.unwrap();
        assert_eq!(steps_recorded(&cx).await, recorded);
        let accounts = digest(&cx, ACCOUNTS, day(11)).await.unwrap_or_default();
        assert!(!accounts.contains("Gas safety"), "{accounts}");
        let alex = digest(&cx, ADMIN, day(11)).await.unwrap_or_default();
        assert!(
            !alex.contains("Brightspark Electrical Ltd: Gas safety"),
            "{alex}"
        );
        assert!(
            alex.contains("wait for you to check"),
            "uploads to validate: {alex}"
        );
        match instruct(&cx, brightspark, day(11)).await {
            InstructOutcome::Blocked {
                problems,
                can_override,
                ..
            } => {
                assert!(!can_override, "Priya may not override");
                assert!(
                    problems[0].starts_with("Suspended for new work since"),
                    "{problems:?}"
                );
            }
            other => panic!("a suspended contractor gets no new work: {other:?}"),
        }

        // Ticked Valid: lifted at once.
        compliance::validate_document(&cx, &admin, document, day(11))
            .await
            .unwrap();
        let rows = compliance::contractor_list(&cx, &admin, None, day(11))
            .await
            .unwrap();
        assert!(!suspended(&rows, "Brightspark Electrical Ltd"));
        assert!(matches!(
            instruct(&cx, brightspark, day(11)).await,
            InstructOutcome::Instructed { .. }
        ));
    }
);

db_test!(
    another_agency_never_sees_the_ladder_or_its_suspensions,
    |cx| {
        seeded(&cx).await;
        set_ladder(&cx).await;
        let other = app::testing::OtherAgency::create(&cx).await;
        let other_admin = other.admin(&cx).await;
        let brightspark = contractor(&cx, "Brightspark Electrical Ltd").await;
        // Their settings are their own ladder (the defaults), not ours.
        let theirs = agency::settings(&cx, &other_admin).await.unwrap();
        assert_eq!(theirs.chasing, Ladder::default());
        assert!(matches!(
            compliance::contractor_certification(&cx, &other_admin, brightspark, now_ms()).await,
            Err(ServiceError::NotFound(_))
        ));
        // The other agency's digests never name our contractors.
        queue_daily_digests(&cx, now_ms() + 20 * DAY_MS)
            .await
            .unwrap();
        let leaked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox_emails WHERE agency_id = $1 AND body_text LIKE '%Brightspark%'",
    )
    .bind(other.agency_id)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
        assert_eq!(leaked, 0);
    }
);

/// Two instances on one database run the day's pass at the same moment: every step is recorded
/// and logged once, and every person gets one digest.
async fn one_digest_per_person_across_two_instances(scratch: app::testing::TestDb) {
    let a = scratch.context();
    let b = scratch.another_instance().await;
    seeded(&a).await;
    set_ladder(&a).await;
    let at = now_ms() + 8 * DAY_MS;
    let (ra, rb) = tokio::join!(queue_daily_digests(&a, at), queue_daily_digests(&b, at));
    let queued = ra.unwrap() + rb.unwrap();
    let per_person: Vec<(String, i64)> = sqlx::query_as(
        "SELECT to_address, COUNT(*) FROM outbox_emails WHERE idempotency_key LIKE 'daily:%' \
         GROUP BY to_address ORDER BY to_address",
    )
    .fetch_all(a.db.pool())
    .await
    .unwrap();
    assert!(per_person.len() >= 4, "{per_person:?}");
    assert!(per_person.iter().all(|(_, n)| *n == 1), "{per_person:?}");
    assert_eq!(queued as usize, per_person.len());
    assert_eq!(steps_recorded(&a).await, chased_in_history(&a).await);
    assert!(steps_recorded(&a).await > 0);
    b.db.close().await;
}

#[tokio::test]
async fn one_digest_per_person_across_two_instances_sqlite() {
    one_digest_per_person_across_two_instances(app::testing::TestDb::sqlite().await).await;
}

#[tokio::test]
async fn one_digest_per_person_across_two_instances_postgres() {
    let Some(scratch) = app::testing::TestDb::postgres().await else {
        eprintln!("SKIPPED on PostgreSQL: TEST_POSTGRES_URL is not set");
        return;
    };
    one_digest_per_person_across_two_instances(scratch).await;
}
