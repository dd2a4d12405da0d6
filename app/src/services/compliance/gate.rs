//! The instruct gate: whether works may go to a contractor on the day of the work, judged from
//! the certificates that kind of work needs, and who may override a block.

use super::access::visible_contractor;
use super::cache::{agency_clock, standing_of};
use crate::db::{audit, Db};
use crate::domain::compliance::{instruct_decision, InstructDecision, TrafficLight};
use crate::domain::escalation::Suspension;
use crate::domain::identity::Permission;
use crate::domain::records::RequirementStatus;
use crate::domain::work_date::{requirements_for_kind, WorkVerdict};
use crate::services::auth::Actor;
use crate::services::Context;
use crate::services::ServiceError;
use chrono::NaiveDate;

/// What the compliance rule says about sending work to a contractor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instruction {
    Allowed,
    /// Red and overridden with a reason; the override is in the audit log.
    Overridden,
    /// Red: the certificates at fault ("Gas safety: expired"), and whether this agent could
    /// override by giving a reason.
    Blocked {
        problems: Vec<String>,
        can_override: bool,
    },
}

/// The work a contractor is judged for: its kind (None: every requirement counts) and the day
/// it is expected on site (None: today's statuses decide).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkToJudge {
    pub work_kind_id: Option<i64>,
    pub day: Option<NaiveDate>,
}

/// A contractor judged for a piece of work: the requirements that count, what they say today,
/// and what will have lapsed by the day of the work.
#[derive(Clone, Debug)]
pub struct Judgement {
    pub requirements: Vec<RequirementStatus>,
    pub verdict: WorkVerdict,
    /// Set while the contractor is suspended for new work (by the chasing ladder).
    pub suspension: Option<Suspension>,
}

impl Judgement {
    /// The light the instruct rule applies: a suspended contractor is red for new work.
    pub fn light(&self) -> TrafficLight {
        if self.suspension.is_some() {
            TrafficLight::Red
        } else {
            self.verdict.light()
        }
    }

    /// What is at fault, as the instruct check and the task page say it: a suspension, today's
    /// red certificates, then those lapsing before the work, in the agency's date format.
    pub fn problems(&self, format: crate::domain::dates::DateFormat) -> Vec<String> {
        self.suspension
            .iter()
            .map(|s| s.problem(format))
            .chain(
                self.requirements
                    .iter()
                    .filter(|r| r.status.status.light() == Some(TrafficLight::Red))
                    .map(|r| r.status.problem(&r.certificate_type)),
            )
            .chain(self.verdict.lapses.iter().map(|l| l.problem(format)))
            .collect()
    }
}

/// Judges one of the agency's contractors (already checked as visible) for a piece of work.
/// Reads through the pool one connection at a time: a caller must not hold a pooled connection
/// across it, or enough callers at once each hold one and wait for another until the pool's
/// timeout (the task page did: `task_pages_opened_at_once_all_answer`).
pub(crate) async fn judge_work(
    db: &Db,
    agency_id: i64,
    contractor_id: i64,
    work: WorkToJudge,
    now: i64,
) -> Result<Judgement, ServiceError> {
    let clock = agency_clock(db, agency_id, now).await?;
    let today = clock.today;
    let standing = standing_of(db, agency_id, contractor_id, &clock).await?;
    let (all, suspension) = (standing.requirements, standing.suspension);
    let kind_types = match work.work_kind_id {
        Some(kind) => {
            let mut conn = db.pool().acquire().await?;
            Some(crate::services::work_kinds::kind_types(&mut conn, agency_id, kind).await?)
        }
        None => None,
    };
    let requirements = requirements_for_kind(&all, kind_types.as_deref());
    let verdict = WorkVerdict::of(&requirements, today, work.day);
    Ok(Judgement {
        requirements,
        verdict,
        suspension,
    })
}

/// Checks, inside the caller's transaction, whether the actor may send this work to a
/// contractor, and records an override. The contractor is judged on the work's kind, today and
/// on the day of the work: a certificate that will have lapsed by then blocks as red does.
pub async fn check_instruction(
    cx: &Context,
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    contractor_id: i64,
    work: WorkToJudge,
    override_reason: Option<&str>,
    now: i64,
) -> Result<Instruction, ServiceError> {
    actor.require(Permission::InstructWork)?;
    visible_contractor(&cx.db, actor, contractor_id).await?;
    let judgement = judge_work(&cx.db, actor.agency_id, contractor_id, work, now).await?;
    let may_override = actor.permissions.allows(Permission::OverrideCompliance);
    let problems = || judgement.problems(actor.date_format);
    Ok(
        match instruct_decision(judgement.light(), may_override, override_reason) {
            InstructDecision::Allowed => Instruction::Allowed,
            InstructDecision::NeedsReason => Instruction::Blocked {
                problems: problems(),
                can_override: true,
            },
            InstructDecision::Refused => Instruction::Blocked {
                problems: problems(),
                can_override: false,
            },
            InstructDecision::Overridden(reason) => {
                audit::record_for_contractor(
                    &mut *conn,
                    actor.agency_id,
                    actor.audit_by(),
                    "compliance_overridden",
                    contractor_id,
                    &format!("{} — reason: {reason}", problems().join("; ")),
                    now,
                )
                .await?;
                Instruction::Overridden
            }
        },
    )
}
