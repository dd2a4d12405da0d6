//! Identity services on both databases: signing in, emailed links, resets, sessions, the admin
//! page's rules and, for every service that takes an id, another tenant's id refused.

use crate::support::user_id;
use app::db::{now_ms, outbox, sessions};
use app::db_test;
use app::domain::identity::{LinkProblem, LinkPurpose, LinkRequest, Permission, UserKind};
use app::services::auth::{self, Actor, Origin};
use app::services::Context;
use app::services::{demo, tasks, users, ServiceError};
use chrono::NaiveDate;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";

fn here() -> Origin {
    Origin {
        address: "192.0.2.1".into(),
    }
}

async fn seeded(cx: &Context) {
    demo::seed_if_empty(&cx.db, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .await
        .unwrap()
        .expect("demo data loads into an empty database");
}

async fn actor(cx: &Context, email: &str) -> Actor {
    auth::load_actor(cx, user_id(cx, email).await)
        .await
        .unwrap()
        .expect("an active user")
}

async fn first_technician(cx: &Context) -> String {
    sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN task_technicians tt ON tt.technician_id = u.id \
         ORDER BY u.id LIMIT 1",
    )
    .fetch_one(cx.db.pool())
    .await
    .unwrap()
}

/// A second agency with its own admin, role, contractor, office user, technician and task.
struct Other {
    admin: Actor,
    role_id: i64,
    office_user_id: i64,
    technician_id: i64,
    task_id: i64,
}

async fn other_agency(cx: &Context) -> Other {
    let now = now_ms();
    let pool = cx.db.pool();
    let agency: i64 = sqlx::query_scalar(
        "INSERT INTO agencies (name, created_at) VALUES ('Other Estates', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let role_id: i64 = sqlx::query_scalar(
        "INSERT INTO roles (agency_id, name, can_manage_users, can_manage_certification, can_instruct_work, \
         can_override_compliance) VALUES ($1, 'Admin', 1, 1, 1, 1) RETURNING id",
    )
    .bind(agency)
    .fetch_one(pool)
    .await
    .unwrap();
    let admin_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (agency_id, kind, role_id, email, name, created_at) \
         VALUES ($1, 'agent', $2, 'boss@other.example', 'Other Boss', $3) RETURNING id",
    )
    .bind(agency)
    .bind(role_id)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let contractor: i64 = sqlx::query_scalar(
        "INSERT INTO contractors (agency_id, company_name, email, created_at) \
         VALUES ($1, 'Other Sparks', 'sparks@other.example', $2) RETURNING id",
    )
    .bind(agency)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let office_user_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at) \
         VALUES ($1, 'contractor', $2, 'desk@other.example', 'Other Desk', $3) RETURNING id",
    )
    .bind(agency)
    .bind(contractor)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let technician_id: i64 = sqlx::query_scalar(
        "INSERT INTO users (agency_id, kind, contractor_id, email, name, created_at) \
         VALUES ($1, 'technician', $2, 'tech@other.example', 'Other Tech', $3) RETURNING id",
    )
    .bind(agency)
    .bind(contractor)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let property: i64 = sqlx::query_scalar(
        "INSERT INTO properties (agency_id, address_line1, town, postcode, created_at) \
         VALUES ($1, '1 Other Road', 'Elsewhere', 'EL1 1AA', $2) RETURNING id",
    )
    .bind(agency)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let task_id: i64 = sqlx::query_scalar(
        "INSERT INTO tasks (agency_id, reference, property_id, contractor_id, title, status, priority, \
         created_at, updated_at) VALUES ($1, 'O-1', $2, $3, 'Other task', 'assigned', 'normal', $4, $4) \
         RETURNING id",
    )
    .bind(agency)
    .bind(property)
    .bind(contractor)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO task_technicians (task_id, technician_id) VALUES ($1, $2)")
        .bind(task_id)
        .bind(technician_id)
        .execute(pool)
        .await
        .unwrap();
    Other {
        admin: auth::load_actor(cx, admin_id).await.unwrap().unwrap(),
        role_id,
        office_user_id,
        technician_id,
        task_id,
    }
}

