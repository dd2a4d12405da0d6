//! Live updates (docs/architecture.md): after a change commits, the service publishes what changed, scoped
//! to an agency and maybe a contractor; the server's event stream forwards it to open pages of
//! those allowed to see it. On SQLite (one instance) an in-process channel carries it; on
//! PostgreSQL every instance publishes with NOTIFY and listens, so a change made on one instance
//! reaches pages open on all of them.

use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};
use tokio::sync::broadcast;

/// The NOTIFY channel of a PostgreSQL schema: instances sharing a schema share changes; another
/// schema in the same database (another deployment, or a parallel test) hears nothing of them.
pub fn channel_for_schema(schema: &str) -> String {
    let safe: String = schema
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(40)
        .collect();
    format!("certidesk_changes_{safe}")
}

/// What a page may need to read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Topic {
    /// Requirements, documents or validation of a contractor's certificates.
    Certification,
    /// A task's status or content.
    Task,
    /// A new message in a task's chat.
    Message,
    /// A request for quotes or a contractor's answer to it.
    Quote,
}

impl Topic {
    pub fn name(self) -> &'static str {
        match self {
            Topic::Certification => "certification",
            Topic::Task => "task",
            Topic::Message => "message",
            Topic::Quote => "quote",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub agency_id: i64,
    pub contractor_id: Option<i64>,
    pub topic: Topic,
    /// The task concerned, for task and message changes.
    #[serde(default)]
    pub task_id: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Events {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    local: broadcast::Sender<Change>,
    /// Set on PostgreSQL: the URL the listener connects with and the channel.
    postgres: Option<(String, String)>,
    listening: OnceLock<()>,
}

impl Events {
    /// In-process only, or on PostgreSQL `(url, channel)`.
    pub fn new(postgres: Option<(String, String)>) -> Self {
        Events {
            inner: Arc::new(Inner {
                local: broadcast::channel(1024).0,
                postgres,
                listening: OnceLock::new(),
            }),
        }
    }

    /// Tells every open page concerned. Never fails the caller: the change is committed, and
    /// pages also re-read on reconnect and by polling.
    pub async fn publish(&self, pool: &sqlx::AnyPool, change: Change) {
        if let Some((_, channel)) = &self.inner.postgres {
            let payload = serde_json::to_string(&change).unwrap_or_default();
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(pool)
                .await;
            match sent {
                Ok(_) => return,
                Err(e) => tracing::warn!("NOTIFY failed, telling this instance only: {e}"),
            }
        }
        let _ = self.inner.local.send(change);
    }

    /// Changes from now on, of every agency: the caller filters by who is watching.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        if let Some((url, channel)) = &self.inner.postgres {
            self.inner.listening.get_or_init(|| {
                tokio::spawn(listen(
                    url.clone(),
                    channel.clone(),
                    self.inner.local.clone(),
                ));
            });
        }
        self.inner.local.subscribe()
    }
}

/// Forwards NOTIFY payloads to this instance's subscribers, reconnecting when the connection drops.
async fn listen(url: String, channel: String, local: broadcast::Sender<Change>) {
    loop {
        let listener = async {
            let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
            listener.listen(&channel).await?;
            loop {
                let notification = listener.recv().await?;
                match serde_json::from_str::<Change>(notification.payload()) {
                    Ok(change) => {
                        let _ = local.send(change);
                    }
                    Err(e) => tracing::warn!("ignoring a malformed change notice: {e}"),
                }
            }
            #[allow(unreachable_code)]
            Ok::<(), sqlx::Error>(())
        };
        if let Err(e) = listener.await {
            tracing::warn!("change listener stopped, reconnecting in 1 s: {e}");
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_schema_has_its_own_channel() {
        assert_eq!(channel_for_schema("public"), "certidesk_changes_public");
        assert_ne!(channel_for_schema("t_1_2"), channel_for_schema("t_1_3"));
        assert_eq!(channel_for_schema("a\"; DROP"), "certidesk_changes_aDROP");
    }
}
