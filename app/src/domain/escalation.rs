//! Chasing an outstanding certificate: the ladder of steps an agency sets, each a number of days
//! after the certificate fell outstanding (asked for and never provided, or expired). Each step
//! widens who hears of it in their daily digest: the contractor's office address, then all its
//! office users, then the agency's compliance users, and optionally the contractor is suspended
//! for new work. An upload stops the ladder; only a valid certificate lifts a suspension. Days are
//! the agency's calendar days, so a step falls on the same local date whatever the clock change.

use super::compliance::{ComplianceStatus, TypeStatus};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The longest a step may wait: a year.
pub const MAX_DAYS: i64 = 365;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Step {
    /// The contractor's own office address.
    Office,
    /// Every office user of the contractor.
    OfficeUsers,
    /// The agency's users who manage certification.
    Agency,
    /// The contractor may not be given new work (without the override).
    Suspended,
}

impl Step {
    pub const ALL: [Step; 4] = [
        Step::Office,
        Step::OfficeUsers,
        Step::Agency,
        Step::Suspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Office => "office",
            Step::OfficeUsers => "office_users",
            Step::Agency => "agency",
            Step::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.as_str() == s)
    }

    /// What reaching the step did, as the history and the certificate tile say it.
    pub fn label(self) -> &'static str {
        match self {
            Step::Office => "chased at the contractor's office address",
            Step::OfficeUsers => "chased with all the contractor's office users",
            Step::Agency => "passed to the agency's compliance users",
            Step::Suspended => "contractor suspended for new work",
        }
    }
}

/// An agency's ladder: days after a certificate fell outstanding until each step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ladder {
    pub office_days: i64,
    pub office_users_days: i64,
    pub agency_days: i64,
    /// `None`: never suspend.
    pub suspend_days: Option<i64>,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder {
            office_days: 0,
            office_users_days: 7,
            agency_days: 14,
            suspend_days: None,
        }
    }
}

/// Which field of the ladder is wrong, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LadderError {
    pub field: &'static str,
    pub message: String,
}

impl Ladder {
    /// Each step's delay, in the ladder's order (a step never comes before the one above it).
    pub fn check(&self) -> Result<(), LadderError> {
        let steps = [
            ("chase_office_days", Some(self.office_days)),
            ("chase_office_users_days", Some(self.office_users_days)),
            ("chase_agency_days", Some(self.agency_days)),
            ("suspend_after_days", self.suspend_days),
        ];
        let mut previous: Option<i64> = None;
        for (field, days) in steps {
            let Some(days) = days else { continue };
            if !(0..=MAX_DAYS).contains(&days) {
                return Err(LadderError {
                    field,
                    message: format!("Enter a number of days from 0 to {MAX_DAYS}."),
                });
            }
            if previous.is_some_and(|p| days < p) {
                return Err(LadderError {
                    field,
                    message: format!(
                        "This step comes after the one above it: enter at least {} days.",
                        previous.unwrap_or(0)
                    ),
                });
            }
            previous = Some(days);
        }
        Ok(())
    }

    fn delay(&self, step: Step) -> Option<i64> {
        match step {
            Step::Office => Some(self.office_days),
            Step::OfficeUsers => Some(self.office_users_days),
            Step::Agency => Some(self.agency_days),
            Step::Suspended => self.suspend_days,
        }
    }

    /// The day a step falls for a certificate outstanding since `since`; `None` when the ladder
    /// has no such step.
    pub fn day_of(&self, step: Step, since: NaiveDate) -> Option<NaiveDate> {
        let days = u64::try_from(self.delay(step)?).ok()?;
        since.checked_add_days(Days::new(days))
    }

    /// The steps reached by `today`, in order.
    pub fn reached(&self, since: NaiveDate, today: NaiveDate) -> Vec<Step> {
        Step::ALL
            .into_iter()
            .filter(|step| self.day_of(*step, since).is_some_and(|day| day <= today))
            .collect()
    }

    /// The next step still to come, and its day.
    pub fn next(&self, since: NaiveDate, today: NaiveDate) -> Option<(Step, NaiveDate)> {
        Step::ALL.into_iter().find_map(|step| {
            self.day_of(step, since)
                .filter(|day| *day > today)
                .map(|day| (step, day))
        })
    }
}

/// The day a required certificate fell outstanding in its current spell without a valid
/// certificate: the day it was asked for when none was ever valid, the day after the last valid
/// one ended when it expired. `None` while a valid certificate holds. An upload waiting for
/// validation does not end the spell (only a valid certificate does), but it stops the chasing:
/// see [`chased`].
pub fn outstanding_since(status: &TypeStatus, requested_on: NaiveDate) -> Option<NaiveDate> {
    match status.status {
        ComplianceStatus::Missing => Some(requested_on),
        ComplianceStatus::NeedsValidation if status.valid_until.is_none() => Some(requested_on),
        ComplianceStatus::Expired => status
            .valid_until
            .and_then(|end| end.checked_add_days(Days::new(1))),
        _ => None,
    }
}