/// The token in the newest email to `to`, taken from its link as a person would click it.
async fn emailed_token(cx: &Context, to: &str) -> (String, String) {
    let mail = outbox::latest(cx.db.pool(), 50)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.to_address == to)
        .unwrap_or_else(|| panic!("an email to {to}"));
    let url = mail
        .body_text
        .split_whitespace()
        .find(|w| w.contains("/auth/"))
        .expect("a link in the email")
        .to_string();
    let token = url.rsplit('/').next().unwrap().to_string();
    (url, token)
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, ServiceError>) {
    assert!(
        matches!(result, Err(ServiceError::NotFound(_))),
        "expected NotFound, got {result:?}"
    );
}

db_test!(agents_sign_in_with_their_password, |cx| {
    seeded(&cx).await;
    let now = now_ms();
    let ok = auth::sign_in_with_password(
        &cx,
        " Alex.Morgan@Harbour-Lettings.example ",
        demo::DEMO_PASSWORD,
        &here(),
        now,
    )
    .await
    .unwrap();
    assert_eq!(ok.kind, UserKind::Agent);
    assert_eq!(ok.user_id, user_id(&cx, ADMIN).await);

    let wrong = auth::sign_in_with_password(&cx, ADMIN, "not the password", &here(), now).await;
    assert!(matches!(wrong, Err(ServiceError::Refused(_))), "{wrong:?}");
    let unknown =
        auth::sign_in_with_password(&cx, "nobody@example.com", "whatever it is", &here(), now)
            .await;
    // The same answer whether or not the account exists.
    assert_eq!(format!("{wrong:?}"), format!("{unknown:?}"));
    let bad = auth::sign_in_with_password(&cx, "not-an-email", "x", &here(), now).await;
    assert!(matches!(
        bad,
        Err(ServiceError::Invalid { field: "email", .. })
    ));
});

db_test!(technicians_have_no_password_to_sign_in_with, |cx| {
    seeded(&cx).await;
    let tech = first_technician(&cx).await;
    let result = auth::sign_in_with_password(&cx, &tech, "", &here(), now_ms()).await;
    assert!(matches!(
        result,
        Err(ServiceError::Invalid {
            field: "password",
            ..
        })
    ));
    let result = auth::sign_in_with_password(&cx, &tech, "a guess at it", &here(), now_ms()).await;
    assert!(matches!(result, Err(ServiceError::Refused(_))));
});

db_test!(five_wrong_passwords_slow_the_account_down, |cx| {
    seeded(&cx).await;
    let now = now_ms();
    for i in 0..5 {
        let r = auth::sign_in_with_password(&cx, AGENT, "wrong password", &here(), now + i).await;
        assert!(
            matches!(r, Err(ServiceError::Refused(_))),
            "attempt {i}: {r:?}"
        );
    }
    // Even the right password waits now, from any address.
    let elsewhere = Origin {
        address: "198.51.100.7".into(),
    };
    let r =
        auth::sign_in_with_password(&cx, AGENT, demo::DEMO_PASSWORD, &elsewhere, now + 10).await;
    match r {
        Err(ServiceError::TooManyAttempts { wait_ms }) => {
            assert!(wait_ms > 25_000 && wait_ms <= 30_000)
        }
        other => panic!("expected a wait, got {other:?}"),
    }
    // Another account is not affected from another address.
    auth::sign_in_with_password(&cx, ADMIN, demo::DEMO_PASSWORD, &elsewhere, now + 10)
        .await
        .unwrap();
    // After the wait, the right password works and clears the count.
    auth::sign_in_with_password(&cx, AGENT, demo::DEMO_PASSWORD, &elsewhere, now + 31_000)
        .await
        .unwrap();
    let r = auth::sign_in_with_password(&cx, AGENT, "wrong again", &elsewhere, now + 32_000).await;
    assert!(matches!(r, Err(ServiceError::Refused(_))));
});

