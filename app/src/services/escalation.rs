//! Chasing outstanding certificates up each agency's ladder. Once a day, at the agency's digest
//! hour, every certificate still outstanding and unanswered climbs to the steps its days have
//! reached; each step is recorded once per spell (audit-logged, shown live on the contractor's
//! page), and the day's digests say who now hears of it. A suspension step suspends the
//! contractor for new work until a valid certificate ends the spell.

use super::compliance::{agency_view, bump_certification_version, Changed};
use super::ServiceError;
use crate::db::audit;
use crate::db::escalations::{self, ReachedStep};
use crate::domain::escalation::{chased, Step};
use crate::events::{Change, Topic};
use crate::services::Context;
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashSet};

/// A certificate being chased today: whom its spell has reached.
#[derive(Debug, Clone)]
pub(super) struct Chase {
    pub contractor_id: i64,
    pub certificate_type: String,
    pub since: NaiveDate,
    /// It expired (rather than was never provided): the spell began the day after it ended.
    pub expired: bool,
    pub reached: Vec<Step>,
}

impl Chase {
    pub fn reached(&self, step: Step) -> bool {
        self.reached.contains(&step)
    }
}

/// Climbs every unanswered outstanding certificate of the agency to the steps reached by today
/// (the agency's date at `now`), recording each new step once; returns what is being chased.
pub(super) async fn climb(
    cx: &Context,
    agency_id: i64,
    now: i64,
) -> Result<Vec<Chase>, ServiceError> {
    let view = agency_view(&cx.db, &cx.statuses, agency_id, now).await?;
    let recorded: HashSet<(i64, i64, NaiveDate, Step)> =
        escalations::reached_steps(cx.db.pool(), agency_id, None)
            .await?
            .into_iter()
            .map(|r| (r.contractor_id, r.certificate_type_id, r.since, r.step))
            .collect();
    let mut chases = Vec::new();
    let mut new_steps: Vec<(&str, ReachedStep)> = Vec::new();
    for (contractor_id, requirements) in view.statuses.iter() {
        for r in requirements.iter() {
            let Some(since) = r.outstanding_since.filter(|_| chased(&r.status)) else {
                continue;
            };
            let reached = view.ladder.reached(since, view.today);
            for step in &reached {
                if !recorded.contains(&(*contractor_id, r.certificate_type_id, since, *step)) {
                    let step = ReachedStep {
                        contractor_id: *contractor_id,
                        certificate_type_id: r.certificate_type_id,
                        since,
                        step: *step,
                        reached_at: now,
                    };
                    new_steps.push((r.certificate_type.as_str(), step));
                }
            }
            chases.push(Chase {
                contractor_id: *contractor_id,
                certificate_type: r.certificate_type.clone(),
                since,
                expired: r.status.valid_until.is_some(),
                reached,
            });
        }
    }
    if new_steps.is_empty() {
        return Ok(chases);
    }
    let mut tx = cx.db.begin_write().await?;
    let mut changed = BTreeSet::new();
    let mut suspended = false;
    for (certificate_type, step) in new_steps {
        // Another instance may have recorded it since the read: the unique key decides, once.
        if !escalations::record_step(&mut tx, agency_id, &step).await? {
            continue;
        }
        audit::record_for_contractor(
            &mut *tx,
            agency_id,
            None,
            "certificate_chased",
            step.contractor_id,
            &format!("{certificate_type}: {}", step.step.label()),
            now,
        )
        .await?;
        suspended |= step.step == Step::Suspended;
        changed.insert(step.contractor_id);
    }
    if suspended {
        // Suspensions are part of what the certification pages cache.
        bump_certification_version(&mut tx, agency_id, Changed::Everyone).await?;
    }
    tx.commit().await?;
    for contractor_id in changed {
        cx.db
            .publish(Change {
                agency_id,
                contractor_id: Some(contractor_id),
                topic: Topic::Certification,
                task_id: None,
            })
            .await;
    }
    Ok(chases)
}
