//! The HTTP surface of a real server on a real socket, on both databases.

use crate::support::start;
use app::db_test;

db_test!(health_and_readiness_answer, |cx| {
    let base = start(cx.db.clone()).await;
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);

    // With the database gone, the process is alive but not ready.
    cx.db.close().await;
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 503);
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
});

db_test!(pages_render_on_the_server, |cx| {
    crate::support::seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let client = crate::support::browser();
    let mut nonces = std::collections::HashSet::new();
    let pages = [
        ("/", "Compliant contractors, work that moves"),
        ("/sign-in", "Email me a sign-in link"),
        ("/sign-in/email", "The link works once"),
        ("/forgot-password", "choose a new one"),
        ("/agent", "Contractor certification compliance"),
        ("/agent/contractors", "Contractors"),
        ("/agent/certification", "Contractor certification"),
        ("/admin/users", "Invite a colleague"),
        ("/account", "Sign out everywhere"),
    ];
    for (path, heading) in pages {
        if path == "/agent" {
            crate::support::sign_in(&client, &base, "alex.morgan@harbour-lettings.example").await;
        }
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        let csp = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = response.text().await.unwrap();
        assert!(html.contains(heading), "{path} should show {heading:?}");
        assert!(
            html.contains("/pkg/certidesk.js"),
            "{path} should load the hydration script"
        );
        // The page's scripts carry the nonce its policy names.
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("the page policy names a nonce");
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path} scripts should carry the nonce"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        nonces.insert(nonce.to_string());
    }
    assert_eq!(nonces.len(), pages.len(), "each response has its own nonce");
});

db_test!(unknown_pages_are_404_with_a_way_back, |cx| {
    let base = start(cx.db.clone()).await;
    let response = reqwest::get(format!("{base}/no/such/page")).await.unwrap();
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
    assert!(html.contains("Go to the start page"));
});

db_test!(responses_are_compressed_when_asked, |cx| {
    let base = start(cx.db.clone()).await;
    let response = reqwest::Client::new()
        .get(format!("{base}/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
});

db_test!(oversized_bodies_are_refused, |cx| {
    let base = start(cx.db.clone()).await;
    let body = vec![b'x'; 33 * 1024 * 1024];
    let response = reqwest::Client::new()
        .post(format!("{base}/rpc/anything"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
});

db_test!(cross_site_state_changes_are_refused, |cx| {
    let base = start(cx.db.clone()).await;
    let client = reqwest::Client::new();
    let cross_site = client
        .post(format!("{base}/rpc/anything"))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    assert!(cross_site.text().await.unwrap().contains("another site"));

    // The same request from the app's own pages goes through to routing (404: no such function).
    let host = base.trim_start_matches("http://").to_string();
    let same_site = client
        .post(format!("{base}/rpc/anything"))
        .header("origin", base.clone())
        .header("sec-fetch-site", "same-origin")
        .header("host", host)
        .send()
        .await
        .unwrap();
    assert_ne!(same_site.status(), 403);
});

db_test!(client_mistakes_get_a_4xx_with_a_plain_message, |cx| {
    crate::support::seeded(&cx.db).await;
    let base = start(cx.db.clone()).await;
    let client = crate::support::browser();
    // An argument of the wrong shape: the decoder's words name internal types.
    let (status, body) = crate::support::call(
        &client,
        &base,
        "request_email_link",
        &[("email", "a@example.com"), ("purpose", "Hack")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let text = body.to_string();
    assert!(text.contains("could not be read"), "{text}");
    assert!(!text.contains("variant"), "{text}");
    // A body larger than a server function takes.
    let big = "x".repeat(5 * 1024 * 1024);
    let (status, body) = crate::support::call(
        &client,
        &base,
        "sign_in",
        &[("email", "a@example.com"), ("password", big.as_str())],
    )
    .await;
    assert_eq!(status, 413, "{body}");
    assert!(body.to_string().contains("larger than the server takes"));
    // Server functions' answers are never stored by a browser or proxy.
    let r = client
        .post(format!("{base}/rpc/viewer"))
        .header("origin", &base)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
});

db_test!(
    the_development_mailbox_is_not_found_outside_demo_mode,
    |cx| {
        crate::support::seeded(&cx.db).await;
        let base = crate::support::start_with(cx.db.clone(), false, &[]).await;
        let client = crate::support::browser();
        let (status, _) = crate::support::call(&client, &base, "dev/mailbox", &[]).await;
        assert_eq!(status, 404);
        let page = client
            .get(format!("{base}/dev/mailbox"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404);
        assert!(
            page.headers().get("strict-transport-security").is_none(),
            "plain http"
        );
    }
);

db_test!(
    an_https_public_address_gets_strict_transport_security,
    |cx| {
        let base = crate::support::start_with(
            cx.db.clone(),
            true,
            &[("PUBLIC_URL", "https://certs.example.com")],
        )
        .await;
        let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
        // Plain http of the same host does not pass as the public origin.
        let r = reqwest::Client::new()
            .post(format!("{base}/rpc/sign_out"))
            .header("origin", "http://certs.example.com")
            .header("host", "certs.example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
);
