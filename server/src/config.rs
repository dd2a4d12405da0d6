//! Configuration from environment variables, with an optional file of `NAME=value` lines
//! (`CONFIG_FILE`, or `certidesk.env` in the working folder). The environment wins over the file.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub database_url: String,
    pub listen_addr: SocketAddr,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    pub smtp_url: Option<String>,
    /// The sender of every email.
    pub mail_from: lettre::message::Mailbox,
    pub demo: bool,
    /// Files in S3-compatible object storage (`S3_BUCKET` set); the `files` folder under
    /// `data_dir` otherwise.
    pub object_storage: Option<app::files::s3::S3Settings>,
    /// Reverse proxies whose `X-Forwarded-For` tells the client's address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How SQLite makes commits durable (`SQLITE_SYNCHRONOUS`).
    pub sqlite_sync: app::db::SqliteSync,
    /// Requests one API key may make per minute, across every instance
    /// (`API_REQUESTS_PER_MINUTE`).
    pub api_requests_per_minute: i64,
    /// Whether webhook endpoints may be on this machine or a private network
    /// (`WEBHOOKS_ALLOW_INTERNAL`); off unless set, so an endpoint cannot reach inside.
    pub webhooks_allow_internal: bool,
}

/// A setting that cannot be used, named so the operator knows what to fix.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    pub setting: &'static str,
    pub reason: String,
}

