//! `GET /events`: server-sent events for open pages. Each change is forwarded only to those who
//! may see it (agents of the agency; the contractor's own office), and a `day` event at the
//! agency's midnight lets pages roll statuses over without a reload.

use app::api::AppContext;
use app::domain::identity::UserKind;
use app::events::Change;
use app::services::auth::{self, Actor};
use app::services::compliance::agency_today;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tower_sessions::Session;

pub async fn events(State(context): State<AppContext>, session: Session) -> Response {
    let actor = match auth::resolve(&context.db, &session, auth::now()).await {
        Ok(actor) => actor,
        Err(_) => return (StatusCode::UNAUTHORIZED, "Sign in first.").into_response(),
    };
    let time_zone: String = sqlx::query_scalar("SELECT time_zone FROM agencies WHERE id = $1")
        .bind(actor.agency_id)
        .fetch_one(context.db.pool())
        .await
        .unwrap_or_else(|_| "UTC".into());
    let changes = context.db.events().subscribe();
    Sse::new(stream_for(actor, time_zone, changes))
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

fn stream_for(
    actor: Actor,
    time_zone: String,
    changes: broadcast::Receiver<Change>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let today = agency_today(&time_zone, auth::now());
    stream::unfold(
        (actor, time_zone, changes, today),
        |(actor, time_zone, mut changes, today)| async move {
            loop {
                // Wake at least every minute to notice the agency's day changing.
                let next = tokio::time::timeout(Duration::from_secs(60), changes.recv()).await;
                let now_day = agency_today(&time_zone, auth::now());
                if now_day != today {
                    let event = Event::default().event("day").data(now_day.to_string());
                    return Some((Ok(event), (actor, time_zone, changes, now_day)));
                }
                match next {
                    Ok(Ok(change)) if concerns(&actor, &change) => {
                        // Pages of one task refresh only for their own task.
                        let data = change.task_id.or(change.contractor_id).unwrap_or(0);
                        let event = Event::default()
                            .event(change.topic.name())
                            .data(data.to_string());
                        return Some((Ok(event), (actor, time_zone, changes, today)));
                    }
                    Ok(Ok(_)) | Err(_) => continue,
                    // Too slow to keep up: the page reads everything again.
                    Ok(Err(RecvError::Lagged(_))) => {
                        let event = Event::default().event("resync").data("");
                        return Some((Ok(event), (actor, time_zone, changes, today)));
                    }
                    Ok(Err(RecvError::Closed)) => return None,
                }
            }
        },
    )
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
            permissions: Permissions::default(),
            contractor_id,
            company_name: None,
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