db_test!(an_emailed_link_signs_in_once_and_is_stored_hashed, |cx| {
    seeded(&cx).await;
    let tech = first_technician(&cx).await;
    let now = now_ms();
    auth::request_link(&cx, &tech, &here(), LinkPurpose::SignIn, now)
        .await
        .unwrap();
    let (url, token) = emailed_token(&cx, &tech).await;
    assert!(url.starts_with(&format!("{}/auth/link/", app::testing::PUBLIC_URL)));
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_tokens WHERE token_hash = $1")
            .bind(&token)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
    assert_eq!(stored, 0, "the token itself is never stored");

    let preview = auth::preview_link(&cx, &token, &[LinkPurpose::SignIn], now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(preview.kind, UserKind::Technician);
    assert_eq!(preview.email, tech);
    // Looking does not use it; using it does, once.
    let signed = auth::use_sign_in_link(&cx, &token, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signed.kind, UserKind::Technician);
    assert_eq!(
        auth::use_sign_in_link(&cx, &token, now).await.unwrap(),
        Err(LinkProblem::Used)
    );
    assert_eq!(
        auth::use_sign_in_link(&cx, "made-up-token", now)
            .await
            .unwrap(),
        Err(LinkProblem::Unknown)
    );
});

db_test!(links_expire_and_are_only_good_for_their_purpose, |cx| {
    seeded(&cx).await;
    let now = now_ms();
    auth::request_link(&cx, AGENT, &here(), LinkPurpose::SignIn, now)
        .await
        .unwrap();
    let (_, token) = emailed_token(&cx, AGENT).await;
    // A sign-in link does not reset a password.
    assert_eq!(
        auth::reset_password(&cx, &token, "a brand new passphrase", now)
            .await
            .unwrap(),
        Err(LinkProblem::Unknown)
    );
    let later = now + LinkPurpose::SignIn.lifetime_ms();
    assert_eq!(
        auth::use_sign_in_link(&cx, &token, later).await.unwrap(),
        Err(LinkProblem::Expired)
    );
    assert_eq!(
        auth::use_sign_in_link(&cx, &token, later - 1)
            .await
            .unwrap()
            .map(|s| s.kind),
        Ok(UserKind::Agent)
    );
});

db_test!(link_requests_reveal_nothing_and_are_limited, |cx| {
    seeded(&cx).await;
    let now = now_ms();
    let before = outbox::latest(cx.db.pool(), 100).await.unwrap().len();
    auth::request_link(&cx, "nobody@example.com", &here(), LinkPurpose::SignIn, now)
        .await
        .unwrap();
    assert_eq!(
        outbox::latest(cx.db.pool(), 100).await.unwrap().len(),
        before,
        "no email to nobody"
    );
    for i in 0..3 {
        auth::request_link(&cx, OFFICE, &here(), LinkPurpose::SignIn, now + i)
            .await
            .unwrap();
    }
    // The fourth is not sent; the answer says when the last one went (5 ms ago) and when to ask
    // again, rather than a bare refusal.
    let fourth = auth::request_link(&cx, OFFICE, &here(), LinkPurpose::SignIn, now + 5).await;
    assert!(
        matches!(fourth, Ok(LinkRequest::AlreadySent { ago_ms: 3, wait_ms }) if wait_ms > 0),
        "{fourth:?}"
    );
    // The same answer for an address with no account: it reveals nothing.
    for i in 0..3 {
        auth::request_link(
            &cx,
            "nobody@example.com",
            &here(),
            LinkPurpose::SignIn,
            now + 10 + i,
        )
        .await
        .unwrap();
    }
    assert!(matches!(
        auth::request_link(
            &cx,
            "nobody@example.com",
            &here(),
            LinkPurpose::SignIn,
            now + 20
        )
        .await,
        Ok(LinkRequest::AlreadySent { .. })
    ));
    // Across addresses, one network still hits its own limit (twenty an hour): refused.
    let mut refused = None;
    for i in 0..20 {
        let r = auth::request_link(
            &cx,
            &format!("guess{i}@example.com"),
            &here(),
            LinkPurpose::SignIn,
            now + 30 + i,
        )
        .await;
        if let Err(e) = r {
            refused = Some(e);
            break;
        }
    }
    assert!(
        matches!(refused, Some(ServiceError::TooManyAttempts { .. })),
        "{refused:?}"
    );
    assert_eq!(
        outbox::latest(cx.db.pool(), 100).await.unwrap().len(),
        before + 3
    );
    let invitation = auth::request_link(&cx, AGENT, &here(), LinkPurpose::Invitation, now).await;
    assert!(matches!(invitation, Err(ServiceError::Invalid { .. })));
});

db_test!(
    a_password_reset_sets_the_password_and_ends_other_sessions,
    |cx| {
        seeded(&cx).await;
        let now = now_ms();
        let agent_id = user_id(&cx, AGENT).await;
        sqlx::query("INSERT INTO sessions (id, user_id, data, expires_at) VALUES ('old-phone', $1, '{}', $2)")
        .bind(agent_id)
        .bind(now + 3_600_000)
        .execute(cx.db.pool())
        .await
        .unwrap();
        auth::request_link(&cx, AGENT, &here(), LinkPurpose::PasswordReset, now)
            .await
            .unwrap();
        let (url, token) = emailed_token(&cx, AGENT).await;
        assert!(url.contains("/auth/reset/"));
        let short = auth::reset_password(&cx, &token, "short", now).await;
        assert!(matches!(
            short,
            Err(ServiceError::Invalid {
                field: "password",
                ..
            })
        ));
        // A refused password leaves the link usable.
        let done = auth::reset_password(&cx, &token, "a brand new passphrase", now)
            .await
            .unwrap();
        assert_eq!(done.map(|s| s.user_id), Ok(agent_id));
        assert_eq!(
            sessions::count_for_user(cx.db.pool(), agent_id)
                .await
                .unwrap(),
            0
        );
        auth::sign_in_with_password(&cx, AGENT, "a brand new passphrase", &here(), now)
            .await
            .unwrap();
        assert!(
            auth::sign_in_with_password(&cx, AGENT, demo::DEMO_PASSWORD, &here(), now)
                .await
                .is_err()
        );
        assert_eq!(
            auth::reset_password(&cx, &token, "another new passphrase", now)
                .await
                .unwrap(),
            Err(LinkProblem::Used)
        );
    }
);

db_test!(a_technician_asking_for_a_reset_gets_a_sign_in_link, |cx| {
    seeded(&cx).await;
    let tech = first_technician(&cx).await;
    auth::request_link(&cx, &tech, &here(), LinkPurpose::PasswordReset, now_ms())
        .await
        .unwrap();
    let (url, _) = emailed_token(&cx, &tech).await;
    assert!(url.contains("/auth/link/"), "{url}");
});

db_test!(only_administrators_manage_users, |cx| {
    seeded(&cx).await;
    let agent = actor(&cx, AGENT).await;
    let office = actor(&cx, OFFICE).await;
    let tech = actor(&cx, &first_technician(&cx).await).await;
    let r = users::directory(&cx, &agent).await;
    assert!(matches!(
        r,
        Err(ServiceError::MissingPermission(Permission::ManageUsers))
    ));
    assert!(matches!(
        users::directory(&cx, &office).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        users::directory(&cx, &tech).await,
        Err(ServiceError::Forbidden(_))
    ));
    let admin = actor(&cx, ADMIN).await;
    let directory = users::directory(&cx, &admin).await.unwrap();
    assert_eq!(directory.roles.len(), 3);
    assert!(directory
        .users
        .iter()
        .any(|u| u.email == OFFICE && u.kind == UserKind::Contractor));
});

db_test!(
    an_invitation_creates_the_account_and_its_email_together,
    |cx| {
        seeded(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let role = users::directory(&cx, &admin).await.unwrap().roles[1].id;
        let now = now_ms();
        let invite = |email: &'static str| users::Invitation {
            name: "Jo Bloggs",
            email,
            role_id: role,
        };
        let id = users::invite_agent(&cx, &admin, invite("Jo@Harbour-Lettings.example"), now)
            .await
            .unwrap();
        let (url, token) = emailed_token(&cx, "jo@harbour-lettings.example").await;
        assert!(url.contains("/auth/reset/"));
        let preview = auth::preview_link(&cx, &token, &[LinkPurpose::Invitation], now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(preview.purpose, LinkPurpose::Invitation);
        assert_eq!(
            auth::reset_password(&cx, &token, "jo's own passphrase", now)
                .await
                .unwrap()
                .map(|s| s.user_id),
            Ok(id)
        );

        // The same address twice is refused, and nothing is written.
        let before = outbox::latest(cx.db.pool(), 100).await.unwrap().len();
        let again =
            users::invite_agent(&cx, &admin, invite("jo@harbour-lettings.example"), now).await;
        assert!(
            matches!(again, Err(ServiceError::Invalid { field: "email", .. })),
            "{again:?}"
        );
        assert_eq!(
            outbox::latest(cx.db.pool(), 100).await.unwrap().len(),
            before
        );
        let nameless = users::invite_agent(
            &cx,
            &admin,
            users::Invitation {
                name: " ",
                email: "x@y.example",
                role_id: role,
            },
            now,
        )
        .await;
        assert!(matches!(
            nameless,
            Err(ServiceError::Invalid { field: "name", .. })
        ));
    }
);

db_test!(an_agency_keeps_an_administrator, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let roles = users::directory(&cx, &admin).await.unwrap().roles;
    let read_only = roles.iter().find(|r| r.name == "Read-only").unwrap().id;
    let r = users::change_role(&cx, &admin, admin.user_id, read_only, now_ms()).await;
    assert!(matches!(r, Err(ServiceError::Refused(_))), "{r:?}");
    let r = users::set_active(&cx, &admin, admin.user_id, false, now_ms()).await;
    assert!(matches!(r, Err(ServiceError::Refused(_))));
    // The refused change left the role as it was.
    assert!(actor(&cx, ADMIN).await.permissions.manage_users);
    // Contractors have no roles.
    let office_id = user_id(&cx, OFFICE).await;
    let r = users::change_role(&cx, &admin, office_id, read_only, now_ms()).await;
    assert!(matches!(r, Err(ServiceError::Invalid { .. })));
});

db_test!(disabling_a_user_ends_their_sessions_and_sign_in, |cx| {
    seeded(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let agent_id = user_id(&cx, AGENT).await;
    let now = now_ms();
    for id in ["laptop", "phone"] {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, data, expires_at) VALUES ($1, $2, '{}', $3)",
        )
        .bind(id)
        .bind(agent_id)
        .bind(now + 3_600_000)
        .execute(cx.db.pool())
        .await
        .unwrap();
    }
    users::set_active(&cx, &admin, agent_id, false, now)
        .await
        .unwrap();
    assert_eq!(
        sessions::count_for_user(cx.db.pool(), agent_id)
            .await
            .unwrap(),
        0
    );
    assert!(auth::load_actor(&cx, agent_id).await.unwrap().is_none());
    // The right password of a disabled account gets the same answer as a wrong one: saying
    // "disabled" would confirm the password to whoever guessed it.
    let right = auth::sign_in_with_password(&cx, AGENT, demo::DEMO_PASSWORD, &here(), now).await;
    let wrong = auth::sign_in_with_password(&cx, AGENT, "a wrong guess", &here(), now).await;
    match (&right, &wrong) {
        (Err(ServiceError::Refused(a)), Err(ServiceError::Refused(b))) => {
            assert_eq!(a, b);
            assert!(!a.contains("disabled"), "{a}");
        }
        other => panic!("{other:?}"),
    }
    auth::request_link(&cx, AGENT, &here(), LinkPurpose::SignIn, now)
        .await
        .unwrap();
    users::set_active(&cx, &admin, agent_id, true, now)
        .await
        .unwrap();
    auth::sign_in_with_password(&cx, AGENT, demo::DEMO_PASSWORD, &here(), now)
        .await
        .unwrap();
    let audit: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE subject_user_id = $1")
            .bind(agent_id)
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
    assert_eq!(audit, 2);
});

