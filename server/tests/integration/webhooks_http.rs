//! Webhooks posted to a real HTTP receiver started by each test: the signature verifies with the
//! endpoint's secret; a receiver down for a while gets the event later, once; internal addresses
//! are never reached unless the operator allows it; the API manages endpoints only with the
//! `webhooks:manage` scope and within the key's agency; and a server killed between committing
//! an event and delivering it neither loses nor doubles it.

use crate::support::receiver::Receiver;
use crate::support::{
    browser, call, free_ports, run_server_with, seeded, sign_in, start_with, wait_for,
    wait_until_up,
};
use app::db::now_ms;
use app::db_test;
use app::domain::api_keys::{Scope, Scopes};
use app::domain::webhooks::{DeliveryState, EventSet, EventType};
use app::services::tasks::{instruct, NewTask};
use app::services::{api_keys, webhooks, Context};
use app::testing::{actor, contractor_id, OtherAgency};
use base64::Engine;
use certidesk::webhook_sender::WebhookSender;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use std::time::Duration;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";

async fn register(cx: &Context, url: &str, events: &[EventType]) -> (i64, String) {
    let admin = actor(cx, ADMIN).await;
    let made = webhooks::register(
        cx,
        &admin,
        url,
        "Test receiver",
        EventSet::of(events.iter().copied()),
        now_ms(),
    )
    .await
    .unwrap();
    (made.id, made.secret)
}

/// The Standard Webhooks check, written from the specification rather than with the product's
/// own signing code.
fn verifies(secret: &str, id: &str, timestamp: &str, body: &str, header: &str) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    header
        .split(' ')
        .any(|signature| signature == format!("v1,{expected}"))
}

db_test!(a_delivery_is_signed_and_the_signature_verifies, |cx| {
    seeded(&cx.db).await;
    let cx = cx.clone().with_internal_webhooks(true);
    let receiver = Receiver::start(&[]).await;
    let (_, secret) = register(&cx, &receiver.url, &[EventType::TaskStatusChanged]).await;
    let property: i64 = sqlx::query_scalar("SELECT MIN(id) FROM properties")
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    let task = NewTask {
        property_id: property,
        contractor_id: contractor_id(&cx, "Brightspark Electrical Ltd").await,
        title: "Replace the consumer unit".into(),
        priority: "normal".into(),
        ..Default::default()
    };
    instruct(&cx, &actor(&cx, ADMIN).await, task, now_ms())
        .await
        .unwrap();

    let sender = WebhookSender::new(true).unwrap();
    let pass = sender.deliver_due(&cx).await.unwrap();
    assert_eq!((pass.delivered, pass.failed), (1, 0));
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let delivery = &got[0];
    let (id, timestamp) = (
        delivery.header("webhook-id"),
        delivery.header("webhook-timestamp"),
    );
    assert!(verifies(
        &secret,
        &id,
        &timestamp,
        &delivery.body,
        &delivery.header("webhook-signature")
    ));
    assert!(
        !verifies(
            &secret,
            &id,
            &timestamp,
            &delivery.body.replace("\"assigned\"", "\"accepted\""),
            &delivery.header("webhook-signature")
        ),
        "a changed body does not verify"
    );
    let sent_at: i64 = timestamp.parse().unwrap();
    assert!((now_ms() / 1000 - sent_at).abs() < 60);
    assert_eq!(delivery.header("content-type"), "application/json");
    assert!(delivery
        .header("user-agent")
        .starts_with("Certidesk-Webhooks/"));
    let body = delivery.json();
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["type"], "task.status_changed");
    assert_eq!(body["data"]["to"], "assigned");
    // Delivered is delivered: later passes post nothing.
    assert_eq!(sender.deliver_due(&cx).await.unwrap().delivered, 0);
    assert_eq!(receiver.received().len(), 1);
});

