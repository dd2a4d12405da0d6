//! Webhooks on both databases: deliveries are written with the change that causes them, only
//! for endpoints that subscribed and only of their own agency; a refused change writes none; the
//! compliance watcher reports a change of light once across instances; expiry events are
//! written once however often the pass runs; failures retry, then disable the endpoint and email
//! the administrators; only administrators manage endpoints, and internal addresses are refused.

use crate::support::{brightspark_task, certificate_type, count};
use app::db::now_ms;
use app::db::webhooks as store;
use app::db_test;
use app::domain::records::InstructOutcome;
use app::domain::task_status::TaskAction;
use app::domain::webhooks::{EventSet, EventType, DISABLE_AFTER_MS};
use app::services::compliance::{self, NewDocument};
use app::services::tasks::{self, NewTask};
use app::services::webhooks::{self, Outcome};
use app::services::{reminders, Context, ServiceError};
use app::testing::{actor, contractor_id, seed_demo, OtherAgency};
use chrono::{Days, NaiveDate};
use serde_json::Value;
use std::collections::HashMap;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";

fn events(list: &[EventType]) -> EventSet {
    EventSet::of(list.iter().copied())
}

async fn register(cx: &Context, list: &[EventType]) -> i64 {
    let admin = actor(cx, ADMIN).await;
    webhooks::register(
        cx,
        &admin,
        "https://hooks.example.com/certidesk",
        "Arthur sync",
        events(list),
        now_ms(),
    )
    .await
    .unwrap()
    .id
}

/// The payloads written for an endpoint, oldest first.
async fn payloads(cx: &Context, endpoint: i64) -> Vec<Value> {
    let mut rows = store::deliveries(cx.db.pool(), endpoint, 100)
        .await
        .unwrap();
    rows.reverse();
    rows.iter()
        .map(|r| serde_json::from_str(&r.payload).unwrap())
        .collect()
}

db_test!(
    changes_write_deliveries_for_subscribed_endpoints_only,
    |cx| {
        seed_demo(&cx).await;
        let tasks_hook = register(
            &cx,
            &[EventType::TaskStatusChanged, EventType::CertificateUploaded],
        )
        .await;
        let performed_hook = register(&cx, &[EventType::TaskPerformed]).await;
        let other = OtherAgency::create(&cx).await;
        let other_admin = other.admin(&cx).await;
        let other_hook = webhooks::register(
            &cx,
            &other_admin,
            "https://other.example.com/hook",
            "",
            EventSet::of(EventType::SUBSCRIBABLE),
            now_ms(),
        )
        .await
        .unwrap()
        .id;

        let task = brightspark_task(&cx, "Replace the boiler", "").await;
        let office = actor(&cx, OFFICE).await;
        tasks::act(&cx, &office, task, TaskAction::Accept, None, now_ms())
            .await
            .unwrap();
        let gas = certificate_type(&cx, "Gas safety").await;
        let admin = actor(&cx, ADMIN).await;
        let brightspark = office.contractor_id.unwrap();
        compliance::request_certificate(&cx, &admin, brightspark, gas, now_ms())
            .await
            .unwrap();
        let document = NewDocument {
            contractor_id: brightspark,
            certificate_type_id: gas,
            end_date: NaiveDate::from_ymd_opt(2099, 1, 1),
            ..Default::default()
        };
        let document_id = compliance::add_document(&cx, &office, document, now_ms())
            .await
            .unwrap();

        let sent = payloads(&cx, tasks_hook).await;
        let kinds: Vec<&str> = sent.iter().map(|p| p["type"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "task.status_changed",
                "task.status_changed",
                "certificate.uploaded"
            ]
        );
        assert_eq!(sent[0]["data"]["task_id"], task);
        assert_eq!(sent[0]["data"]["from"], "draft");
        assert_eq!(sent[0]["data"]["to"], "assigned");
        assert_eq!(sent[1]["data"]["from"], "assigned");
        assert_eq!(sent[1]["data"]["to"], "accepted");
        assert!(sent[1]["data"]["reference"]
            .as_str()
            .unwrap()
            .starts_with("T-"));
        assert_eq!(sent[2]["data"]["document_id"], document_id);
        assert_eq!(sent[2]["data"]["certificate_type"], "Gas safety");
        assert_eq!(sent[2]["data"]["validated"], false);
        // Each event has its own id, also in the envelope, and a timestamp.
        let rows = store::deliveries(cx.db.pool(), tasks_hook, 10)
            .await
            .unwrap();
        assert!(rows.iter().all(|r| r.event_id.starts_with("evt_")));
        assert_eq!(sent[0]["id"], rows[2].event_id.as_str());
        assert!(sent[0]["timestamp"].as_str().unwrap().ends_with('Z'));

        assert!(payloads(&cx, performed_hook).await.is_empty());
        assert!(
            payloads(&cx, other_hook).await.is_empty(),
            "another agency hears nothing of this one"
        );
    }
);

