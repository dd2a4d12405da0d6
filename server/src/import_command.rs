//! `certidesk import-certifications --agency ID [--as EMAIL] FILE [--dry-run]`: the agency's
//! import from the command line, for operators. Prints the row outcomes (dry run) or the result
//! as JSON. Runs as one of the agency's agents who manage certification, so the history says who.

use crate::config::Config;
use crate::startup::{file_store, open_database};
use app::services::{auth, import, Context};

pub const USAGE: &str = "import-certifications --agency ID [--as EMAIL] FILE [--dry-run]";

struct Arguments {
    agency_id: i64,
    agent: Option<String>,
    file: String,
    dry_run: bool,
}

fn parse(args: &[String]) -> Result<Arguments, String> {
    let mut agency_id = None;
    let mut agent = None;
    let mut file = None;
    let mut dry_run = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--agency" => {
                let value = rest.next().ok_or("--agency needs the agency's id")?;
                agency_id = Some(
                    value
                        .parse()
                        .map_err(|_| format!("--agency: \"{value}\" is not an id"))?,
                );
            }
            "--as" => agent = Some(rest.next().ok_or("--as needs an agent's email")?.clone()),
            "--dry-run" => dry_run = true,
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => file = Some(other.to_string()),
        }
    }
    Ok(Arguments {
        agency_id: agency_id.ok_or("--agency is required")?,
        agent,
        file: file.ok_or("the file to import is required")?,
        dry_run,
    })
}

pub async fn run(config: Config, args: &[String]) -> Result<(), String> {
    let args = parse(args).map_err(|e| format!("{e}\nusage: certidesk {USAGE}"))?;
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{}: {e}", args.file))?;
    let db = open_database(&config).await?;
    let cx = Context::new(db.clone(), file_store(&config)?, &config.public_url);
    let user_id: Option<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id WHERE u.agency_id = $1 \
         AND u.kind = 'agent' AND u.active = 1 AND r.can_manage_certification = 1 \
         AND ($2 = '' OR lower(u.email) = lower($2)) ORDER BY u.id LIMIT 1",
    )
    .bind(args.agency_id)
    .bind(args.agent.clone().unwrap_or_default())
    .fetch_optional(db.pool())
    .await
    .map_err(|e| e.to_string())?;
    let user_id = user_id.ok_or_else(|| {
        format!(
            "agency {} has no active agent{} who manages certification",
            args.agency_id,
            args.agent
                .as_deref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default()
        )
    })?;
    let actor = auth::load_actor(&cx, user_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the agent's account is not usable")?;
    let output = if args.dry_run {
        serde_json::to_string_pretty(
            &import::preview(&cx, &actor, &bytes)
                .await
                .map_err(|e| e.to_string())?,
        )
    } else {
        serde_json::to_string_pretty(
            &import::commit(&cx, &actor, &bytes, false, auth::now())
                .await
                .map_err(|e| e.to_string())?,
        )
    };
    println!("{}", output.map_err(|e| e.to_string())?);
    db.close().await;
    Ok(())
}
