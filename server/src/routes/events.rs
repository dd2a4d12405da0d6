//! `GET /events`: server-sent events for open pages. Each change is forwarded only to those who
//! may see it (agents of the agency; the contractor's own office; a technician, only for the
//! tasks assigned to them), and a `day` event at the agency's midnight lets pages roll statuses
//! over without a reload. The stream checks its session every few seconds and ends once it no
//! longer signs anyone in (signed out, here or everywhere; expired; disabled).

use app::api::ApiError;
use app::domain::dates::local_today;
use app::domain::identity::UserKind;
use app::events::Change;
use app::services::auth::{self, Actor};
use app::services::tasks;
use app::services::Context;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tower_sessions::Session;

/// How often an open stream checks that its session still signs in.
pub const SESSION_CHECK: Duration = Duration::from_secs(5);

/// The stream keeps the session's id to end itself once that session no longer signs anyone in.
pub async fn events(
    State(context): State<Context>,
    actor: Result<Actor, ApiError>,
    session: Session,
) -> Response {
    let (Ok(actor), Some(session_id)) = (actor, session.id().map(|id| id.to_string())) else {
        return ApiError::NotSignedIn.into_response();
    };
    let time_zone = actor.time_zone.clone();
    let changes = context.db.events().subscribe();
    let watch = Watch {
        cx: context.clone(),
        session_id,
        today: actor.today(auth::now()),
        actor,
        time_zone,
        changes,
        checked_at: std::time::Instant::now(),
    };
    Sse::new(stream_for(watch))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
        .into_response()
}

/// May this person see that change?
fn concerns(actor: &Actor, change: &Change) -> bool {
    change.agency_id == actor.agency_id
        && match actor.kind {
            UserKind::Agent => true,
            UserKind::Contractor | UserKind::Technician => {
                change.contractor_id.is_some() && change.contractor_id == actor.contractor_id
            }
        }
}

/// One open stream: who it is for, and what it has seen.
struct Watch {
    cx: Context,
    session_id: String,
    actor: Actor,
    time_zone: String,
    changes: broadcast::Receiver<Change>,
    today: chrono::NaiveDate,
    /// When the session was last found signing in: checked at most every `SESSION_CHECK`, not
    /// per change.
    checked_at: std::time::Instant,
}

impl Watch {
    /// A change this person may see, given what `concerns` cannot tell alone: a technician's
    /// assignment, read when the change comes (they change often and are few per change).
    async fn delivers(&self, change: &Change) -> bool {
        if !concerns(&self.actor, change) {
            return false;
        }
        match (self.actor.kind, change.task_id) {
            (UserKind::Technician, Some(task_id)) => {
                tasks::is_assigned(self.cx.db.pool(), self.actor.user_id, task_id)
                    .await
                    .unwrap_or(false)
            }
            (UserKind::Technician, None) => false,
            _ => true,
        }
    }

    async fn still_signed_in(&self) -> bool {
        auth::still_signed_in(&self.cx, &self.session_id, self.actor.user_id, auth::now())
            .await
            .unwrap_or(true)
    }
}

fn stream_for(watch: Watch) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(watch, |mut watch| async move {
        loop {
            // Wake at least every few seconds to check the session and notice the agency's day
            // changing.
            let next = tokio::time::timeout(SESSION_CHECK, watch.changes.recv()).await;
            if watch.checked_at.elapsed() >= SESSION_CHECK {
                if !watch.still_signed_in().await {
                    return None;
                }
                watch.checked_at = std::time::Instant::now();
            }
            let now_day = local_today(&watch.time_zone, auth::now());
            if now_day != watch.today {
                watch.today = now_day;
                let event = Event::default().event("day").data(now_day.to_string());
                return Some((Ok(event), watch));
            }
            match next {
                Ok(Ok(change)) if watch.delivers(&change).await => {
                    // Pages of one task refresh only for their own task.
                    let data = change.task_id.or(change.contractor_id).unwrap_or(0);
                    let event = Event::default()
                        .event(change.topic.name())
                        .data(data.to_string());
                    return Some((Ok(event), watch));
                }
                Ok(Ok(_)) | Err(_) => continue,
                // Too slow to keep up: the page reads everything again.
                Ok(Err(RecvError::Lagged(_))) => {
                    let event = Event::default().event("resync").data("");
                    return Some((Ok(event), watch));
                }
                Ok(Err(RecvError::Closed)) => return None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::identity::Permissions;
    use app::events::Topic;

    fn actor(kind: UserKind, contractor_id: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            agency_id: 10,
            kind,
            name: "A".into(),
            email: "a@example.com".into(),
            agency_name: "Agency".into(),
            date_format: Default::default(),
            time_zone: "Europe/London".into(),
            permissions: Permissions::default(),
            contractor_id,
            company_name: None,
            api_key_id: None,
        }
    }

    #[test]
    fn changes_reach_only_those_who_may_see_them() {
        let change = |agency_id, contractor_id| Change {
            agency_id,
            contractor_id,
            topic: Topic::Certification,
            task_id: None,
        };
        let agent = actor(UserKind::Agent, None);
        assert!(concerns(&agent, &change(10, Some(5))));
        assert!(!concerns(&agent, &change(11, Some(5))));
        let office = actor(UserKind::Contractor, Some(5));
        assert!(concerns(&office, &change(10, Some(5))));
        assert!(!concerns(&office, &change(10, Some(6))));
        assert!(!concerns(&office, &change(10, None)));
        assert!(!concerns(&office, &change(11, Some(5))));
    }
}
