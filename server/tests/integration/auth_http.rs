//! Signing in over HTTP, on both databases: the gate in front of pages, session cookies, emailed
//! links, sign out everywhere, and every server function refusing strangers and other tenants.

use crate::support::{browser, call, emailed_link, seeded, sign_in, start};
use app::db::{now_ms, Db};
use app::db_test;
use serde_json::json;

const ADMIN: &str = "alex.morgan@harbour-lettings.example";
const AGENT: &str = "priya.shah@harbour-lettings.example";
const OFFICE: &str = "office@brightspark.example";

async fn technician(db: &Db) -> String {
    sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN task_technicians tt ON tt.technician_id = u.id ORDER BY u.id LIMIT 1",
    )
    .fetch_one(db.pool())
    .await
    .unwrap()
}

async fn user_id(db: &Db, email: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

db_test!(pages_of_a_view_need_its_people_signed_in, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let client = browser();
    for (path, expected) in [
        ("/agent", "/sign-in?next=/agent"),
        ("/admin/users", "/sign-in?next=/admin/users"),
        ("/desk", "/sign-in?next=/desk"),
        ("/tech?day=today", "/sign-in?next=/tech%3Fday%3Dtoday"),
        ("/account", "/sign-in?next=/account"),
    ] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(location(&response), expected);
    }
    // Someone of another view is sent to their own.
    sign_in(&client, &base, OFFICE).await;
    let response = client.get(format!("{base}/agent")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/desk");
    let desk = client.get(format!("{base}/desk")).send().await.unwrap();
    assert_eq!(desk.status(), 200);
    assert!(desk
        .text()
        .await
        .unwrap()
        .contains("Brightspark Electrical Ltd"));
    // The office opens its own task in the Tech view to do the work itself (and can load it
    // again there); the technicians' list stays theirs.
    let task: i64 = sqlx::query_scalar(
        "SELECT t.id FROM tasks t JOIN users u ON u.contractor_id = t.contractor_id \
         WHERE u.email = $1 ORDER BY t.id LIMIT 1",
    )
    .bind(OFFICE)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
    let tech_task = client
        .get(format!("{base}/tech/tasks/{task}"))
        .send()
        .await
        .unwrap();
    assert_eq!(tech_task.status(), 200);
    // Its forms post before the client is live and are sent back by their Referer, which the
    // page lets the browser send to this server alone.
    assert_eq!(tech_task.headers()["referrer-policy"], "same-origin");
    let list = client.get(format!("{base}/tech")).send().await.unwrap();
    assert_eq!(list.status(), 303);
    assert_eq!(location(&list), "/desk");
    // An agent is not let into the Tech view.
    let agent = browser();
    sign_in(&agent, &base, AGENT).await;
    let response = agent
        .get(format!("{base}/tech/tasks/{task}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/agent");
});

db_test!(signing_in_rotates_the_session_and_sets_safe_cookies, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let client = browser();
    // A session that exists before signing in (here: from opening a real emailed link).
    let (_, _) = call(
        &client,
        &base,
        "request_email_link",
        &[("email", ADMIN), ("purpose", "SignIn")],
    )
    .await;
    let link = emailed_link(&cx.db, ADMIN).await;
    let path = link.trim_start_matches("http://127.0.0.1:3000");
    let planted = client.get(format!("{base}{path}")).send().await.unwrap();
    let before = planted.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let before_id = before.split(';').next().unwrap().to_string();

    let response = client
        .post(format!("{base}/rpc/sign_in"))
        .header("origin", &base)
        .form(&[
            ("email", ADMIN),
            ("password", app::services::demo::DEMO_PASSWORD),
            ("next", "/admin/users"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("certidesk_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(
        !cookie.contains("Secure"),
        "plain http in local development"
    );
    assert_ne!(
        cookie.split(';').next().unwrap(),
        before_id,
        "a new session id at sign-in"
    );
    assert_eq!(response.json::<String>().await.unwrap(), "/admin/users");

    // The planted id is worth nothing now.
    let stranger = reqwest::Client::new();
    let (_, viewer) = {
        let r = stranger
            .post(format!("{base}/rpc/viewer"))
            .header("origin", &base)
            .header("cookie", before_id)
            .send()
            .await
            .unwrap();
        (r.status(), r.json::<serde_json::Value>().await.unwrap())
    };
    assert_eq!(viewer, serde_json::Value::Null);
    let (status, viewer) = call(&client, &base, "viewer", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(viewer["email"], ADMIN);
    assert_eq!(viewer["date_format"], "DayMonthYear");
});

db_test!(a_technician_signs_in_by_emailed_link_once, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let tech = technician(&cx.db).await;
    let phone = browser();
    let (status, answer) = call(
        &phone,
        &base,
        "request_email_link",
        &[("email", &tech), ("purpose", "SignIn")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(answer
        .as_str()
        .unwrap()
        .starts_with("If an account uses that address"));
    let link = emailed_link(&cx.db, &tech).await;
    let token = link.rsplit('/').next().unwrap().to_string();
    let path = link.trim_start_matches("http://127.0.0.1:3000");

    // Opening the link keeps the token out of the address bar and spends nothing.
    let opened = phone.get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(opened.status(), 303);
    assert_eq!(location(&opened), "/sign-in/confirm");
    assert_eq!(opened.headers()["referrer-policy"], "no-referrer");
    assert_eq!(opened.headers()["cache-control"], "no-store");
    let page = phone
        .get(format!("{base}/sign-in/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sign in as"));
    assert!(!html.contains(&token), "the token is not in the page");

    // A mail scanner that followed the link has its own session: it cannot confirm.
    let scanner = browser();
    scanner.get(format!("{base}{path}")).send().await.unwrap();

    let (status, next) = call(&phone, &base, "confirm_sign_in_link", &[]).await;
    assert_eq!(status, 200, "{next}");
    assert_eq!(next, json!("/tech"));
    let tasks = phone.get(format!("{base}/tech")).send().await.unwrap();
    assert_eq!(tasks.status(), 200);

    // The link is spent: a second use is refused with a clear answer.
    let (status, refused) = call(&scanner, &base, "confirm_sign_in_link", &[]).await;
    assert_eq!(status, 410);
    assert_eq!(refused, json!({"Link": "Used"}));
    let page = scanner
        .get(format!("{base}/sign-in/confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("already been used"));
    // Without a link in the session there is nothing to confirm.
    let (status, none) = call(&browser(), &base, "confirm_sign_in_link", &[]).await;
    assert_eq!((status, none), (404, json!({"Link": "Unknown"})));
});

db_test!(sign_out_everywhere_ends_every_session_of_the_user, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let laptop = browser();
    let phone = browser();
    sign_in(&laptop, &base, ADMIN).await;
    sign_in(&phone, &base, ADMIN).await;
    let other_user = browser();
    sign_in(&other_user, &base, AGENT).await;
    assert_eq!(call(&phone, &base, "users/list", &[]).await.0, 200);

    let (status, _) = call(&laptop, &base, "sign_out_everywhere", &[]).await;
    assert_eq!(status, 200);
    let (status, body) = call(&phone, &base, "users/list", &[]).await;
    assert_eq!((status, body), (401, json!("NotSignedIn")));
    assert_eq!(
        call(&laptop, &base, "viewer", &[]).await.1,
        serde_json::Value::Null
    );
    assert_eq!(
        call(&other_user, &base, "viewer", &[]).await.1["email"],
        AGENT
    );
    // Signing out here ends only this session.
    sign_in(&phone, &base, ADMIN).await;
    sign_in(&laptop, &base, ADMIN).await;
    assert_eq!(call(&laptop, &base, "sign_out", &[]).await.0, 200);
    assert_eq!(call(&phone, &base, "viewer", &[]).await.1["email"], ADMIN);
});

db_test!(a_disabled_user_is_signed_out_at_once, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let admin = browser();
    let agent = browser();
    sign_in(&admin, &base, ADMIN).await;
    sign_in(&agent, &base, AGENT).await;
    let id = user_id(&cx.db, AGENT).await.to_string();
    let (status, body) = call(
        &admin,
        &base,
        "users/active",
        &[("user_id", &id), ("active", "false")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        call(&agent, &base, "viewer", &[]).await.1,
        serde_json::Value::Null
    );
    let page = agent.get(format!("{base}/agent")).send().await.unwrap();
    assert_eq!(page.status(), 303);
});

db_test!(
    every_server_function_refuses_callers_who_are_not_signed_in,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let stranger = browser();
        for (endpoint, form) in [
            ("users/list", vec![]),
            (
                "users/invite",
                vec![("name", "X"), ("email", "x@y.example"), ("role_id", "1")],
            ),
            ("users/role", vec![("user_id", "1"), ("role_id", "1")]),
            ("users/active", vec![("user_id", "1"), ("active", "false")]),
            (
                "users/role_permission",
                vec![
                    ("role_id", "1"),
                    ("permission", "ManageUsers"),
                    ("allowed", "false"),
                ],
            ),
            ("contractors/certification", vec![("contractor_id", "1")]),
            (
                "contractors/request_certificate",
                vec![("contractor_id", "1"), ("certificate_type_id", "1")],
            ),
            ("contractors/validate_document", vec![("document_id", "1")]),
            ("compliance/summary", vec![]),
            ("compliance/matrix", vec![]),
            ("contractors/list", vec![]),
            ("agency/settings", vec![]),
            (
                "agency/update_settings",
                vec![
                    ("settings[name]", "X"),
                    ("settings[time_zone]", "Europe/London"),
                    ("settings[date_format]", "DD/MM/YYYY"),
                    ("settings[expiring_soon_days]", "30"),
                    ("settings[daily_reminder_hour]", "7"),
                    ("settings[chase_office_days]", "0"),
                    ("settings[chase_office_users_days]", "7"),
                    ("settings[chase_agency_days]", "14"),
                ],
            ),
            ("tasks/list", vec![]),
            ("tasks/board_technicians", vec![]),
            ("api_keys/list", vec![]),
            (
                "api_keys/create",
                vec![("key[name]", "X"), ("key[tasks_read]", "on")],
            ),
            ("api_keys/revoke", vec![("key_id", "1")]),
            ("tasks/columns", vec![]),
            ("tasks/accept", vec![("task_id", "1")]),
            ("tasks/message", vec![("task_id", "1"), ("body", "Hello")]),
            ("tasks/messages", vec![("task_id", "1")]),
            ("tasks/archive", vec![("task_id", "1")]),
            (
                "tasks/result",
                vec![("service_task_id", "1"), ("outcome", "Pass")],
            ),
            ("desk/certification", vec![]),
            ("desk/outstanding_certificates", vec![]),
            ("certificate_types/list", vec![]),
            ("certificate_types/create", vec![("name", "X")]),
            (
                "certificate_types/technicians",
                vec![("certificate_type_id", "1"), ("applies", "true")],
            ),
            ("tech/tasks", vec![]),
            ("tasks/instruct_choices", vec![]),
            ("tasks/detail", vec![("task_id", "1")]),
            ("tasks/act", vec![("task_id", "1"), ("action", "Accept")]),
            (
                "tasks/instruct",
                vec![
                    ("works[property_id]", "1"),
                    ("works[contractor_id]", "1"),
                    ("works[title]", "X"),
                    ("works[priority]", "normal"),
                ],
            ),
            ("properties/list", vec![]),
            (
                "properties/save",
                vec![
                    ("property[address_line1]", "1 Road"),
                    ("property[town]", "Leeds"),
                    ("property[postcode]", "LS1 1AA"),
                ],
            ),
            ("team/list", vec![]),
            (
                "team/add",
                vec![
                    ("technician[name]", "X"),
                    ("technician[email]", "x@y.example"),
                ],
            ),
            (
                "team/update",
                vec![("technician_id", "1"), ("name", "X"), ("active", "false")],
            ),
            (
                "tasks/assign",
                vec![
                    ("request[task_ids][0]", "1"),
                    ("request[technician_ids][0]", "1"),
                ],
            ),
            ("tasks/assign_preview", vec![("request[task_ids][0]", "1")]),
            (
                "tasks/technician_choices",
                vec![("request[task_ids][0]", "1")],
            ),
            (
                "tasks/perform",
                vec![
                    ("work[task_id]", "1"),
                    ("work[signer_name]", "X"),
                    ("work[signature]", "{\"strokes\":[]}"),
                ],
            ),
            ("preferences/load", vec![]),
            ("preferences/save", vec![("mobile", "1")]),
            ("sign_out_everywhere", vec![]),
        ] {
            let (status, body) = call(&stranger, &base, endpoint, &form).await;
            assert_eq!((status, body), (401, json!("NotSignedIn")), "{endpoint}");
        }
    }
);

db_test!(
    every_server_function_refuses_the_wrong_person_and_other_tenants_ids,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let now = now_ms();
        // A second agency with its own administrator.
        let other_agency: i64 = sqlx::query_scalar(
            "INSERT INTO agencies (name, created_at) VALUES ('Other Estates', $1) RETURNING id",
        )
        .bind(now)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        let other_role: i64 = sqlx::query_scalar(
        "INSERT INTO roles (agency_id, name, can_manage_users) VALUES ($1, 'Admin', 1) RETURNING id",
    )
    .bind(other_agency)
    .fetch_one(cx.db.pool())
    .await
    .unwrap();
        let hash = app::services::auth::hash_password(app::services::demo::DEMO_PASSWORD.into())
            .await
            .unwrap();
        let other_admin: i64 = sqlx::query_scalar(
            "INSERT INTO users (agency_id, kind, role_id, email, name, password_hash, created_at) \
         VALUES ($1, 'agent', $2, 'boss@other.example', 'Other Boss', $3, $4) RETURNING id",
        )
        .bind(other_agency)
        .bind(other_role)
        .bind(hash)
        .bind(now)
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        let harbour_agent = user_id(&cx.db, AGENT).await.to_string();
        let other_admin = other_admin.to_string();
        let other_role = other_role.to_string();

        // Harbour's administrator with Other Estates' ids.
        let admin = browser();
        sign_in(&admin, &base, ADMIN).await;
        for (endpoint, form) in [
            (
                "users/role",
                vec![("user_id", other_admin.as_str()), ("role_id", "1")],
            ),
            (
                "users/role",
                vec![
                    ("user_id", harbour_agent.as_str()),
                    ("role_id", other_role.as_str()),
                ],
            ),
            (
                "users/active",
                vec![("user_id", other_admin.as_str()), ("active", "false")],
            ),
            (
                "users/invite",
                vec![
                    ("name", "Spy"),
                    ("email", "spy@example.com"),
                    ("role_id", other_role.as_str()),
                ],
            ),
            (
                "users/role_permission",
                vec![
                    ("role_id", other_role.as_str()),
                    ("permission", "InstructWork"),
                    ("allowed", "true"),
                ],
            ),
        ] {
            let (status, body) = call(&admin, &base, endpoint, &form).await;
            assert_eq!(status, 404, "{endpoint} {form:?}: {body}");
        }
        // Other Estates' administrator with Harbour's ids.
        let boss = browser();
        sign_in(&boss, &base, "boss@other.example").await;
        let (status, _) = call(
            &boss,
            &base,
            "users/active",
            &[("user_id", &harbour_agent), ("active", "false")],
        )
        .await;
        assert_eq!(status, 404);
        let (_, list) = call(&boss, &base, "users/list", &[]).await;
        assert!(list["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["email"] == "boss@other.example"));

        // The wrong kind of person for each function.
        let agent = browser();
        sign_in(&agent, &base, AGENT).await;
        let office = browser();
        sign_in(&office, &base, OFFICE).await;
        let settings = [
            ("settings[name]", "Taken Over"),
            ("settings[time_zone]", "Europe/London"),
            ("settings[date_format]", "DD/MM/YYYY"),
            ("settings[expiring_soon_days]", "30"),
            ("settings[daily_reminder_hour]", "7"),
            ("settings[chase_office_days]", "0"),
            ("settings[chase_office_users_days]", "7"),
            ("settings[chase_agency_days]", "14"),
        ];
        assert_eq!(
            call(&agent, &base, "agency/update_settings", &settings)
                .await
                .0,
            403
        );
        for (client, endpoint) in [
            (&agent, "users/list"),
            (&office, "users/list"),
            (&agent, "tech/tasks"),
            (&office, "tech/tasks"),
            (&office, "agency/settings"),
            (&office, "contractors/list"),
            (&office, "compliance/summary"),
            (&office, "compliance/matrix"),
            (&agent, "desk/certification"),
            (&agent, "desk/outstanding_certificates"),
            (&office, "tasks/instruct_choices"),
            (&office, "certificate_types/list"),
            (&office, "properties/list"),
            (&agent, "team/list"),
            (&agent, "preferences/load"),
        ] {
            assert_eq!(
                call(client, &base, endpoint, &[]).await.0,
                403,
                "{endpoint}"
            );
        }
        assert_eq!(call(&office, &base, "tasks/list", &[]).await.0, 200);
        assert_eq!(call(&agent, &base, "tasks/list", &[]).await.0, 200);
        // Assigning technicians: the office only, its own tasks and technicians only.
        let brightspark_task: i64 = sqlx::query_scalar(
            "SELECT MIN(t.id) FROM tasks t JOIN contractors c ON c.id = t.contractor_id \
             WHERE c.company_name = 'Brightspark Electrical Ltd' AND t.status = 'assigned'",
        )
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        let brightspark_task = brightspark_task.to_string();
        let tom = user_id(&cx.db, "tom.baker@brightspark.example")
            .await
            .to_string();
        let nina = user_id(&cx.db, "nina.kowalski@northgate-gas.example")
            .await
            .to_string();
        let assign = |technician: &str| {
            let request = [
                ("request[task_ids][0]", brightspark_task.clone()),
                ("request[technician_ids][0]", technician.to_string()),
            ];
            let (office, agent, base) = (office.clone(), agent.clone(), base.clone());
            async move {
                let form: Vec<(&str, &str)> =
                    request.iter().map(|(k, v)| (*k, v.as_str())).collect();
                (
                    call(&office, &base, "tasks/assign", &form).await,
                    call(&agent, &base, "tasks/assign", &form).await.0,
                )
            }
        };
        let ((status, _), by_agent) = assign(&nina).await;
        assert_eq!(
            (status, by_agent),
            (404, 403),
            "another contractor's technician"
        );
        let ((status, summary), _) = assign(&tom).await;
        assert_eq!(status, 200, "{summary}");
        assert_eq!(summary["new_assignments"], 1);
        assert_eq!(summary["emails"], 1);
        // Certification: the office may read its own company only and never validate.
        let northgate: i64 = sqlx::query_scalar(
            "SELECT id FROM contractors WHERE company_name = 'Northgate Gas & Heating'",
        )
        .fetch_one(cx.db.pool())
        .await
        .unwrap();
        let northgate = northgate.to_string();
        let (status, _) = call(
            &office,
            &base,
            "contractors/certification",
            &[("contractor_id", &northgate)],
        )
        .await;
        assert_eq!(status, 404);
        let (status, _) = call(
            &office,
            &base,
            "contractors/validate_document",
            &[("document_id", "1")],
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = call(
            &boss,
            &base,
            "contractors/certification",
            &[("contractor_id", &northgate)],
        )
        .await;
        assert_eq!(status, 404, "another agency's contractor");
    }
);

db_test!(cross_site_posts_to_server_functions_are_refused, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let client = browser();
    sign_in(&client, &base, ADMIN).await;
    let id = user_id(&cx.db, AGENT).await.to_string();
    let forged = client
        .post(format!("{base}/rpc/users/active"))
        .header("origin", "https://evil.example")
        .form(&[("user_id", id.as_str()), ("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let sign_in_forged = client
        .post(format!("{base}/rpc/sign_in"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("email", ADMIN),
            ("password", app::services::demo::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in_forged.status(), 403);
    assert!(app::services::auth::load_actor(&cx, id.parse().unwrap())
        .await
        .unwrap()
        .is_some());
});

db_test!(the_development_mailbox_exists_only_in_demo_mode, |cx| {
    seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let (status, mail) = call(&browser(), &base, "dev/mailbox", &[]).await;
    assert_eq!(status, 200);
    assert!(mail.as_array().unwrap().is_empty());
});

db_test!(
    made_up_links_store_no_session_and_real_ones_a_short_one,
    |cx| {
        seeded(&cx.db).await;
        let base = start(cx.db.clone()).await;
        let sessions = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions")
                .fetch_one(cx.db.pool())
                .await
                .unwrap()
        };
        let before = sessions().await;
        // A flood of made-up tokens, in parallel, from clients without cookies.
        let requests = (0..40).map(|i| {
            let base = base.clone();
            tokio::spawn(async move {
                let path = if i % 2 == 0 { "link" } else { "reset" };
                let r = browser()
                    .get(format!("{base}/auth/{path}/made-up-token-{i}"))
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.headers().get("set-cookie").is_some())
            })
        });
        for request in requests.collect::<Vec<_>>() {
            let (status, cookie) = request.await.unwrap();
            assert_eq!(status, 303, "still sent to the page that explains");
            assert!(!cookie, "no session for a made-up link");
        }
        assert_eq!(sessions().await, before, "no session row was stored");

        // A real link keeps its token in a session that lives half an hour, not twelve.
        let tech = technician(&cx.db).await;
        let client = browser();
        call(
            &client,
            &base,
            "request_email_link",
            &[("email", &tech), ("purpose", "SignIn")],
        )
        .await;
        let link = emailed_link(&cx.db, &tech).await;
        let path = link.trim_start_matches("http://127.0.0.1:3000");
        let opened = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(opened.status(), 303);
        assert!(opened.headers().get("set-cookie").is_some());
        let expires: i64 = sqlx::query_scalar("SELECT MAX(expires_at) FROM sessions")
            .fetch_one(cx.db.pool())
            .await
            .unwrap();
        let left = expires - now_ms();
        assert!(
            left > 25 * 60_000 && left <= 30 * 60_000 + 5_000,
            "{} minutes",
            left / 60_000
        );
        // And it still signs in.
        let (status, body) = call(&client, &base, "confirm_sign_in_link", &[]).await;
        assert_eq!(status, 200, "{body}");
    }
);