db_test!(another_agencys_ids_are_refused_everywhere, |cx| {
    seeded(&cx).await;
    let other = other_agency(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let now = now_ms();
    let own_agent = user_id(&cx, AGENT).await;
    let own_role = users::directory(&cx, &admin).await.unwrap().roles[0].id;

    // Harbour's admin against Other Estates' people and roles.
    assert_not_found(users::change_role(&cx, &admin, other.admin.user_id, own_role, now).await);
    assert_not_found(users::change_role(&cx, &admin, own_agent, other.role_id, now).await);
    assert_not_found(users::set_active(&cx, &admin, other.office_user_id, false, now).await);
    assert_not_found(users::set_active(&cx, &admin, other.technician_id, false, now).await);
    let invite = users::Invitation {
        name: "Spy",
        email: "spy@example.com",
        role_id: other.role_id,
    };
    assert_not_found(users::invite_agent(&cx, &admin, invite, now).await);
    assert!(!users::directory(&cx, &admin)
        .await
        .unwrap()
        .users
        .iter()
        .any(|u| u.email.ends_with("other.example")));

    // And the other way round.
    assert_not_found(users::set_active(&cx, &other.admin, own_agent, false, now).await);
    let other_directory = users::directory(&cx, &other.admin).await.unwrap();
    assert!(other_directory
        .users
        .iter()
        .all(|u| u.email.ends_with("other.example")));
    assert!(
        auth::load_actor(&cx, own_agent).await.unwrap().is_some(),
        "still active"
    );
});

db_test!(contractors_and_technicians_see_only_their_own_tasks, |cx| {
    seeded(&cx).await;
    let other = other_agency(&cx).await;
    let office = actor(&cx, OFFICE).await;
    let all = app::domain::task_list::TaskFilter::from_query_string("");
    let desk = app::services::task_list::task_list(&cx, &office, &all)
        .await
        .unwrap()
        .rows;
    assert!(!desk.is_empty());
    let expected: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM tasks WHERE contractor_id = $1 AND status <> 'draft' ORDER BY id",
    )
    .bind(office.contractor_id.unwrap())
    .fetch_all(cx.db.pool())
    .await
    .unwrap();
    let mut got: Vec<i64> = desk.iter().map(|t| t.id).collect();
    got.sort();
    assert_eq!(got, expected);
    assert!(!got.contains(&other.task_id));

    let tech = actor(&cx, &first_technician(&cx).await).await;
    let mine = tasks::technician_tasks(&cx, &tech).await.unwrap();
    assert!(mine.all().next().is_some());
    for task in mine.all() {
        let assigned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM task_technicians WHERE task_id = $1 AND technician_id = $2",
        )
        .bind(task.id)
        .bind(tech.user_id)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        assert_eq!(
            assigned, 1,
            "{} is not assigned to this technician",
            task.reference
        );
    }
    let other_tech = auth::load_actor(&cx, other.technician_id)
        .await
        .unwrap()
        .unwrap();
    let theirs = tasks::technician_tasks(&cx, &other_tech).await.unwrap();
    assert_eq!(
        theirs.all().map(|t| t.id).collect::<Vec<_>>(),
        vec![other.task_id]
    );

    // Each list is for its own kind of user only.
    assert!(matches!(
        app::services::task_list::task_list(&cx, &tech, &all).await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        tasks::technician_tasks(&cx, &office).await,
        Err(ServiceError::Forbidden(_))
    ));
});

