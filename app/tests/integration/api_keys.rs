//! API keys on both databases: only administrators make and revoke them, a key acts as its maker
//! narrowed to its scopes, a revoked key stops at once on every instance, and the limit per
//! minute holds under parallel requests and across instances, reserved a block at a time.

use app::db::now_ms;
use app::db_test;
use app::domain::api_keys::{Scope, Scopes};
use app::services::{api_keys, ServiceError};
use app::testing::{actor, contractor_id, seed_demo, OtherAgency};

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";

fn read_only() -> Scopes {
    Scopes::of([Scope::ContractorsRead, Scope::CertificationRead])
}

db_test!(
    an_administrator_makes_a_key_shown_once_and_stored_as_a_hash,
    |cx| {
        seed_demo(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let made = api_keys::create(&cx, &admin, " Arthur sync ", read_only(), now_ms())
            .await
            .unwrap();
        assert_eq!(made.name, "Arthur sync");
        assert!(made.key.starts_with("cdk_"));
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1")
            .bind(&made.key)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
        assert_eq!(stored, 0, "the key itself is never stored");
        let listed = api_keys::list(&cx, &admin).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            listed[0].scopes,
            vec![Scope::ContractorsRead, Scope::CertificationRead]
        );
        assert!(made.key.starts_with(&listed[0].hint));
        assert_eq!(listed[0].last_used, None);
        assert_eq!(listed[0].created_by, "Alex Morgan");

        let caller = api_keys::authenticate(&cx, &made.key, 600, now_ms())
            .await
            .unwrap();
        assert_eq!(caller.actor.user_id, admin.user_id);
        assert_eq!(caller.actor.api_key_id, Some(made.id));
        assert!(
            !caller.actor.permissions.manage_users,
            "a key never manages people"
        );
        assert!(
            !caller.actor.permissions.manage_certification,
            "read-only key"
        );
        assert!(api_keys::list(&cx, &admin).await.unwrap()[0]
            .last_used
            .is_some());
    }
);

db_test!(only_administrators_manage_keys, |cx| {
    seed_demo(&cx).await;
    let agent = actor(&cx, AGENT).await;
    assert!(matches!(
        api_keys::create(&cx, &agent, "Mine", read_only(), now_ms()).await,
        Err(ServiceError::MissingPermission(_))
    ));
    assert!(matches!(
        api_keys::list(&cx, &agent).await,
        Err(ServiceError::MissingPermission(_))
    ));
    let admin = actor(&cx, ADMIN).await;
    assert!(matches!(
        api_keys::create(&cx, &admin, "  ", read_only(), now_ms()).await,
        Err(ServiceError::Invalid { field: "name", .. })
    ));
    assert!(matches!(
        api_keys::create(&cx, &admin, "No scopes", Scopes::default(), now_ms()).await,
        Err(ServiceError::Invalid {
            field: "scopes",
            ..
        })
    ));
});

