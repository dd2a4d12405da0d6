//! The Certidesk server binary: `serve` (default), `migrate`, `seed`.

use certidesk::config::Config;
use certidesk::startup;
use std::process::ExitCode;

const USAGE: &str = "\
usage: certidesk [COMMAND]

commands:
  serve     migrate the database, then serve the app (the default)
  migrate   bring the database schema up to date and exit
  seed      load the demo data into an empty database and exit
  import-certifications --agency ID [--as EMAIL] FILE [--dry-run]
            import contractor certification from a .csv or .xlsx file; prints JSON
  help      show this text

Settings come from the environment (or a CONFIG_FILE of NAME=value lines):
  DATABASE_URL  sqlite://data/app.db (default) or postgres://user:pass@host/db
  LISTEN_ADDR   127.0.0.1:3000
  PUBLIC_URL    the address people use, e.g. https://certs.example.com
  DATA_DIR      folder for uploaded files (default: data)
  SITE_ROOT     folder of the built site (default: target/site)
  SMTP_URL      smtp://user:pass@host:587 to send mail; unset keeps mail in the dev mailbox
  DEMO_MODE     true to load demo data on first start
  RUST_LOG      log filter, e.g. info or certidesk=debug
";

// mimalloc, not glibc's malloc: rendering a page is many small allocations, and glibc's malloc
// and free were a fifth of a dashboard request's CPU (perf); bench/page_cost.sh: 10-20 % less CPU
// a page.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if matches!(command.as_str(), "help" | "--help" | "-h") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if command == "read-pdf" {
        // The child process that reads an uploaded certificate's text: no runtime, no
        // settings, its own limits (see app::files::certificate_text).
        app::files::certificate_text::child_main(
            app::domain::files::MAX_CERTIFICATE_BYTES,
            app::files::certificate_text::CPU_SECONDS,
        );
    }
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run(command)),
        Err(e) => {
            eprintln!("error: could not start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: String) -> ExitCode {
    startup::init_tracing();

    let result = async {
        let config = Config::load().map_err(|e| e.to_string())?;
        match command.as_str() {
            "serve" => startup::serve(config).await,
            "migrate" => startup::migrate(config).await,
            "seed" => startup::seed(config).await,
            "import-certifications" => {
                let args: Vec<String> = std::env::args().skip(2).collect();
                certidesk::import_command::run(config, &args).await
            }
            other => Err(format!("unknown command \"{other}\"\n\n{USAGE}")),
        }
    }
    .await;

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