/// Whether the ladder still climbs for this certificate: outstanding, and nothing uploaded that
/// waits for validation (the contractor has answered; the agency's turn).
pub fn chased(status: &TypeStatus) -> bool {
    !status.awaiting_validation
        && matches!(
            status.status,
            ComplianceStatus::Missing | ComplianceStatus::Expired
        )
}

/// A 'suspended' step as recorded: which certificate, the spell it was reached in, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuspensionStep {
    pub certificate_type_id: i64,
    pub since: NaiveDate,
    pub reached_on: NaiveDate,
}

/// Why a contractor may not be given new work: the certificates whose spells reached the
/// suspension step and still last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    /// The first day of the suspension.
    pub since: NaiveDate,
    pub certificates: Vec<String>,
}

impl Suspension {
    /// "Suspended for new work since 15/12/2026: Gas safety not provided after chasing".
    pub fn problem(&self, format: super::dates::DateFormat) -> String {
        format!(
            "Suspended for new work since {}: {} not provided after chasing",
            format.format(self.since),
            self.certificates.join(", ")
        )
    }
}

/// The contractor's suspension, if any of its suspension steps belongs to a spell that still
/// lasts: a valid certificate ends the spell (its `outstanding_since` goes), and with it the
/// suspension.
pub fn suspension(
    steps: &[SuspensionStep],
    requirements: &[super::compliance::RequirementStatus],
) -> Option<Suspension> {
    let mut lasting: Vec<(&SuspensionStep, &str)> = steps
        .iter()
        .filter_map(|step| {
            requirements
                .iter()
                .find(|r| {
                    r.certificate_type_id == step.certificate_type_id
                        && r.outstanding_since == Some(step.since)
                })
                .map(|r| (step, r.certificate_type.as_str()))
        })
        .collect();
    lasting.sort_by(|a, b| a.1.cmp(b.1));
    let since = lasting.iter().map(|(step, _)| step.reached_on).min()?;
    let mut certificates: Vec<String> = lasting.iter().map(|(_, name)| name.to_string()).collect();
    certificates.dedup();
    Some(Suspension {
        since,
        certificates,
    })
}

/// How far chasing has gone in a certificate's current spell, as its tile says it: the steps
/// reached with their days, then the next step, or that chasing stopped for an upload.
/// `None` when nothing is outstanding or nothing has happened yet and nothing will.
pub fn chase_line(
    ladder: &Ladder,
    requirement: &super::compliance::RequirementStatus,
    reached: &[(Step, NaiveDate)],
    today: NaiveDate,
    format: super::dates::DateFormat,
) -> Option<String> {
    let since = requirement.outstanding_since?;
    let mut parts: Vec<String> = reached
        .iter()
        .map(|(step, day)| format!("{} on {}", step.label(), format.format(*day)))
        .collect();
    if chased(&requirement.status) {
        if let Some((step, day)) = ladder.next(since, today) {
            parts.push(format!("next: {} on {}", step.label(), format.format(day)));
        }
    } else if !parts.is_empty() {
        parts.push("chasing stopped: an upload waits for validation".into());
    }
    if parts.is_empty() {
        return None;
    }
    let line = parts.join("; ");
    let mut chars = line.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
}