db_test!(
    a_receiver_down_for_a_while_gets_the_event_later_once,
    |cx| {
        seeded(&cx.db).await;
        let cx = cx.clone().with_internal_webhooks(true);
        let receiver = Receiver::start(&[503, 502]).await;
        let (endpoint, _) = register(&cx, &receiver.url, &[EventType::TaskPerformed]).await;
        let admin = actor(&cx, ADMIN).await;
        let event = webhooks::send_test(&cx, &admin, endpoint, now_ms())
            .await
            .unwrap();
        let sender = WebhookSender::new(true).unwrap();
        let retry_now = || async {
            sqlx::query("UPDATE webhook_deliveries SET next_attempt_at = 0")
                .execute(cx.db.pool())
                .await
                .unwrap();
        };

        let before = now_ms();
        assert_eq!(sender.deliver_due(&cx).await.unwrap().failed, 1);
        let next: i64 = sqlx::query_scalar("SELECT next_attempt_at FROM webhook_deliveries")
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
        assert!(next >= before + 5_000, "the first retry waits 5 s");
        assert_eq!(
            sender.deliver_due(&cx).await.unwrap().failed,
            0,
            "not due yet"
        );
        retry_now().await;
        assert_eq!(sender.deliver_due(&cx).await.unwrap().failed, 1);
        let log = webhooks::deliveries(&cx, &admin, endpoint).await.unwrap();
        assert_eq!(log[0].state, DeliveryState::Retrying);
        assert_eq!(log[0].last_status, Some(502));
        retry_now().await;
        assert_eq!(sender.deliver_due(&cx).await.unwrap().delivered, 1);
        retry_now().await;
        assert_eq!(sender.deliver_due(&cx).await.unwrap().delivered, 0);

        let got = receiver.received();
        assert_eq!(got.len(), 3, "two refused attempts and one accepted");
        assert!(
            got.iter().all(|r| r.header("webhook-id") == event),
            "every attempt carries the same id"
        );
        let log = webhooks::deliveries(&cx, &admin, endpoint).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].state, DeliveryState::Delivered);
        assert_eq!(log[0].attempts, 3);
        assert_eq!(webhooks::list(&cx, &admin).await.unwrap()[0].failures, 0);
    }
);

db_test!(
    deliveries_never_reach_internal_addresses_unless_allowed,
    |cx| {
        seeded(&cx.db).await;
        let receiver = Receiver::start(&[]).await;
        // Registered while the setting allowed it, sent after it was turned off.
        let open = cx.clone().with_internal_webhooks(true);
        let by_name = receiver.url.replace("127.0.0.1", "localhost");
        for url in [receiver.url.as_str(), by_name.as_str()] {
            let (endpoint, _) = register(&open, url, &[EventType::TaskPerformed]).await;
            webhooks::send_test(&open, &actor(&open, ADMIN).await, endpoint, now_ms())
                .await
                .unwrap();
        }
        let closed = WebhookSender::new(false).unwrap();
        let pass = closed.deliver_due(&cx).await.unwrap();
        assert_eq!((pass.delivered, pass.failed), (0, 2));
        assert!(receiver.received().is_empty());
        let errors: Vec<String> =
            sqlx::query_scalar("SELECT last_error FROM webhook_deliveries ORDER BY id")
                .fetch_all(cx.db.pool())
                .await
                .unwrap();
        assert!(
            errors.iter().all(|e| e.contains("internal address")),
            "{errors:?}"
        );
    }
);

async fn api(
    method: reqwest::Method,
    base: &str,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}/api/v1{path}"))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