db_test!(another_agency_cannot_see_or_revoke_a_key, |cx| {
    seed_demo(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let made = api_keys::create(&cx, &admin, "Arthur sync", read_only(), now_ms())
        .await
        .unwrap();
    let other = OtherAgency::create(&cx).await.admin(&cx).await;
    assert!(api_keys::list(&cx, &other).await.unwrap().is_empty());
    assert!(matches!(
        api_keys::revoke(&cx, &other, made.id, now_ms()).await,
        Err(ServiceError::NotFound(_))
    ));
    assert!(api_keys::authenticate(&cx, &made.key, 600, now_ms())
        .await
        .is_ok());
});

db_test!(
    a_revoked_key_is_refused_at_once_on_every_instance,
    |cx, test_db| {
        seed_demo(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let made = api_keys::create(&cx, &admin, "Arthur sync", read_only(), now_ms())
            .await
            .unwrap();
        let other_instance = test_db.another_instance().await;
        assert!(
            api_keys::authenticate(&other_instance, &made.key, 600, now_ms())
                .await
                .is_ok()
        );
        api_keys::revoke(&cx, &admin, made.id, now_ms())
            .await
            .unwrap();
        assert!(matches!(
            api_keys::authenticate(&other_instance, &made.key, 600, now_ms()).await,
            Err(ServiceError::NotSignedIn)
        ));
        assert!(matches!(
            api_keys::revoke(&cx, &admin, made.id, now_ms()).await,
            Err(ServiceError::NotFound(_))
        ));
        let listed = api_keys::list(&cx, &admin).await.unwrap();
        assert!(listed[0].revoked.is_some());
        other_instance.db.close().await;
    }
);

db_test!(a_key_loses_what_its_maker_loses, |cx| {
    seed_demo(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let made = api_keys::create(&cx, &admin, "Arthur sync", Scopes::of(Scope::ALL), now_ms())
        .await
        .unwrap();
    let caller = api_keys::authenticate(&cx, &made.key, 600, now_ms())
        .await
        .unwrap();
    assert!(caller.actor.permissions.manage_certification);
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
        .bind(admin.user_id)
        .execute(cx.db.pool())
        .await
        .unwrap();
    assert!(matches!(
        api_keys::authenticate(&cx, &made.key, 600, now_ms()).await,
        Err(ServiceError::NotSignedIn)
    ));
});

/// Seeds the demo agency and has its administrator make a read-only key.
async fn demo_key(cx: &app::services::Context) -> app::domain::api_keys::NewKeyShown {
    seed_demo(cx).await;
    let admin = actor(cx, ADMIN).await;
    api_keys::create(cx, &admin, "Busy", read_only(), now_ms())
        .await
        .unwrap()
}

/// Fires `calls` requests of one key at once, alternating between `instances`; how many passed.
/// Each refusal tells the wait until the minute ends.
async fn allowed_of(
    instances: &[app::services::Context],
    key: &str,
    limit: i64,
    calls: usize,
    now: i64,
) -> usize {
    let calls: Vec<_> = (0..calls)
        .map(|i| {
            let cx = instances[i % instances.len()].clone();
            let key = key.to_string();
            tokio::spawn(async move { api_keys::authenticate(&cx, &key, limit, now).await })
        })
        .collect();
    let wait = app::domain::api_keys::retry_after(app::domain::api_keys::window_start(now), now);
    let mut allowed = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(_) => allowed += 1,
            Err(ServiceError::TooManyAttempts { wait_ms }) => assert_eq!(wait_ms, wait * 1000),
            Err(other) => panic!("unexpected {other}"),
        }
    }
    allowed
}

db_test!(
    the_limit_per_minute_holds_under_parallel_requests,
    |cx, test_db| {
        let made = demo_key(&cx).await;
        // Two instances, the same minute: 24 requests against a limit of 10.
        let other_instance = test_db.another_instance().await;
        let now = app::domain::api_keys::window_start(now_ms()) + 1_000;
        let both = [cx.clone(), other_instance.clone()];
        assert_eq!(allowed_of(&both, &made.key, 10, 24, now).await, 10);
        // The next minute starts afresh.
        assert!(api_keys::authenticate(&cx, &made.key, 10, now + 60_000)
            .await
            .is_ok());
        other_instance.db.close().await;
    }
);

// A limit of 100 reserves requests five at a time: one instance still serves exactly 100, and
// two never more than 100, each holding back at most four it reserved and was not asked for.
db_test!(
    reserved_requests_keep_the_limit_on_one_instance_and_across_two,
    |cx, test_db| {
        let made = demo_key(&cx).await;
        let minute = app::domain::api_keys::window_start(now_ms());
        let one = std::slice::from_ref(&cx);
        assert_eq!(
            allowed_of(one, &made.key, 100, 130, minute + 1_000).await,
            100
        );

        let other_instance = test_db.another_instance().await;
        let both = [cx.clone(), other_instance.clone()];
        let next_minute = minute + 60_000 + 1_000;
        let allowed = allowed_of(&both, &made.key, 100, 160, next_minute).await;
        assert!((92..=100).contains(&allowed), "{allowed} allowed");
        let counted: i64 = sqlx::query_scalar("SELECT window_count FROM api_keys WHERE id = $1")
            .bind(made.id)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
        assert!(
            counted >= 100,
            "the minute is full in the database: {counted}"
        );
        other_instance.db.close().await;
    }
);

/// A write transaction holding the key's row (and on SQLite the database's write lock).
async fn writer_holding(cx: &app::services::Context, key_id: i64) -> app::db::WriteTx {
    let mut writer = cx.db.begin_write().await.unwrap();
    sqlx::query("UPDATE api_keys SET name = name WHERE id = $1")
        .bind(key_id)
        .execute(&mut *writer)
        .await
        .unwrap();
    writer
}

/// The key's next request, or `None` when it is still waiting after two seconds.
async fn promptly(
    cx: &app::services::Context,
    key: &str,
    limit: i64,
    now: i64,
) -> Option<Result<api_keys::KeyCaller, ServiceError>> {
    let request = api_keys::authenticate(cx, key, limit, now);
    tokio::time::timeout(std::time::Duration::from_secs(2), request)
        .await
        .ok()
}

// A request within what its instance reserved reads and does not write: a long write elsewhere
// does not hold it up.
db_test!(a_reserved_request_does_not_wait_for_a_writer, |cx| {
    let made = demo_key(&cx).await;
    let now = now_ms();
    assert!(api_keys::authenticate(&cx, &made.key, 600, now)
        .await
        .is_ok());
    let writer = writer_holding(&cx, made.id).await;
    assert!(
        matches!(promptly(&cx, &made.key, 600, now).await, Some(Ok(_))),
        "the request waited for the writer"
    );
    writer.rollback().await.unwrap();
});

// Once its minute is spent, a key's requests are refused without asking the database again: a
// client past its limit costs no writes, and does not wait for one.
db_test!(a_key_past_its_limit_is_refused_without_a_write, |cx| {
    let made = demo_key(&cx).await;
    let now = app::domain::api_keys::window_start(now_ms()) + 1_000;
    assert!(api_keys::authenticate(&cx, &made.key, 1, now).await.is_ok());
    let writer = writer_holding(&cx, made.id).await;
    assert!(
        matches!(
            promptly(&cx, &made.key, 1, now).await,
            Some(Err(ServiceError::TooManyAttempts { .. }))
        ),
        "the refusal waited for the writer"
    );
    writer.rollback().await.unwrap();
    // The next minute asks again.
    assert!(api_keys::authenticate(&cx, &made.key, 1, now + 60_000)
        .await
        .is_ok());
});

db_test!(what_a_key_changes_is_audited_under_its_name, |cx| {
    seed_demo(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let made = api_keys::create(&cx, &admin, "Arthur sync", Scopes::of(Scope::ALL), now_ms())
        .await
        .unwrap();
    let caller = api_keys::authenticate(&cx, &made.key, 600, now_ms())
        .await
        .unwrap();
    let contractor = contractor_id(&cx, "Brightspark Electrical Ltd").await;
    let type_id: i64 = sqlx::query_scalar(
        "SELECT id FROM certificate_types WHERE agency_id = $1 AND id NOT IN \
         (SELECT certificate_type_id FROM certificate_requirements WHERE contractor_id = $2) \
         ORDER BY id LIMIT 1",
    )
    .bind(admin.agency_id)
    .bind(contractor)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    assert!(app::services::compliance::documents::request_certificate(
        &cx,
        &caller.actor,
        contractor,
        type_id,
        now_ms()
    )
    .await
    .unwrap());
    let history = app::services::compliance::views::contractor_certification(
        &cx,
        &admin,
        contractor,
        now_ms(),
    )
    .await
    .unwrap();
    let text = format!("{history:?}");
    assert!(
        text.contains("Alex Morgan through the API key Arthur sync"),
        "{text}"
    );

    // The key's activity lists its change, and nothing the administrator did in person nor
    // what another key did.
    let other_key = api_keys::create(&cx, &admin, "Accounts", Scopes::of(Scope::ALL), now_ms())
        .await
        .unwrap();
    let type_name: String = sqlx::query_scalar("SELECT name FROM certificate_types WHERE id = $1")
        .bind(type_id)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
    let activity = api_keys::activity(&cx, &admin, made.id).await.unwrap();
    assert_eq!(activity.len(), 1, "{activity:?}");
    assert_eq!(activity[0].what, format!("Requested: {type_name}"));
    assert_eq!(
        activity[0].contractor.as_deref(),
        Some("Brightspark Electrical Ltd")
    );
    assert!(
        activity[0].when.contains('/'),
        "in the agency's date format"
    );
    assert!(api_keys::activity(&cx, &admin, other_key.id)
        .await
        .unwrap()
        .is_empty());

    // Only the agency's administrators see it; another agency's key id is not found.
    let agent = actor(&cx, AGENT).await;
    assert!(matches!(
        api_keys::activity(&cx, &agent, made.id).await,
        Err(ServiceError::MissingPermission(_))
    ));
    let stranger = OtherAgency::create(&cx).await.admin(&cx).await;
    assert!(matches!(
        api_keys::activity(&cx, &stranger, made.id).await,
        Err(ServiceError::NotFound(_))
    ));
});
