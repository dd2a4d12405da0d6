//! Whether a technician holds what a task requires: for each certificate type the task asks of
//! its technicians, the technician's newest accreditation of that type must exist and not have
//! ended. Shown beside each technician before they are picked, and recorded when they are
//! assigned anyway.

use super::dates::DateFormat;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One uploaded accreditation, as far as the rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accreditation {
    pub certificate_type_id: i64,
    pub end_date: Option<NaiveDate>,
    /// When it was uploaded: the newest of a type counts.
    pub uploaded_at: i64,
}

/// What a technician lacks for one required type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gap {
    Missing,
    Expired(NaiveDate),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccreditationGap {
    pub type_name: String,
    pub gap: Gap,
}

impl AccreditationGap {
    /// "Gas Safe registration (missing)", "Gas Safe registration (expired 01/10/2026)".
    pub fn describe(&self, format: DateFormat) -> String {
        match self.gap {
            Gap::Missing => format!("{} (missing)", self.type_name),
            Gap::Expired(on) => format!("{} (expired {})", self.type_name, format.format(on)),
        }
    }
}

/// The required types (id, name) the technician lacks or holds only expired, in the order
/// required. An accreditation ending today still counts on the day.
pub fn gaps(
    required: &[(i64, String)],
    held: &[Accreditation],
    today: NaiveDate,
) -> Vec<AccreditationGap> {
    let mut newest: HashMap<i64, Accreditation> = HashMap::new();
    for a in held {
        let entry = newest.entry(a.certificate_type_id).or_insert(*a);
        if a.uploaded_at > entry.uploaded_at {
            *entry = *a;
        }
    }
    required
        .iter()
        .filter_map(|(type_id, name)| {
            let gap = match newest.get(type_id) {
                None => Gap::Missing,
                Some(Accreditation {
                    end_date: Some(end),
                    ..
                }) if *end < today => Gap::Expired(*end),
                Some(_) => return None,
            };
            Some(AccreditationGap {
                type_name: name.clone(),
                gap,
            })
        })
        .collect()
}

/// The gaps of one technician across many tasks, each type once, as one line per type.
pub fn describe_all(gaps: &[AccreditationGap], format: DateFormat) -> Vec<String> {
    let mut lines: Vec<String> = gaps.iter().map(|g| g.describe(format)).collect();
    lines.sort();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn required() -> Vec<(i64, String)> {
        vec![(1, "Gas Safe".into()), (2, "Working at height".into())]
    }

    fn held(type_id: i64, end: Option<NaiveDate>, at: i64) -> Accreditation {
        Accreditation {
            certificate_type_id: type_id,
            end_date: end,
            uploaded_at: at,
        }
    }

    #[test]
    fn nothing_required_means_no_gaps() {
        assert!(gaps(&[], &[], day(22)).is_empty());
    }

    #[test]
    fn each_missing_type_is_a_gap_in_the_required_order() {
        let g = gaps(&required(), &[], day(22));
        assert_eq!(
            g.iter().map(|g| g.type_name.as_str()).collect::<Vec<_>>(),
            ["Gas Safe", "Working at height"]
        );
        assert!(g.iter().all(|g| g.gap == Gap::Missing));
    }

    #[test]
    fn an_accreditation_counts_until_the_end_of_its_last_day() {
        let on_the_day = [held(1, Some(day(22)), 1), held(2, None, 1)];
        assert!(gaps(&required(), &on_the_day, day(22)).is_empty());
        let g = gaps(&required(), &on_the_day, day(23));
        assert_eq!(
            g,
            vec![AccreditationGap {
                type_name: "Gas Safe".into(),
                gap: Gap::Expired(day(22))
            }]
        );
        assert_eq!(
            g[0].describe(DateFormat::default()),
            "Gas Safe (expired 22/11/2026)"
        );
    }

    #[test]
    fn the_newest_upload_of_a_type_decides() {
        // A renewal uploaded later replaces an expired one...
        let renewed = [
            held(1, Some(day(1)), 1),
            held(1, Some(day(30)), 2),
            held(2, None, 1),
        ];
        assert!(gaps(&required(), &renewed, day(22)).is_empty());
        // ...and a later upload that has ended is what counts, whatever came before.
        let lapsed = [
            held(1, Some(day(30)), 1),
            held(1, Some(day(2)), 5),
            held(2, None, 1),
        ];
        assert_eq!(
            gaps(&required(), &lapsed, day(22))[0].gap,
            Gap::Expired(day(2))
        );
    }

    #[test]
    fn accreditations_of_other_types_do_not_count() {
        let other = [held(9, None, 1)];
        assert_eq!(gaps(&required(), &other, day(22)).len(), 2);
    }

    #[test]
    fn gaps_across_tasks_are_listed_once() {
        let g = gaps(&required(), &[], day(22));
        let twice: Vec<_> = g.iter().chain(g.iter()).cloned().collect();
        assert_eq!(
            describe_all(&twice, DateFormat::default()),
            ["Gas Safe (missing)", "Working at height (missing)"]
        );
    }
}