fn invalid(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

impl Config {
    /// Reads and checks every setting; `get` looks a name up (the environment in production).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };

        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("app.db").display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres:")
            || database_url.starts_with("postgresql:"))
        {
            return Err(invalid(
                "DATABASE_URL",
                "must start with sqlite: (for example sqlite://data/app.db) or postgres://",
            ));
        }

        let listen_text = get("LISTEN_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let listen_addr: SocketAddr = listen_text.parse().map_err(|_| {
            invalid(
                "LISTEN_ADDR",
                format!("\"{listen_text}\" is not an address and port such as 127.0.0.1:3000"),
            )
        })?;

        let public_url = get("PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{listen_addr}"))
            .trim_end_matches('/')
            .to_string();
        let rest = public_url
            .strip_prefix("https://")
            .or_else(|| public_url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {}
            _ => {
                return Err(invalid(
                    "PUBLIC_URL",
                    format!("\"{public_url}\" must be an http:// or https:// address such as https://certs.example.com"),
                ))
            }
        }

        let smtp_url = get("SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(invalid(
                    "SMTP_URL",
                    "must start with smtp:// or smtps:// (for example smtp://user:pass@mail.example.com:587)",
                ));
            }
        }

        let from_text = get("MAIL_FROM").unwrap_or_else(|| "Certidesk <no-reply@localhost>".into());
        let mail_from = from_text.parse().map_err(|_| {
            invalid(
                "MAIL_FROM",
                format!("\"{from_text}\" is not an address such as Certidesk <no-reply@certs.example.com>"),
            )
        })?;

        let demo = match get("DEMO_MODE")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("false") | Some("0") | Some("no") | Some("off") => false,
            Some("true") | Some("1") | Some("yes") | Some("on") => true,
            Some(other) => {
                return Err(invalid(
                    "DEMO_MODE",
                    format!("\"{other}\" is not true or false"),
                ))
            }
        };

        let sqlite_sync = match get("SQLITE_SYNCHRONOUS")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("full") => app::db::SqliteSync::Full,
            Some("normal") => app::db::SqliteSync::Normal,
            Some(other) => {
                return Err(invalid(
                    "SQLITE_SYNCHRONOUS",
                    format!("\"{other}\" is not full or normal"),
                ))
            }
        };

        let site_root = PathBuf::from(
            get("SITE_ROOT")
                .or_else(|| get("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".into()),
        );

        let object_storage = match get("S3_BUCKET") {
            None => None,
            Some(bucket) => {
                let region = get("S3_REGION").unwrap_or_else(|| "us-east-1".into());
                let endpoint = get("S3_ENDPOINT")
                    .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
                if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
                    return Err(invalid(
                        "S3_ENDPOINT",
                        format!("\"{endpoint}\" must be an http:// or https:// address such as https://s3.eu-west-2.amazonaws.com"),
                    ));
                }
                let key = |name: &'static str, fallback: &str| {
                    get(name).or_else(|| get(fallback)).ok_or_else(|| {
                        invalid(
                            name,
                            format!("is needed when S3_BUCKET is set (or {fallback})"),
                        )
                    })
                };
                Some(app::files::s3::S3Settings {
                    endpoint,
                    bucket,
                    region,
                    access_key_id: key("S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID")?,
                    secret_access_key: key("S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")?,
                })
            }
        };

        let trusted_proxies = get("TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse().map_err(|_| {
                    invalid(
                        "TRUSTED_PROXIES",
                        format!("\"{a}\" is not an IP address; list the proxies' addresses, comma-separated, such as 127.0.0.1,10.0.0.5"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let api_requests_per_minute = match get("API_REQUESTS_PER_MINUTE") {
            None => app::domain::api_keys::REQUESTS_PER_MINUTE,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "API_REQUESTS_PER_MINUTE",
                        format!("\"{text}\" is not a number of requests from 1 to 1000000"),
                    )
                })?,
        };

        let webhooks_allow_internal = match get("WEBHOOKS_ALLOW_INTERNAL").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(invalid(
                    "WEBHOOKS_ALLOW_INTERNAL",
                    format!("\"{other}\" is not 1 or 0 (true or false)"),
                ))
            }
        };

        Ok(Config {
            database_url,
            listen_addr,
            public_url,
            data_dir,
            site_root,
            smtp_url,
            mail_from,
            demo,
            object_storage,
            trusted_proxies,
            sqlite_sync,
            api_requests_per_minute,
            webhooks_allow_internal,
        })
    }

    /// Reads the optional file into the environment (without overriding it), then the environment.
    pub fn load() -> Result<Config, ConfigError> {
        match std::env::var("CONFIG_FILE") {
            Ok(path) if !path.trim().is_empty() => {
                dotenvy::from_path(&path)
                    .map_err(|e| invalid("CONFIG_FILE", format!("cannot read {path}: {e}")))?;
            }
            _ => {
                let default = std::path::Path::new("certidesk.env");
                if default.exists() {
                    dotenvy::from_path(default).map_err(|e| {
                        invalid("CONFIG_FILE", format!("cannot read certidesk.env: {e}"))
                    })?;
                }
            }
        }
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Cookies carry `Secure` whenever people reach the product over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The database URL with any password hidden, for messages and logs.
    pub fn database_url_for_display(&self) -> String {
        redact_password(&self.database_url)
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn the_api_limit_is_a_positive_number() {
        assert_eq!(config(&[]).unwrap().api_requests_per_minute, 600);
        let c = config(&[("API_REQUESTS_PER_MINUTE", "30")]).unwrap();
        assert_eq!(c.api_requests_per_minute, 30);
        assert!(!config(&[]).unwrap().webhooks_allow_internal);
        assert!(
            config(&[("WEBHOOKS_ALLOW_INTERNAL", "1")])
                .unwrap()
                .webhooks_allow_internal
        );
        let e = config(&[("WEBHOOKS_ALLOW_INTERNAL", "yes please")]).unwrap_err();
        assert_eq!(e.setting, "WEBHOOKS_ALLOW_INTERNAL");
        let e = config(&[("API_REQUESTS_PER_MINUTE", "0")]).unwrap_err();
        assert_eq!(e.setting, "API_REQUESTS_PER_MINUTE");
        assert!(config(&[("API_REQUESTS_PER_MINUTE", "lots")]).is_err());
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let c = config(&[("TRUSTED_PROXIES", "127.0.0.1, ::1")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        assert!(config(&[]).unwrap().trusted_proxies.is_empty());
        let e = config(&[("TRUSTED_PROXIES", "10.0.0.0/8")]).unwrap_err();
        assert_eq!(e.setting, "TRUSTED_PROXIES");
    }

    #[test]
    fn object_storage_needs_its_keys() {
        let c = config(&[
            ("S3_BUCKET", "certidesk-files"),
            ("S3_REGION", "eu-west-2"),
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("S3_SECRET_ACCESS_KEY", "wJalr-very-private"),
        ])
        .unwrap();
        let s3 = c.object_storage.unwrap();
        assert_eq!(s3.endpoint, "https://s3.eu-west-2.amazonaws.com");
        assert_eq!(
            (s3.bucket.as_str(), s3.access_key_id.as_str()),
            ("certidesk-files", "AKID")
        );
        assert!(!format!("{s3:?}").contains("wJalr-very-private"));
        let e = config(&[("S3_BUCKET", "b"), ("S3_ACCESS_KEY_ID", "AKID")]).unwrap_err();
        assert_eq!(e.setting, "S3_SECRET_ACCESS_KEY");
        let e = config(&[("S3_BUCKET", "b"), ("S3_ENDPOINT", "minio:9000")]).unwrap_err();
        assert_eq!(e.setting, "S3_ENDPOINT");
        assert_eq!(config(&[]).unwrap().object_storage, None);
    }

    #[test]
    fn defaults_run_locally_on_sqlite() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, "sqlite://data/app.db");
        assert_eq!(c.listen_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert!(!c.demo);
        assert_eq!(c.smtp_url, None);
    }

    #[test]
    fn database_follows_the_data_folder_by_default() {
        let c = config(&[("DATA_DIR", "/srv/certidesk")]).unwrap();
        assert_eq!(c.database_url, "sqlite:///srv/certidesk/app.db");
    }

    #[test]
    fn each_bad_setting_names_itself() {
        let cases = [
            ("DATABASE_URL", "mysql://localhost/db"),
            ("LISTEN_ADDR", "localhost"),
            ("PUBLIC_URL", "certs.example.com"),
            ("SMTP_URL", "mail.example.com"),
            ("DEMO_MODE", "maybe"),
            ("SQLITE_SYNCHRONOUS", "off"),
            ("MAIL_FROM", "not an address"),
        ];
        for (name, value) in cases {
            let err = config(&[(name, value)]).unwrap_err();
            assert_eq!(err.setting, name, "{name}={value}");
            assert!(err.to_string().starts_with(name));
        }
    }

    #[test]
    fn public_url_loses_its_trailing_slash() {
        let c = config(&[("PUBLIC_URL", "https://certs.example.com/")]).unwrap();
        assert_eq!(c.public_url, "https://certs.example.com");
    }

    #[test]
    fn cookies_are_secure_over_https_only() {
        assert!(config(&[("PUBLIC_URL", "https://certs.example.com")])
            .unwrap()
            .secure_cookies());
        assert!(!config(&[]).unwrap().secure_cookies());
    }

    #[test]
    fn mail_sender_has_a_default_and_can_be_set() {
        assert_eq!(
            config(&[]).unwrap().mail_from.email.to_string(),
            "no-reply@localhost"
        );
        let c = config(&[("MAIL_FROM", "Harbour <certs@harbour.example>")]).unwrap();
        assert_eq!(c.mail_from.name.as_deref(), Some("Harbour"));
    }

    #[test]
    fn demo_mode_is_explicit() {
        assert!(config(&[("DEMO_MODE", "true")]).unwrap().demo);
        assert!(config(&[("DEMO_MODE", "1")]).unwrap().demo);
        assert!(!config(&[("DEMO_MODE", "off")]).unwrap().demo);
    }

    #[test]
    fn sqlite_commits_reach_the_disk_unless_told_otherwise() {
        use app::db::SqliteSync;
        assert_eq!(config(&[]).unwrap().sqlite_sync, SqliteSync::Full);
        assert_eq!(
            config(&[("SQLITE_SYNCHRONOUS", "Normal")])
                .unwrap()
                .sqlite_sync,
            SqliteSync::Normal
        );
    }

    #[test]
    fn passwords_are_hidden_in_messages() {
        assert_eq!(
            redact_password("postgres://app:s3cret@db:5432/certs"),
            "postgres://app:***@db:5432/certs"
        );
        assert_eq!(
            redact_password("postgres://app@db/certs"),
            "postgres://app@db/certs"
        );
        assert_eq!(
            redact_password("sqlite://data/app.db"),
            "sqlite://data/app.db"
        );
    }
}
