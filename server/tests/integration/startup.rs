//! Start-up failures give one clear line naming the setting, and an exit code; never a panic.

use std::process::Command;

struct Run {
    code: Option<i32>,
    stderr: String,
    stdout: String,
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_certidesk"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SITE_ROOT", site.path())
        .env("DATA_DIR", data.path())
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .current_dir(data.path());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

fn assert_one_error_line(run: &Run, setting: &str) {
    assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("error: {setting}:")),
        "the line should name {setting}: {}",
        lines[0]
    );
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn unreachable_database_is_one_line() {
    let run = run(
        &["serve"],
        &[("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none")],
    );
    assert_one_error_line(&run, "DATABASE_URL");
    assert!(
        !run.stderr.contains("secret"),
        "the password is never printed"
    );
}

#[test]
fn unusable_sqlite_path_is_one_line() {
    let run = run(&["serve"], &[("DATABASE_URL", "sqlite:///dev/null/app.db")]);
    assert_one_error_line(&run, "DATABASE_URL");
}

#[test]
fn unsupported_database_is_one_line() {
    let run = run(&["serve"], &[("DATABASE_URL", "mysql://localhost/db")]);
    assert_one_error_line(&run, "DATABASE_URL");
}

#[test]
fn unwritable_data_folder_is_one_line() {
    let run = run(&["serve"], &[("DATA_DIR", "/dev/null/files")]);
    assert_one_error_line(&run, "DATA_DIR");
}

#[test]
fn bad_listen_address_is_one_line() {
    let run = run(&["serve"], &[("LISTEN_ADDR", "localhost")]);
    assert_one_error_line(&run, "LISTEN_ADDR");
}

#[test]
fn migrate_then_seed_then_seed_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    let migrate = run(&["migrate"], &[("DATABASE_URL", &url)]);
    assert_eq!(migrate.code, Some(0), "{}", migrate.stderr);
    let seed = run(&["seed"], &[("DATABASE_URL", &url)]);
    assert_eq!(seed.code, Some(0), "{}", seed.stderr);
    assert!(seed.stdout.contains("Demo data loaded: Harbour Lettings"));
    assert!(seed.stdout.contains("alex.morgan@harbour-lettings.example"));
    let again = run(&["seed"], &[("DATABASE_URL", &url)]);
    assert_eq!(again.code, Some(0));
    assert!(again.stdout.contains("already has data"));
}

#[test]
fn unknown_command_is_explained() {
    let run = run(&["frobnicate"], &[]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("unknown command \"frobnicate\""));
    assert!(run.stderr.contains("usage: certidesk"));
}

/// The server binary alone in a folder with `hash_files` beside it, started on a site whose
/// client files are named by content.
fn serve_content_named_site(hash_files: &[&str]) -> Run {
    let bin = tempfile::tempdir().unwrap();
    let copy = bin.path().join("certidesk");
    if std::fs::hard_link(env!("CARGO_BIN_EXE_certidesk"), &copy).is_err() {
        std::fs::copy(env!("CARGO_BIN_EXE_certidesk"), &copy).unwrap();
    }
    for name in hash_files {
        std::fs::write(bin.path().join(name), "js: J5sF-Hc0DN_LTXLGTa8e7w\n").unwrap();
    }
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    std::fs::write(
        site.path().join("pkg/certidesk.J5sF-Hc0DN_LTXLGTa8e7w.js"),
        "",
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(&copy)
        .arg("serve")
        .env_clear()
        .env("SITE_ROOT", site.path())
        .env("DATA_DIR", data.path())
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .current_dir(data.path())
        .output()
        .unwrap();
    Run {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

#[test]
fn content_named_site_without_its_hash_file_is_one_line() {
    // As a deploy that forgot hash.txt would leave it.
    let run = serve_content_named_site(&[]);
    assert_one_error_line(&run, "SITE_ROOT");
    assert!(run.stderr.contains("hash.txt"), "{}", run.stderr);
}

#[test]
fn content_named_site_without_the_islands_clients_hash_file_is_one_line() {
    // hash.txt shipped, tech-hash.txt forgotten: the Tech view would load no client.
    let run = serve_content_named_site(&["hash.txt"]);
    assert_one_error_line(&run, "SITE_ROOT");
    assert!(run.stderr.contains("tech-hash.txt"), "{}", run.stderr);
}
