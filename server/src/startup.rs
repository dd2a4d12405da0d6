//! Start-up: check the data folder and the database, migrate, seed the demo, serve until stopped.
//! Every failure comes back as one line that names the setting to fix.

use crate::config::Config;
use crate::mailer::{self, Mailer};
use crate::router;
use crate::webhook_sender::WebhookSender;
use app::db::Db;
use app::services::demo::{self, DemoSummary};
use app::services::Context;
use std::path::Path;
use tracing_subscriber::EnvFilter;

pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        builder.json().init();
    } else {
        builder.compact().init();
    }
}

fn check_data_dir(dir: &Path) -> Result<(), String> {
    let fail = |e: std::io::Error| {
        format!(
            "DATA_DIR: the folder {} cannot be written: {e}",
            dir.display()
        )
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    // Named per process: instances sharing the folder start at the same time.
    let probe = dir.join(format!(".write-check-{}", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(fail)?;
    std::fs::remove_file(&probe).map_err(fail)?;
    Ok(())
}

pub(crate) async fn open_database(config: &Config) -> Result<Db, String> {
    let db = Db::connect_with(&config.database_url, config.sqlite_sync)
        .await
        .map_err(|e| {
            format!(
                "DATABASE_URL: cannot open the database at {}: {e}",
                config.database_url_for_display()
            )
        })?;
    db.migrate().await.map_err(|e| {
        format!(
            "DATABASE_URL: cannot migrate the database at {}: {e}",
            config.database_url_for_display()
        )
    })?;
    Ok(db)
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

fn print_demo(summary: &DemoSummary, config: &Config) {
    println!("\nDemo data loaded: {}", summary.agency);
    println!(
        "  {} contractors, {} properties, {} tasks",
        summary.contractors, summary.properties, summary.tasks
    );
    println!("  Agents:");
    for (who, email) in &summary.agents {
        println!("    {email:<42} {who}");
    }
    println!("  Contractor office users:");
    for (who, email) in &summary.office_users {
        println!("    {email:<42} {who}");
    }
    println!("  Technicians (no password: ask for a sign-in link, then open it from the mailbox):");
    for (who, email) in &summary.technicians {
        println!("    {email:<42} {who}");
    }
    println!(
        "  Password of agents and office users: {}",
        demo::DEMO_PASSWORD
    );
    println!(
        "  Development mailbox (emails are not sent in the demo): {}/dev/mailbox",
        config.public_url
    );
    println!("Open {}\n", config.public_url);
}

pub async fn migrate(config: Config) -> Result<(), String> {
    let db = open_database(&config).await?;
    println!(
        "database at {} is up to date",
        config.database_url_for_display()
    );
    db.close().await;
    Ok(())
}

pub async fn seed(config: Config) -> Result<(), String> {
    let db = open_database(&config).await?;
    match demo::seed_if_empty(&db, today())
        .await
        .map_err(|e| e.to_string())?
    {
        Some(summary) => print_demo(&summary, &config),
        None => println!("the database already has data: demo data not loaded"),
    }
    db.close().await;
    Ok(())
}

/// The configured file store, as configured (nothing written yet).
pub(crate) fn file_store(config: &Config) -> Result<app::files::FileStore, String> {
    match &config.object_storage {
        None => Ok(app::files::FileStore::local(config.data_dir.join("files"))),
        Some(settings) => app::files::FileStore::object_storage(settings.clone())
            .map_err(|e| format!("S3_ENDPOINT: {e}")),
    }
}

/// The configured file store, checked by writing and removing a small object so that a wrong
/// bucket or key stops the start with a message instead of failing the first upload.
async fn checked_file_store(config: &Config) -> Result<app::files::FileStore, String> {
    let store = file_store(config)?;
    let Some(settings) = &config.object_storage else {
        return Ok(store);
    };
    let key = store
        .put("startup-check", 0, "txt", b"certidesk")
        .await
        .map_err(|e| format!("S3_BUCKET: cannot write to bucket {}: {e}", settings.bucket))?;
    store.delete(&key).await.map_err(|e| {
        format!(
            "S3_BUCKET: cannot delete from bucket {}: {e}",
            settings.bucket
        )
    })?;
    tracing::info!(bucket = %settings.bucket, endpoint = %settings.endpoint, "files in object storage");
    Ok(store)
}

/// Uploaded certificates are read by this same binary run as `certidesk read-pdf`.
fn use_pdf_reader() -> Result<(), String> {
    let program = std::env::current_exe()
        .map_err(|e| format!("cannot find this program's own path to read PDFs with: {e}"))?;
    app::files::certificate_text::use_reader(app::files::certificate_text::TextReader {
        program,
        args: vec!["read-pdf".into()],
        deadline: app::files::certificate_text::DEADLINE,
    });
    Ok(())
}

pub async fn serve(config: Config) -> Result<(), String> {
    let shutdown = shutdown_signal()?;
    check_data_dir(&config.data_dir)?;
    if !config.site_root.join("pkg").is_dir() {
        return Err(format!(
            "SITE_ROOT: {} has no built site (pkg/ is missing); build it with `cargo leptos build --release`",
            config.site_root.display()
        ));
    }
    if let Some(missing) = crate::assets::hash_file_missing(&config.site_root) {
        return Err(format!(
            "SITE_ROOT: {} was built with content-named files, but {missing} is not beside this binary; ship the hash files the build wrote next to it",
            config.site_root.display()
        ));
    }
    let db = open_database(&config).await?;
    use_pdf_reader()?;
    if config.demo {
        if let Some(summary) = demo::seed_if_empty(&db, today())
            .await
            .map_err(|e| e.to_string())?
        {
            print_demo(&summary, &config);
        }
    }

    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .map_err(|e| format!("LISTEN_ADDR: cannot listen on {}: {e}", config.listen_addr))?;
    let context = Context::new(
        db.clone(),
        checked_file_store(&config).await?,
        &config.public_url,
    )
    .with_internal_webhooks(config.webhooks_allow_internal);
    if config.demo {
        demo::attach_files(&context)
            .await
            .map_err(|e| format!("demo data: the certificates' files could not be stored: {e}"))?;
    }
    let app = router::build(&config, context.clone());
    let mailer = match &config.smtp_url {
        Some(url) => Some(Mailer::from_url(url, config.mail_from.clone())?),
        None => {
            tracing::warn!(
                "SMTP_URL is not set: emails wait in the outbox{}",
                if config.demo {
                    " and show in the development mailbox at /dev/mailbox"
                } else {
                    ""
                }
            );
            None
        }
    };
    let (stop_worker, worker_stop) = tokio::sync::watch::channel(false);
    let webhooks = WebhookSender::new(config.webhooks_allow_internal)?;
    let worker = mailer::spawn_worker(context.clone(), mailer, webhooks, worker_stop);

    tracing::info!(
        "serving on http://{} ({} database{})",
        config.listen_addr,
        db.backend().name(),
        if config.demo { ", demo mode" } else { "" }
    );
    println!("Certidesk is running at {}", config.public_url);
    crate::serve::serve(listener, app, shutdown)
        .await
        .map_err(|e| format!("server stopped: {e}"))?;
    let _ = stop_worker.send(true);
    let _ = worker.await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Ctrl-C or SIGTERM: stop accepting, finish requests in flight, then exit. The handlers are
/// registered when this is called, before the server listens: a signal that arrives while it
/// starts (generating the route list takes a moment) still stops it cleanly, instead of killing
/// it with the signal's default action.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let register =
            |kind: SignalKind| signal(kind).map_err(|e| format!("cannot handle signals: {e}"));
        let mut terminate = register(SignalKind::terminate())?;
        let mut interrupt = register(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
            tracing::info!("shutting down");
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}