db_test!(a_refused_change_writes_no_delivery, |cx| {
    seed_demo(&cx).await;
    let hook = register(&cx, &[EventType::TaskStatusChanged]).await;
    let agent = actor(&cx, AGENT).await;
    // Clearflow is red in the demo data, and Priya may not override: the instruction is
    // refused and its transaction, which had begun, writes nothing.
    let task = NewTask {
        property_id: crate::support::first_property(&cx).await,
        contractor_id: contractor_id(&cx, "Clearflow Plumbing").await,
        title: "Fix the leaking tap".into(),
        priority: "normal".into(),
        ..Default::default()
    };
    let outcome = tasks::instruct(&cx, &agent, task, now_ms()).await.unwrap();
    assert!(
        matches!(outcome, InstructOutcome::Blocked { .. }),
        "{outcome:?}"
    );
    assert!(payloads(&cx, hook).await.is_empty());
    brightspark_task(&cx, "Rewire", "").await;
    assert_eq!(payloads(&cx, hook).await.len(), 1);
});

db_test!(
    a_change_of_light_is_one_event_across_instances,
    |cx, test_db| {
        seed_demo(&cx).await;
        let hook = register(&cx, &[EventType::ComplianceChanged]).await;
        let other = test_db.another_instance().await;
        let (mut seen_here, mut seen_there) = (HashMap::new(), HashMap::new());
        // The first look only records each contractor's light.
        assert_eq!(
            webhooks::watch_compliance(&cx, &mut seen_here, now_ms())
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            webhooks::watch_compliance(&cx, &mut seen_here, now_ms())
                .await
                .unwrap(),
            0,
            "nothing changed"
        );
        let admin = actor(&cx, ADMIN).await;
        let office = actor(&cx, OFFICE).await;
        let brightspark = office.contractor_id.unwrap();
        let gas = certificate_type(&cx, "Gas safety").await;
        compliance::request_certificate(&cx, &admin, brightspark, gas, now_ms())
            .await
            .unwrap();
        // Both instances look at once; one records the change.
        let (here, there) = tokio::join!(
            webhooks::watch_compliance(&cx, &mut seen_here, now_ms()),
            webhooks::watch_compliance(&other, &mut seen_there, now_ms()),
        );
        assert_eq!(here.unwrap() + there.unwrap(), 1);
        let sent = payloads(&cx, hook).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0]["type"], "contractor.compliance_changed");
        assert_eq!(sent[0]["data"]["contractor_id"], brightspark);
        assert_eq!(sent[0]["data"]["from"], "green");
        assert_eq!(sent[0]["data"]["to"], "red");

        let document = NewDocument {
            contractor_id: brightspark,
            certificate_type_id: gas,
            end_date: NaiveDate::from_ymd_opt(2099, 1, 1),
            validated: true,
            ..Default::default()
        };
        compliance::add_document(&cx, &admin, document, now_ms())
            .await
            .unwrap();
        webhooks::watch_compliance(&other, &mut seen_there, now_ms())
            .await
            .unwrap();
        webhooks::watch_compliance(&cx, &mut seen_here, now_ms())
            .await
            .unwrap();
        let sent = payloads(&cx, hook).await;
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[1]["data"]["from"], "red");
        assert_eq!(sent[1]["data"]["to"], "green");
        other.db.close().await;
    }
);