db_test!(outbox_idempotency_keys_write_once, |cx| {
    let now = now_ms();
    let mut conn = cx.db.pool().acquire().await.unwrap();
    let email =
        app::services::mail::sign_in_link("A", "B", "http://x/auth/link/t", LinkPurpose::SignIn);
    assert!(app::services::mail::enqueue(
        &mut conn,
        None,
        "a@b.example",
        &email,
        Some("reminder:1"),
        now
    )
    .await
    .unwrap());
    assert!(!app::services::mail::enqueue(
        &mut conn,
        None,
        "a@b.example",
        &email,
        Some("reminder:1"),
        now
    )
    .await
    .unwrap());
    assert!(
        app::services::mail::enqueue(&mut conn, None, "a@b.example", &email, None, now)
            .await
            .unwrap()
    );
    assert!(
        app::services::mail::enqueue(&mut conn, None, "a@b.example", &email, None, now)
            .await
            .unwrap()
    );
    drop(conn);
    assert_eq!(outbox::latest(cx.db.pool(), 10).await.unwrap().len(), 3);
});

db_test!(
    many_accounts_guessed_from_one_address_slow_that_address,
    |cx| {
        seeded(&cx).await;
        let now = now_ms();
        let guesser = Origin {
            address: "203.0.113.9".into(),
        };
        for i in 0..30 {
            let email = format!("guess{i}@example.com");
            let r = auth::sign_in_with_password(&cx, &email, "password1", &guesser, now + i).await;
            assert!(
                matches!(r, Err(ServiceError::Refused(_))),
                "attempt {i}: {r:?}"
            );
        }
        let r =
            auth::sign_in_with_password(&cx, ADMIN, demo::DEMO_PASSWORD, &guesser, now + 40).await;
        assert!(
            matches!(r, Err(ServiceError::TooManyAttempts { .. })),
            "{r:?}"
        );
        // People elsewhere are not affected.
        auth::sign_in_with_password(&cx, ADMIN, demo::DEMO_PASSWORD, &here(), now + 40)
            .await
            .unwrap();
    }
);