/// The agency day whose digest is due at this instant: today once the agency's hour has come,
/// `None` before it.
#[cfg(feature = "ssr")]
pub fn digest_day(time_zone: &str, hour: i64, now_ms: i64) -> Option<NaiveDate> {
    let (day, now_hour) = super::dates::local_day_and_hour(time_zone, now_ms);
    (i64::from(now_hour) >= hour).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc_ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        date(y, m, d)
            .and_hms_opt(h, min, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    fn status(
        status: ComplianceStatus,
        valid_until: Option<NaiveDate>,
        awaiting: bool,
    ) -> TypeStatus {
        TypeStatus {
            status,
            awaiting_validation: awaiting,
            valid_until,
            shortfall: None,
        }
    }

    const LADDER: Ladder = Ladder {
        office_days: 0,
        office_users_days: 3,
        agency_days: 7,
        suspend_days: Some(14),
    };

    #[test]
    fn each_step_falls_on_its_day_and_not_before() {
        let since = date(2026, 12, 1);
        assert_eq!(LADDER.reached(since, date(2026, 11, 30)), vec![]);
        assert_eq!(LADDER.reached(since, since), vec![Step::Office]);
        assert_eq!(LADDER.reached(since, date(2026, 12, 3)), vec![Step::Office]);
        assert_eq!(
            LADDER.reached(since, date(2026, 12, 4)),
            vec![Step::Office, Step::OfficeUsers]
        );
        assert_eq!(
            LADDER.reached(since, date(2026, 12, 15)),
            Step::ALL.to_vec()
        );
        assert_eq!(
            LADDER.next(since, date(2026, 12, 4)),
            Some((Step::Agency, date(2026, 12, 8)))
        );
        assert_eq!(LADDER.next(since, date(2026, 12, 15)), None);
    }

    #[test]
    fn without_a_suspension_step_nobody_is_suspended() {
        let ladder = Ladder {
            suspend_days: None,
            ..LADDER
        };
        let steps = ladder.reached(date(2025, 1, 1), date(2026, 12, 1));
        assert_eq!(steps, vec![Step::Office, Step::OfficeUsers, Step::Agency]);
        assert_eq!(ladder.day_of(Step::Suspended, date(2025, 1, 1)), None);
    }

    #[test]
    fn steps_come_in_order_and_within_a_year() {
        assert_eq!(LADDER.check(), Ok(()));
        assert_eq!(Ladder::default().check(), Ok(()));
        let early_agency = Ladder {
            agency_days: 2,
            ..LADDER
        };
        let error = early_agency.check().unwrap_err();
        assert_eq!(error.field, "chase_agency_days");
        assert!(
            error.message.contains("at least 3 days"),
            "{}",
            error.message
        );
        let negative = Ladder {
            office_days: -1,
            ..LADDER
        };
        assert_eq!(negative.check().unwrap_err().field, "chase_office_days");
        let too_late = Ladder {
            suspend_days: Some(366),
            ..LADDER
        };
        assert_eq!(too_late.check().unwrap_err().field, "suspend_after_days");
        // Steps may fall on the same day.
        let same_day = Ladder {
            office_days: 5,
            office_users_days: 5,
            agency_days: 5,
            suspend_days: Some(5),
        };
        assert_eq!(same_day.check(), Ok(()));
    }

    #[test]
    fn a_certificate_is_outstanding_from_its_request_or_the_day_after_it_ended() {
        let asked = date(2026, 11, 1);
        let missing = status(ComplianceStatus::Missing, None, false);
        assert_eq!(outstanding_since(&missing, asked), Some(asked));
        assert!(chased(&missing));
        let expired = status(ComplianceStatus::Expired, Some(date(2026, 11, 20)), false);
        assert_eq!(outstanding_since(&expired, asked), Some(date(2026, 11, 21)));
        assert!(chased(&expired));
        // An upload waiting for validation stops the ladder but keeps the spell (a suspension
        // holds until a valid certificate).
        let answered = status(ComplianceStatus::Expired, Some(date(2026, 11, 20)), true);
        assert_eq!(
            outstanding_since(&answered, asked),
            Some(date(2026, 11, 21))
        );
        assert!(!chased(&answered));
        let first_upload = status(ComplianceStatus::NeedsValidation, None, true);
        assert_eq!(outstanding_since(&first_upload, asked), Some(asked));
        assert!(!chased(&first_upload));
        for held in [
            ComplianceStatus::Valid,
            ComplianceStatus::ExpiringSoon,
            ComplianceStatus::CoverTooLow,
        ] {
            let s = status(held, Some(date(2027, 1, 1)), false);
            assert_eq!(outstanding_since(&s, asked), None, "{held:?}");
            assert!(!chased(&s));
        }
    }

    fn requirement(
        id: i64,
        name: &str,
        since: Option<NaiveDate>,
    ) -> super::super::compliance::RequirementStatus {
        super::super::compliance::RequirementStatus {
            certificate_type_id: id,
            certificate_type: name.into(),
            status: status(ComplianceStatus::Expired, None, false),
            minimum_cover: None,
            outstanding_since: since,
        }
    }

    #[test]
    fn a_suspension_lasts_as_long_as_its_spell() {
        let spell = date(2026, 11, 1);
        let step = |id, since| SuspensionStep {
            certificate_type_id: id,
            since,
            reached_on: date(2026, 11, 15),
        };
        let still_out = [
            requirement(1, "Gas safety", Some(spell)),
            requirement(2, "PAT testing", None),
        ];
        let suspended = suspension(&[step(1, spell)], &still_out).unwrap();
        assert_eq!(suspended.since, date(2026, 11, 15));
        assert_eq!(suspended.certificates, vec!["Gas safety".to_string()]);
        assert_eq!(
            suspended.problem(super::super::dates::DateFormat::default()),
            "Suspended for new work since 15/11/2026: Gas safety not provided after chasing"
        );
        // A valid certificate ended the spell: lifted.
        let renewed = [requirement(1, "Gas safety", None)];
        assert_eq!(suspension(&[step(1, spell)], &renewed), None);
        // It lapsed again later: a new spell, which has not reached the suspension step.
        let lapsed_again = [requirement(1, "Gas safety", Some(date(2027, 11, 1)))];
        assert_eq!(suspension(&[step(1, spell)], &lapsed_again), None);
        // No requirement any more (another agency's, or removed): nothing holds.
        assert_eq!(suspension(&[step(3, spell)], &still_out), None);
    }

    #[test]
    fn the_tile_says_how_far_chasing_went_and_what_comes_next() {
        let f = super::super::dates::DateFormat::default();
        let mut r = requirement(1, "Gas safety", Some(date(2026, 11, 1)));
        r.status = status(ComplianceStatus::Missing, None, false);
        let reached = [(Step::Office, date(2026, 11, 1))];
        assert_eq!(
            chase_line(&LADDER, &r, &reached, date(2026, 11, 2), f).as_deref(),
            Some(
                "Chased at the contractor's office address on 01/11/2026; next: chased with all \
                 the contractor's office users on 04/11/2026"
            )
        );
        r.status = status(ComplianceStatus::NeedsValidation, None, true);
        assert_eq!(
            chase_line(&LADDER, &r, &reached, date(2026, 11, 2), f).as_deref(),
            Some(
                "Chased at the contractor's office address on 01/11/2026; chasing stopped: an \
                 upload waits for validation"
            )
        );
        r.outstanding_since = None;
        assert_eq!(
            chase_line(&LADDER, &r, &reached, date(2026, 11, 2), f),
            None
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_digest_waits_for_the_agency_s_hour_around_its_midnight() {
        // 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time): a new agency day,
        // before a 07:00 digest hour. At 06:30 UTC it is 07:30 there: the digest of 1 July.
        assert_eq!(
            digest_day("Europe/London", 0, utc_ms(2026, 6, 30, 23, 30)),
            Some(date(2026, 7, 1))
        );
        assert_eq!(
            digest_day("Europe/London", 7, utc_ms(2026, 6, 30, 23, 30)),
            None
        );
        assert_eq!(
            digest_day("Europe/London", 7, utc_ms(2026, 7, 1, 6, 30)),
            Some(date(2026, 7, 1))
        );
        // In winter London is on UTC: 06:30 UTC is still before seven.
        assert_eq!(
            digest_day("Europe/London", 7, utc_ms(2026, 12, 1, 6, 30)),
            None
        );
        // Auckland is already on the next day when London's evening runs.
        assert_eq!(
            super::super::dates::local_day_and_hour(
                "Pacific/Auckland",
                utc_ms(2026, 11, 22, 23, 30)
            )
            .0,
            date(2026, 11, 23)
        );
        assert_eq!(
            super::super::dates::local_day_and_hour("Nowhere/Else", utc_ms(2026, 7, 1, 6, 30)),
            (date(2026, 7, 1), 6)
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn clock_changes_move_the_hour_not_the_days() {
        // London springs forward at 01:00 UTC on 29 March 2026: 06:30 UTC is 06:30 the day
        // before (no digest at seven) and 07:30 that morning (digest due).
        assert_eq!(
            digest_day("Europe/London", 7, utc_ms(2026, 3, 28, 6, 30)),
            None
        );
        assert_eq!(
            digest_day("Europe/London", 7, utc_ms(2026, 3, 29, 6, 30)),
            Some(date(2026, 3, 29))
        );
        // And falls back on 25 October: 06:30 UTC is 07:30 the day before, 06:30 on the day.
        assert_eq!(
            digest_day("Europe/London", 7, utc_ms(2026, 10, 24, 6, 30)),
            Some(date(2026, 10, 24))
        );
        assert_eq!(
            digest_day("Europe/London", 7, utc_ms(2026, 10, 25, 6, 30)),
            None
        );
        // A ladder across a clock change counts calendar days: expired on 27 March, the office
        // users' step (3 days) falls on 30 March, a 23-hour day in between.
        let since = date(2026, 3, 27);
        assert_eq!(
            LADDER.day_of(Step::OfficeUsers, since),
            Some(date(2026, 3, 30))
        );
        let (day, _) =
            super::super::dates::local_day_and_hour("Europe/London", utc_ms(2026, 3, 29, 23, 30));
        assert_eq!(day, date(2026, 3, 30), "00:30 BST on the 30th");
        assert!(LADDER.reached(since, day).contains(&Step::OfficeUsers));
    }
}
