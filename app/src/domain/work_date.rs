//! Compliance judged on the day of the work, not only today: a certificate that is in date when
//! the agent instructs but will have ended by the day the contractor goes on site is the risk
//! agencies fear most. The day of the work is the scheduled date, else the due date; a kind of
//! work narrows the judgement to the certificate types that work needs.

use super::compliance::{traffic_light, ComplianceStatus, TrafficLight, TypeStatus};
use super::dates::DateFormat;
use super::records::RequirementStatus;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The day the work is expected on site: the date the contractor scheduled, else the due date.
pub fn day_of_work(scheduled: Option<NaiveDate>, due: Option<NaiveDate>) -> Option<NaiveDate> {
    scheduled.or(due)
}

/// The requirements a kind of work is judged on: the contractor's statuses of the kind's
/// certificate types, in the kind's order. A type the contractor was never asked for is missing.
/// Without a kind, every requirement counts.
pub fn requirements_for_kind(
    requirements: &[RequirementStatus],
    kind_types: Option<&[(i64, String)]>,
) -> Vec<RequirementStatus> {
    let Some(kind_types) = kind_types else {
        return requirements.to_vec();
    };
    kind_types
        .iter()
        .map(|(type_id, name)| {
            requirements
                .iter()
                .find(|r| r.certificate_type_id == *type_id)
                .cloned()
                .unwrap_or_else(|| RequirementStatus {
                    certificate_type_id: *type_id,
                    certificate_type: name.clone(),
                    status: TypeStatus {
                        status: ComplianceStatus::Missing,
                        awaiting_validation: false,
                        valid_until: None,
                        shortfall: None,
                    },
                    minimum_cover: None,
                    outstanding_since: None,
                })
        })
        .collect()
}

/// A required certificate in order today that will have ended before the day of the work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lapse {
    pub certificate_type: String,
    /// The certificate's end date: its last day in date.
    pub last_day: NaiveDate,
    pub work_day: NaiveDate,
    /// A newer document waits for an agent's validation (it may cover the day once ticked).
    pub renewal_waiting: bool,
}

impl Lapse {
    /// "Gas safety: expires 14/01/2027, before the work on 20/01/2027".
    pub fn problem(&self, format: DateFormat) -> String {
        let mut text = format!(
            "{}: expires {}, before the work on {}",
            self.certificate_type,
            format.format(self.last_day),
            format.format(self.work_day)
        );
        if self.renewal_waiting {
            text.push_str(" (a renewal waits for validation)");
        }
        text
    }
}

/// The certificates that will have lapsed by the day of the work. Work today or earlier, or
/// with no date, has none (today's statuses decide); a certificate already red today is today's
/// problem and is not repeated here; one with no end date never lapses.
pub fn lapses_by(
    requirements: &[RequirementStatus],
    today: NaiveDate,
    work_day: Option<NaiveDate>,
) -> Vec<Lapse> {
    let Some(work_day) = work_day.filter(|day| *day > today) else {
        return Vec::new();
    };
    requirements
        .iter()
        .filter(|r| r.status.status.light() != Some(TrafficLight::Red))
        .filter_map(|r| {
            let last_day = r.status.valid_until?;
            (last_day < work_day).then(|| Lapse {
                certificate_type: r.certificate_type.clone(),
                last_day,
                work_day,
                renewal_waiting: r.status.awaiting_validation,
            })
        })
        .collect()
}

/// A contractor judged for one piece of work: its light today, and what lapses by the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkVerdict {
    pub light_today: TrafficLight,
    pub lapses: Vec<Lapse>,
}

impl WorkVerdict {
    pub fn of(
        requirements: &[RequirementStatus],
        today: NaiveDate,
        work_day: Option<NaiveDate>,
    ) -> WorkVerdict {
        WorkVerdict {
            light_today: traffic_light(requirements.iter().map(|r| r.status.status)),
            lapses: lapses_by(requirements, today, work_day),
        }
    }