db_test!(
    administrators_change_what_roles_allow_within_their_agency,
    |cx| {
        seeded(&cx).await;
        let other = other_agency(&cx).await;
        let admin = actor(&cx, ADMIN).await;
        let roles = users::directory(&cx, &admin).await.unwrap().roles;
        let agent_role = roles.iter().find(|r| r.name == "Agent").unwrap().id;
        let admin_role = roles.iter().find(|r| r.name == "Admin").unwrap().id;
        let now = now_ms();
        assert!(!actor(&cx, AGENT).await.permissions.override_compliance);
        users::set_role_permission(
            &cx,
            &admin,
            agent_role,
            Permission::OverrideCompliance,
            true,
            now,
        )
        .await
        .unwrap();
        assert!(actor(&cx, AGENT).await.permissions.override_compliance);

        // The last role that can manage users keeps that permission.
        let r = users::set_role_permission(
            &cx,
            &admin,
            admin_role,
            Permission::ManageUsers,
            false,
            now,
        )
        .await;
        assert!(matches!(r, Err(ServiceError::Refused(_))), "{r:?}");
        assert!(actor(&cx, ADMIN).await.permissions.manage_users);
        // Another agency's role, and someone without the permission.
        assert_not_found(
            users::set_role_permission(
                &cx,
                &admin,
                other.role_id,
                Permission::InstructWork,
                false,
                now,
            )
            .await,
        );
        let agent = actor(&cx, AGENT).await;
        let r =
            users::set_role_permission(&cx, &agent, agent_role, Permission::ManageUsers, true, now)
                .await;
        assert!(matches!(
            r,
            Err(ServiceError::MissingPermission(Permission::ManageUsers))
        ));
    }
);