db_test!(
    the_api_manages_endpoints_with_the_scope_within_its_agency,
    |cx| {
        seeded(&cx.db).await;
        let base = start_with(cx.db.clone(), true, &[]).await;
        let admin = actor(&cx, ADMIN).await;
        let key = |scopes: Scopes, who: app::services::auth::Actor| {
            let cx = cx.clone();
            async move {
                api_keys::create(&cx, &who, "Test", scopes, now_ms())
                    .await
                    .unwrap()
                    .key
            }
        };
        let manager = key(Scopes::of([Scope::WebhooksManage]), admin.clone()).await;
        let reader = key(Scopes::of([Scope::TasksRead]), admin.clone()).await;
        let other_admin = OtherAgency::create(&cx).await.admin(&cx).await;
        let stranger = key(Scopes::of([Scope::WebhooksManage]), other_admin).await;
        let hook = json!({
            "url": "https://hooks.example.com/certidesk",
            "events": ["task.status_changed", "certificate.expired"],
        });
        use reqwest::Method;

        let (status, _) = api(
            Method::POST,
            &base,
            "/webhooks",
            &reader,
            Some(hook.clone()),
        )
        .await;
        assert_eq!(status, 403);
        let (status, body) = api(Method::POST, &base, "/webhooks", &manager, Some(hook)).await;
        assert_eq!(status, 201, "{body}");
        assert!(body["secret"].as_str().unwrap().starts_with("whsec_"));
        let id = body["id"].as_i64().unwrap();
        let (status, body) = api(
            Method::POST,
            &base,
            "/webhooks",
            &manager,
            Some(json!({ "url": "https://hooks.example.com/", "events": ["task.exploded"] })),
        )
        .await;
        assert_eq!((status, body["field"].as_str()), (422, Some("events")));
        let (status, body) = api(
            Method::POST,
            &base,
            "/webhooks",
            &manager,
            Some(json!({ "url": "http://127.0.0.1:8080/", "events": ["task.performed"] })),
        )
        .await;
        assert_eq!(
            (status, body["field"].as_str()),
            (422, Some("url")),
            "{body}"
        );

        let (status, body) = api(Method::GET, &base, "/webhooks", &manager, None).await;
        assert_eq!(status, 200);
        assert_eq!(
            body["data"][0]["events"],
            json!(["certificate.expired", "task.status_changed"])
        );
        assert!(body["data"][0].get("secret").is_none(), "shown once only");
        let (status, body) = api(Method::GET, &base, "/webhooks", &stranger, None).await;
        assert_eq!((status, body["data"].as_array().unwrap().len()), (200, 0));
        for (method, path) in [
            (Method::POST, format!("/webhooks/{id}/test")),
            (Method::GET, format!("/webhooks/{id}/deliveries")),
            (Method::DELETE, format!("/webhooks/{id}")),
        ] {
            let (status, _) = api(method, &base, &path, &stranger, None).await;
            assert_eq!(status, 404, "another agency's endpoint: {path}");
        }
        let (status, body) = api(
            Method::POST,
            &base,
            &format!("/webhooks/{id}/test"),
            &manager,
            None,
        )
        .await;
        assert_eq!(status, 202);
        let (_, log) = api(
            Method::GET,
            &base,
            &format!("/webhooks/{id}/deliveries"),
            &manager,
            None,
        )
        .await;
        assert_eq!(log["data"][0]["event_id"], body["event_id"]);
        assert_eq!(log["data"][0]["state"], "waiting");
        let (status, _) = api(
            Method::DELETE,
            &base,
            &format!("/webhooks/{id}"),
            &manager,
            None,
        )
        .await;
        assert_eq!(status, 204);
        let (_, body) = api(Method::GET, &base, "/webhooks", &manager, None).await;
        assert!(body["data"].as_array().unwrap().is_empty());
    }
);

/// The real server process, killed between committing an event and delivering it, then
/// restarted with the receiver up.
#[tokio::test]
async fn a_crash_between_commit_and_delivery_neither_loses_nor_doubles_an_event() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("pkg")).unwrap();
    let database = format!("sqlite://{}/app.db", dir.path().display());
    let receiver_port = free_ports(1)[0];
    let settings = [("WEBHOOKS_ALLOW_INTERNAL", "1".to_string())];
    let start = |port: u16| run_server_with(dir.path(), &database, None, port, &settings);

    // 1. The event commits while its receiver is down; the process dies with no chance to
    //    clean up, before the event could be delivered.
    let (mut first, base) = start(free_ports(1)[0]);
    wait_until_up(&base).await;
    let client = browser();
    sign_in(&client, &base, ADMIN).await;
    let url = format!("http://127.0.0.1:{receiver_port}/hook");
    let (status, made) = call(
        &client,
        &base,
        "webhooks/create",
        &[("hook[url]", url.as_str()), ("hook[task_performed]", "on")],
    )
    .await;
    assert_eq!(status, 200, "{made}");
    let endpoint = made["id"].as_i64().unwrap().to_string();
    let (status, event) = call(
        &client,
        &base,
        "webhooks/test",
        &[("endpoint_id", endpoint.as_str())],
    )
    .await;
    assert_eq!(status, 200, "{event}");
    first.kill().unwrap();
    first.wait().unwrap();

    // 2. Restarted with the receiver up: the event arrives, once.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", receiver_port))
        .await
        .unwrap();
    let receiver = Receiver::serve(listener, &[]);
    let (mut second, base) = start(free_ports(1)[0]);
    wait_until_up(&base).await;
    wait_for(
        || receiver.received().len() == 1,
        "the event to be delivered after the restart",
    )
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(
        receiver.received()[0].header("webhook-id"),
        event.as_str().unwrap()
    );

    // 3. Another restart posts nothing again.
    let (mut third, base) = start(free_ports(1)[0]);
    wait_until_up(&base).await;
    tokio::time::sleep(Duration::from_secs(3)).await; // longer than one worker pass
    third.kill().unwrap();
    third.wait().unwrap();
    assert_eq!(receiver.received().len(), 1);
}
