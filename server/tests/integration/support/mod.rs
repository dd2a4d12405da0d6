//! A real server on a real socket for HTTP tests, and a browser-like client.
#![allow(dead_code)]

use app::db::Db;
use app::services::Context;
use certidesk::config::Config;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub mod receiver;
pub mod smtp;

pub async fn start(db: Db) -> String {
    start_with(db, true, &[]).await
}

/// As [`start`], in or out of demo mode and with more settings (`PUBLIC_URL`, say).
pub async fn start_with(db: Db, demo: bool, settings: &[(&str, &str)]) -> String {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("info,sqlx=warn"))
        .with_test_writer()
        .try_init();
    let config = Config::from_lookup(|name| {
        let setting = settings
            .iter()
            .find(|(setting, _)| *setting == name)
            .map(|(_, value)| value.to_string());
        match name {
            "SITE_ROOT" => setting.or_else(|| Some(std::env::temp_dir().display().to_string())),
            "DEMO_MODE" => setting.or_else(|| Some(demo.to_string())),
            _ => setting,
        }
    })
    .unwrap();
    let context = Context::new(
        db,
        app::files::FileStore::local(
            std::env::temp_dir().join(format!("certidesk-files-{}", std::process::id())),
        ),
        &config.public_url,
    )
    .with_internal_webhooks(config.webhooks_allow_internal);
    let app = certidesk::router::build(&config, context);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

/// Keeps cookies like a browser, but shows redirects instead of following them.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Calls a server function as the app's own page does: a same-origin form POST.
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let response = client
        .post(format!("{base}/rpc/{endpoint}"))
        .header("origin", base)
        .header("sec-fetch-site", "same-origin")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, json)
}

/// Posts a multipart form as the page's script does: the status, and the JSON answer (null when
/// the answer is not JSON).
pub async fn post_form(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    form: reqwest::multipart::Form,
) -> (u16, serde_json::Value) {
    let response = client
        .post(format!("{base}{path}"))
        .header("origin", base)
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// The link in the newest email to `to` (the outbox, as the mail worker would send it).
pub async fn emailed_link(db: &Db, to: &str) -> String {
    app::db::outbox::latest(db.pool(), 50)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.to_address == to)
        .and_then(|m| {
            m.body_text
                .split_whitespace()
                .find(|w| w.contains("/auth/"))
                .map(str::to_string)
        })
        .expect("an emailed link")
}

/// The one number a query answers (a `COUNT(*)`, an id).
pub async fn number(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

pub async fn seeded(db: &Db) {
    app::services::demo::seed_if_empty(db, chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .await
        .unwrap()
        .expect("demo data loads");
}

pub async fn sign_in(client: &reqwest::Client, base: &str, email: &str) {
    let (status, body) = call(
        client,
        base,
        "sign_in",
        &[
            ("email", email),
            ("password", app::services::demo::DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 200, "sign in as {email}: {body}");
}

/// The real binary, serving on a free port with demo data: the process and its address.
pub fn run_server(
    dir: &std::path::Path,
    database: &str,
    smtp: Option<&str>,
) -> (std::process::Child, String) {
    let port = free_ports(1)[0];
    run_server_on(dir, database, smtp, port)
}

/// `n` distinct free ports: all are held open together while chosen, so none repeats.
pub fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

/// The server on `port`; what it logs goes to `server-{port}.log` in `dir`, for a failing test
/// to show.
pub fn run_server_on(
    dir: &std::path::Path,
    database: &str,
    smtp: Option<&str>,
    port: u16,
) -> (std::process::Child, String) {
    run_server_with(dir, database, smtp, port, &[])
}

/// As [`run_server_on`], with more settings (object storage, say).
pub fn run_server_with(
    dir: &std::path::Path,
    database: &str,
    smtp: Option<&str>,
    port: u16,
    settings: &[(&str, String)],
) -> (std::process::Child, String) {
    let log = std::fs::File::create(dir.join(format!("server-{port}.log"))).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_certidesk"));
    command
        .arg("serve")
        .env("SITE_ROOT", dir)
        .env("DATA_DIR", dir)
        .env("DATABASE_URL", database)
        .env("DEMO_MODE", "true")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("SMTP_URL")
        .stdout(std::process::Stdio::null())
        .stderr(log);
    if let Some(url) = smtp {
        command.env("SMTP_URL", url);
    }
    for (name, value) in settings {
        command.env(name, value);
    }
    (command.spawn().unwrap(), format!("http://127.0.0.1:{port}"))
}

/// The log a server started by [`run_server_on`] wrote, for an assertion message.
pub fn server_log(dir: &std::path::Path, base: &str) -> String {
    let port = base.rsplit(':').next().unwrap_or("");
    std::fs::read_to_string(dir.join(format!("server-{port}.log"))).unwrap_or_default()
}

pub async fn wait_until_up(base: &str) {
    let started = Instant::now();
    while reqwest::get(format!("{base}/readyz"))
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn wait_for(done: impl Fn() -> bool, what: &str) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "waited too long for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