db_test!(agency_settings_are_checked_and_kept_per_agency, |cx| {
    use app::domain::dates::DateFormat;
    use app::services::agency;
    seeded(&cx).await;
    let other = other_agency(&cx).await;
    let admin = actor(&cx, ADMIN).await;
    let mut settings = agency::settings(&cx, &admin).await.unwrap();
    assert_eq!(settings.date_format, DateFormat::DayMonthYear);
    assert_eq!(settings.time_zone, "Europe/London");
    settings.date_format = DateFormat::YearMonthDay;
    settings.expiring_soon_days = 45;
    settings.email_purchase_order = false;
    assert_eq!(settings.daily_reminder_hour, 7);
    settings.daily_reminder_hour = 18;
    agency::update_settings(&cx, &admin, settings.clone(), now_ms())
        .await
        .unwrap();
    assert_eq!(agency::settings(&cx, &admin).await.unwrap(), settings);
    assert_eq!(
        actor(&cx, OFFICE).await.date_format,
        DateFormat::YearMonthDay
    );
    // The other agency is untouched.
    let theirs = agency::settings(&cx, &other.admin).await.unwrap();
    assert_eq!(
        (theirs.date_format, theirs.expiring_soon_days),
        (DateFormat::DayMonthYear, 30)
    );

    for (field, bad) in [
        (
            "time_zone",
            app::domain::records::AgencySettings {
                time_zone: "Mars/Olympus".into(),
                ..settings.clone()
            },
        ),
        (
            "expiring_soon_days",
            app::domain::records::AgencySettings {
                expiring_soon_days: 0,
                ..settings.clone()
            },
        ),
        (
            "name",
            app::domain::records::AgencySettings {
                name: "  ".into(),
                ..settings.clone()
            },
        ),
        (
            "daily_reminder_hour",
            app::domain::records::AgencySettings {
                daily_reminder_hour: 24,
                ..settings.clone()
            },
        ),
        (
            "chase_agency_days",
            app::domain::records::AgencySettings {
                chasing: app::domain::escalation::Ladder {
                    office_users_days: 10,
                    agency_days: 5,
                    ..settings.chasing
                },
                ..settings.clone()
            },
        ),
    ] {
        let r = agency::update_settings(&cx, &admin, bad, now_ms()).await;
        assert!(
            matches!(r, Err(ServiceError::Invalid { field: f, .. }) if f == field),
            "{field}: {r:?}"
        );
    }
    let agent = actor(&cx, AGENT).await;
    assert!(matches!(
        agency::update_settings(&cx, &agent, settings.clone(), now_ms()).await,
        Err(ServiceError::MissingPermission(_))
    ));
    let office = actor(&cx, OFFICE).await;
    assert!(matches!(
        agency::settings(&cx, &office).await,
        Err(ServiceError::Forbidden(_))
    ));
});