db_test!(expiry_events_are_written_once_per_certificate, |cx| {
    seed_demo(&cx).await;
    let hook = register(
        &cx,
        &[
            EventType::CertificateExpired,
            EventType::CertificateExpiring,
        ],
    )
    .await;
    let admin = actor(&cx, ADMIN).await;
    let now = now_ms();
    let today = admin.today(now);
    let gas = certificate_type(&cx, "Gas safety").await;
    let mut documents = Vec::new();
    for (company, end) in [
        ("Brightspark Electrical Ltd", today - Days::new(2)),
        // Inside the 30-day window since three days: entered it during the catch-up week.
        ("Clearflow Plumbing", today + Days::new(27)),
    ] {
        let contractor = contractor_id(&cx, company).await;
        compliance::request_certificate(&cx, &admin, contractor, gas, now)
            .await
            .unwrap();
        let document = NewDocument {
            contractor_id: contractor,
            certificate_type_id: gas,
            end_date: Some(end),
            validated: true,
            ..Default::default()
        };
        documents.push(
            compliance::add_document(&cx, &admin, document, now)
                .await
                .unwrap(),
        );
    }
    let first = reminders::queue_due(&cx, now).await.unwrap();
    let again = reminders::queue_due(&cx, now).await.unwrap();
    assert_eq!(first.webhook_deliveries, 2, "{first:?}");
    assert_eq!(
        again.webhook_deliveries, 0,
        "a pass run again writes nothing"
    );
    let sent = payloads(&cx, hook).await;
    let of = |kind: &str| {
        sent.iter()
            .filter(|p| p["type"] == kind)
            .map(|p| p["data"]["document_id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(of("certificate.expired"), [documents[0]]);
    assert_eq!(of("certificate.expiring"), [documents[1]]);
});

db_test!(
    failures_retry_then_disable_the_endpoint_and_tell_administrators,
    |cx| {
        seed_demo(&cx).await;
        let hook = register(&cx, &[EventType::TaskStatusChanged]).await;
        let admin = actor(&cx, ADMIN).await;
        let start = now_ms();
        webhooks::send_test(&cx, &admin, hook, start).await.unwrap();
        let failed = || Outcome::Failed {
            status: Some(503),
            error: "the receiver answered 503".into(),
        };
        // Five failed attempts spread over a day: retried each time, then the endpoint is disabled.
        let times = [0, 5_000, 3_600_000, 12 * 3_600_000, DISABLE_AFTER_MS];
        for (attempt, at) in times.iter().enumerate() {
            let now = start + at;
            let due = webhooks::due(&cx.db, now + 400_000_000, 10).await.unwrap();
            assert_eq!(due.len(), 1, "attempt {}", attempt + 1);
            sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = $1")
                .bind(now)
                .execute(cx.db.pool())
                .await
                .unwrap();
            let delivery = webhooks::lease(&cx.db, due[0], now).await.unwrap().unwrap();
            assert_eq!(delivery.attempts, attempt as i64 + 1);
            webhooks::record_outcome(&cx, &delivery, failed(), now)
                .await
                .unwrap();
            let listed = &webhooks::list(&cx, &admin).await.unwrap()[0];
            assert_eq!(listed.failures, attempt as i64 + 1);
            assert_eq!(
                listed.disabled.is_some(),
                attempt == 4,
                "attempt {}",
                attempt + 1
            );
        }
        let listed = &webhooks::list(&cx, &admin).await.unwrap()[0];
        assert!(listed.disabled.as_deref().unwrap().contains("503"));
        assert_eq!(
        count(
            &cx,
            "SELECT COUNT(*) FROM outbox_emails WHERE to_address = 'alex.morgan@harbour-lettings.example' \
             AND subject LIKE 'Webhook endpoint disabled%'"
        )
        .await,
        1
    );
        assert_eq!(
            count(
                &cx,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_disabled'"
            )
            .await,
            1
        );
        // A disabled endpoint takes no new events and no test.
        brightspark_task(&cx, "Fit a smoke alarm", "").await;
        assert_eq!(payloads(&cx, hook).await.len(), 1);
        assert!(matches!(
            webhooks::send_test(&cx, &admin, hook, now_ms()).await,
            Err(ServiceError::Refused(_))
        ));
        // Enabled again, its count starts afresh and a success keeps it at zero.
        webhooks::enable(&cx, &admin, hook, now_ms()).await.unwrap();
        webhooks::send_test(&cx, &admin, hook, now_ms())
            .await
            .unwrap();
        let now = now_ms();
        let due = webhooks::due(&cx.db, now, 10).await.unwrap();
        assert_eq!(due.len(), 1, "the given-up delivery is not resent");
        let delivery = webhooks::lease(&cx.db, due[0], now).await.unwrap().unwrap();
        webhooks::record_outcome(&cx, &delivery, Outcome::Delivered { status: 204 }, now)
            .await
            .unwrap();
        let listed = &webhooks::list(&cx, &admin).await.unwrap()[0];
        assert_eq!((listed.disabled.clone(), listed.failures), (None, 0));
        let log = webhooks::deliveries(&cx, &admin, hook).await.unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].last_status, Some(204));
        assert_eq!(log[1].attempts, 5);
    }
);

db_test!(
    only_administrators_manage_endpoints_of_their_own_agency,
    |cx| {
        seed_demo(&cx).await;
        let hook = register(&cx, &[EventType::TaskPerformed]).await;
        let agent = actor(&cx, AGENT).await;
        let now = now_ms();
        assert!(matches!(
            webhooks::list(&cx, &agent).await,
            Err(ServiceError::MissingPermission(_))
        ));
        assert!(matches!(
            webhooks::register(
                &cx,
                &agent,
                "https://hooks.example.com/",
                "",
                events(&[EventType::TaskPerformed]),
                now
            )
            .await,
            Err(ServiceError::MissingPermission(_))
        ));
        let other = OtherAgency::create(&cx).await.admin(&cx).await;
        assert!(webhooks::list(&cx, &other).await.unwrap().is_empty());
        assert!(matches!(
            webhooks::delete(&cx, &other, hook, now).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            webhooks::enable(&cx, &other, hook, now).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            webhooks::send_test(&cx, &other, hook, now).await,
            Err(ServiceError::NotFound(_))
        ));
        assert!(matches!(
            webhooks::deliveries(&cx, &other, hook).await,
            Err(ServiceError::NotFound(_))
        ));

        let admin = actor(&cx, ADMIN).await;
        for (url, allowed_here) in [
            ("https://127.0.0.1/hook", false),
            ("https://169.254.169.254/latest/meta-data", false),
            ("http://hooks.example.com/", false),
            ("https://hooks.example.com/", true),
        ] {
            let made = webhooks::register(
                &cx,
                &admin,
                url,
                "",
                events(&[EventType::TaskPerformed]),
                now,
            )
            .await;
            match allowed_here {
                true => assert!(made.is_ok(), "{url}: {made:?}"),
                false => assert!(
                    matches!(made, Err(ServiceError::Invalid { field: "url", .. })),
                    "{url}: {made:?}"
                ),
            }
        }
        // The operator's setting lets a receiver on this machine in (development, tests).
        let open = cx.clone().with_internal_webhooks(true);
        assert!(webhooks::register(
            &open,
            &admin,
            "http://127.0.0.1:9/hook",
            "",
            events(&[EventType::TaskPerformed]),
            now
        )
        .await
        .is_ok());
        assert!(matches!(
            webhooks::register(
                &cx,
                &admin,
                "https://hooks.example.com/",
                "",
                EventSet::default(),
                now
            )
            .await,
            Err(ServiceError::Invalid {
                field: "events",
                ..
            })
        ));

        webhooks::delete(&cx, &admin, hook, now).await.unwrap();
        assert!(webhooks::list(&cx, &admin)
            .await
            .unwrap()
            .iter()
            .all(|e| e.id != hook));
        assert_eq!(
            count(
                &cx,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'webhook_deleted'"
            )
            .await,
            1
        );
    }
);