    /// The light the instruct rule applies: a certificate lapsing before the work makes the
    /// contractor red for that work, blocked (or overridden with a reason) as red is today.
    pub fn light(&self) -> TrafficLight {
        if self.lapses.is_empty() {
            self.light_today
        } else {
            TrafficLight::Red
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn requirement(
        id: i64,
        name: &str,
        status: ComplianceStatus,
        until: Option<NaiveDate>,
    ) -> RequirementStatus {
        RequirementStatus {
            certificate_type_id: id,
            certificate_type: name.into(),
            status: TypeStatus {
                status,
                awaiting_validation: false,
                valid_until: until,
                shortfall: None,
            },
            minimum_cover: None,
            outstanding_since: None,
        }
    }

    #[test]
    fn the_day_of_work_is_the_scheduled_date_else_the_due_date() {
        assert_eq!(
            day_of_work(Some(day(2027, 1, 5)), Some(day(2027, 1, 9))),
            Some(day(2027, 1, 5))
        );
        assert_eq!(
            day_of_work(None, Some(day(2027, 1, 9))),
            Some(day(2027, 1, 9))
        );
        assert_eq!(day_of_work(None, None), None);
    }

    #[test]
    fn a_certificate_ending_before_the_work_lapses_and_one_ending_that_day_does_not() {
        let today = day(2026, 12, 3);
        let gas = [requirement(
            1,
            "Gas safety",
            ComplianceStatus::Valid,
            Some(day(2027, 1, 14)),
        )];
        let lapses = lapses_by(&gas, today, Some(day(2027, 1, 20)));
        assert_eq!(lapses.len(), 1);
        assert_eq!(
            lapses[0].problem(DateFormat::default()),
            "Gas safety: expires 14/01/2027, before the work on 20/01/2027"
        );
        // In date on its last day: work that day is covered.
        assert!(lapses_by(&gas, today, Some(day(2027, 1, 14))).is_empty());
        assert_eq!(lapses_by(&gas, today, Some(day(2027, 1, 15))).len(), 1);
        // No date, or a date not after today: today's statuses decide.
        assert!(lapses_by(&gas, today, None).is_empty());
        assert!(lapses_by(&gas, day(2027, 1, 20), Some(day(2027, 1, 20))).is_empty());
    }

    #[test]
    fn red_today_is_not_repeated_and_no_end_date_never_lapses() {
        let today = day(2026, 12, 3);
        let requirements = [
            requirement(
                1,
                "Gas safety",
                ComplianceStatus::Expired,
                Some(day(2026, 11, 1)),
            ),
            requirement(2, "Public liability", ComplianceStatus::Valid, None),
            requirement(
                3,
                "Electrical",
                ComplianceStatus::ExpiringSoon,
                Some(day(2026, 12, 20)),
            ),
        ];
        let lapses = lapses_by(&requirements, today, Some(day(2027, 2, 1)));
        assert_eq!(
            lapses
                .iter()
                .map(|l| l.certificate_type.as_str())
                .collect::<Vec<_>>(),
            ["Electrical"]
        );
    }

    #[test]
    fn a_waiting_renewal_is_named() {
        let mut gas = requirement(
            1,
            "Gas safety",
            ComplianceStatus::NeedsValidation,
            Some(day(2027, 1, 14)),
        );
        gas.status.awaiting_validation = true;
        let lapses = lapses_by(&[gas], day(2026, 12, 3), Some(day(2027, 2, 1)));
        assert!(lapses[0]
            .problem(DateFormat::default())
            .ends_with("(a renewal waits for validation)"));
    }

    #[test]
    fn a_lapse_before_the_work_makes_the_contractor_red_for_that_work() {
        let today = day(2026, 12, 3);
        let requirements = [requirement(
            1,
            "Gas safety",
            ComplianceStatus::Valid,
            Some(day(2027, 6, 30)),
        )];
        let soon = WorkVerdict::of(&requirements, today, Some(day(2027, 1, 10)));
        assert_eq!(soon.light(), TrafficLight::Green);
        let late = WorkVerdict::of(&requirements, today, Some(day(2027, 7, 1)));
        assert_eq!(late.light_today, TrafficLight::Green);
        assert_eq!(late.light(), TrafficLight::Red);
    }

    #[test]
    fn a_kind_of_work_judges_only_its_types_and_counts_unasked_ones_missing() {
        let requirements = [
            requirement(1, "Gas safety", ComplianceStatus::Valid, None),
            requirement(2, "Asbestos awareness", ComplianceStatus::Expired, None),
        ];
        let gas_work = [(1, "Gas safety".to_string())];
        let judged = requirements_for_kind(&requirements, Some(&gas_work));
        assert_eq!(judged.len(), 1);
        assert_eq!(
            traffic_light(judged.iter().map(|r| r.status.status)),
            TrafficLight::Green
        );
        let electrical = [
            (1, "Gas safety".to_string()),
            (3, "Electrical installation".to_string()),
        ];
        let judged = requirements_for_kind(&requirements, Some(&electrical));
        assert_eq!(judged[1].status.status, ComplianceStatus::Missing);
        assert_eq!(judged[1].certificate_type, "Electrical installation");
        assert_eq!(requirements_for_kind(&requirements, None).len(), 2);
    }
}