db_test!(
    a_burst_of_passwords_at_once_is_checked_no_more_than_the_limit,
    |cx| {
        seeded(&cx).await;
        let now = now_ms();
        // 64 at once, the right one as #50: each attempt is reserved before its check, so only the
        // five free ones are checked and the right one waits like the rest.
        let tries = (0..64).map(|i| {
            let cx = cx.clone();
            let password = if i == 49 {
                demo::DEMO_PASSWORD.to_string()
            } else {
                format!("guess {i}")
            };
            tokio::spawn(async move {
                auth::sign_in_with_password(&cx, AGENT, &password, &here(), now).await
            })
        });
        let mut checked = 0;
        let mut waited = 0;
        let mut signed_in = 0;
        for attempt in tries.collect::<Vec<_>>() {
            match attempt.await.unwrap() {
                Ok(_) => signed_in += 1,
                Err(ServiceError::Refused(_)) => checked += 1,
                Err(ServiceError::TooManyAttempts { .. }) => waited += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(
            checked + signed_in <= 5,
            "{checked} checked, {signed_in} signed in"
        );
        assert_eq!(waited + checked + signed_in, 64);
        if signed_in == 0 {
            let later =
                auth::sign_in_with_password(&cx, AGENT, demo::DEMO_PASSWORD, &here(), now + 1)
                    .await;
            assert!(
                matches!(later, Err(ServiceError::TooManyAttempts { .. })),
                "{later:?}"
            );
        }
    }
);

db_test!(
    a_burst_of_link_requests_sends_no_more_than_the_limit,
    |cx| {
        seeded(&cx).await;
        let now = now_ms();
        let emails = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox_emails")
                .fetch_one(cx.db.pool())
                .await
                .unwrap()
        };
        let before = emails().await;
        let requests = (0..30).map(|_| {
            let cx = cx.clone();
            tokio::spawn(async move {
                auth::request_link(&cx, OFFICE, &here(), LinkPurpose::SignIn, now).await
            })
        });
        let mut refused = 0;
        for request in requests.collect::<Vec<_>>() {
            match request.await.unwrap() {
                Ok(LinkRequest::Sent) => {}
                Ok(LinkRequest::AlreadySent { .. }) => refused += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        let queued = emails().await - before;
        assert_eq!(
            (queued, refused),
            (3, 27),
            "three an hour, however they arrive"
        );
    }
);
