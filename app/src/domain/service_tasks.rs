//! Service tasks on a task ("Test smoke alarms", "Annual gas safety check"), their results, and
//! the defects found on site: what an agent may list, what a result and a defect must hold, and
//! when the contractor may record them.

use super::task_status::TaskStatus;
use serde::{Deserialize, Serialize};

/// The result a service task expects: pass / fail, or pass / fail with a reading (e.g. a
/// pressure or a loop impedance), which must then be given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultKind {
    PassFail,
    Reading,
}

impl ResultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultKind::PassFail => "pass_fail",
            ResultKind::Reading => "reading",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        [ResultKind::PassFail, ResultKind::Reading]
            .into_iter()
            .find(|k| k.as_str() == stored)
    }
}

/// A recorded compliance result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Pass,
    Fail,
    NotApplicable,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Pass, Outcome::Fail, Outcome::NotApplicable];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == stored)
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "Pass",
            Outcome::Fail => "Fail",
            Outcome::NotApplicable => "Not applicable",
        }
    }
}

/// How serious a defect is, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Informational,
    Recommended,
    NonConformance,
    NonCritical,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Informational,
        Severity::Recommended,
        Severity::NonConformance,
        Severity::NonCritical,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Recommended => "recommended",
            Severity::NonConformance => "non_conformance",
            Severity::NonCritical => "non_critical",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == stored)
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Informational => "Informational",
            Severity::Recommended => "Recommended",
            Severity::NonConformance => "Non-conformance",
            Severity::NonCritical => "Non-critical",
            Severity::Critical => "Critical",
        }
    }
}

pub const MAX_SERVICE_TASKS: usize = 50;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_READING_CHARS: usize = 100;
pub const MAX_DEFECT_CHARS: usize = 2_000;
/// Photos per defect in one upload.
pub const MAX_PHOTOS: usize = 10;

/// The suffix on a line of the agent's list that asks for a reading.
const READING_SUFFIX: &str = "(reading)";

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServiceTaskProblem {
    #[error("List at most 50 service tasks on one task.")]
    TooMany,
    #[error("Line {0}: keep a service task under 200 characters.")]
    TooLong(usize),
    #[error("Line {0}: \"{1}\" is listed twice.")]
    Twice(usize, String),
}

/// The agent's list, one service task per line; a line ending in "(reading)" expects a
/// reading. Blank lines are skipped, so an empty list is no service tasks.
pub fn parse_service_tasks(text: &str) -> Result<Vec<(String, ResultKind)>, ServiceTaskProblem> {
    let mut tasks: Vec<(String, ResultKind)> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (name, kind) = match line
            .len()
            .checked_sub(READING_SUFFIX.len())
            .filter(|&at| line.is_char_boundary(at))
            .filter(|&at| line[at..].eq_ignore_ascii_case(READING_SUFFIX))
        {
            Some(at) => (line[..at].trim(), ResultKind::Reading),
            None => (line, ResultKind::PassFail),
        };
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(ServiceTaskProblem::TooLong(index + 1));
        }
        if tasks.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Err(ServiceTaskProblem::Twice(index + 1, name.to_string()));
        }
        tasks.push((name.to_string(), kind));
        if tasks.len() > MAX_SERVICE_TASKS {
            return Err(ServiceTaskProblem::TooMany);
        }
    }
    Ok(tasks)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResultProblem {
    #[error("This service task expects a reading; give it, or choose Not applicable.")]
    ReadingMissing,
    #[error("Keep a reading under 100 characters.")]
    ReadingTooLong,
}

/// A result as it is kept: the outcome, and the reading trimmed (none when blank).
pub fn check_result(
    kind: ResultKind,
    outcome: Outcome,
    reading: Option<&str>,
) -> Result<Option<String>, ResultProblem> {
    let reading = reading.map(str::trim).filter(|r| !r.is_empty());
    match reading {
        Some(r) if r.chars().count() > MAX_READING_CHARS => Err(ResultProblem::ReadingTooLong),
        None if kind == ResultKind::Reading && outcome != Outcome::NotApplicable => {
            Err(ResultProblem::ReadingMissing)
        }
        r => Ok(r.map(str::to_string)),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DefectProblem {
    #[error("Describe the defect.")]
    Empty,
    #[error("Keep a defect's description under 2,000 characters.")]
    TooLong,
    #[error("Add at most 10 photos at a time.")]
    TooManyPhotos,
}

pub fn check_defect(description: &str, photos: usize) -> Result<&str, DefectProblem> {
    let description = description.trim();
    if description.is_empty() {
        return Err(DefectProblem::Empty);
    }
    if description.chars().count() > MAX_DEFECT_CHARS {
        return Err(DefectProblem::TooLong);
    }
    if photos > MAX_PHOTOS {
        return Err(DefectProblem::TooManyPhotos);
    }
    Ok(description)
}

/// Results and defects are recorded once the task is accepted and until the work is signed as
/// performed: on site and on a revisit. A signed record is read-only; the office reopens it (with
/// a reason) to change it, which withdraws the signatures.
pub fn can_record_work(status: TaskStatus) -> bool {
    matches!(
        status,
        TaskStatus::Accepted | TaskStatus::InProgress | TaskStatus::Revisit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_service_task_per_line_and_readings_by_suffix() {
        let text = "Test smoke alarms\r\n\n  Check boiler pressure (Reading)  \nVisual check\n";
        assert_eq!(
            parse_service_tasks(text).unwrap(),
            vec![
                ("Test smoke alarms".to_string(), ResultKind::PassFail),
                ("Check boiler pressure".to_string(), ResultKind::Reading),
                ("Visual check".to_string(), ResultKind::PassFail),
            ]
        );
        assert_eq!(parse_service_tasks("  \n\n").unwrap(), vec![]);
        assert_eq!(parse_service_tasks("(reading)").unwrap(), vec![]);
    }

    #[test]
    fn lists_too_long_duplicated_or_with_long_lines_are_refused() {
        let many: String = (0..51).map(|i| format!("Check {i}\n")).collect();
        assert_eq!(parse_service_tasks(&many), Err(ServiceTaskProblem::TooMany));
        let fifty: String = (0..50).map(|i| format!("Check {i}\n")).collect();
        assert_eq!(parse_service_tasks(&fifty).unwrap().len(), 50);
        let long = format!("ok\n{}", "x".repeat(201));
        assert_eq!(
            parse_service_tasks(&long),
            Err(ServiceTaskProblem::TooLong(2))
        );
        assert_eq!(
            parse_service_tasks("Test alarms\ntest ALARMS (reading)"),
            Err(ServiceTaskProblem::Twice(2, "test ALARMS".into()))
        );
        // A multi-byte character just before where the suffix would start is not split.
        assert_eq!(
            parse_service_tasks("Prüfung éé").unwrap(),
            vec![("Prüfung éé".to_string(), ResultKind::PassFail)]
        );
    }

    #[test]
    fn readings_are_required_only_where_expected() {
        use Outcome::*;
        use ResultKind::*;
        assert_eq!(check_result(PassFail, Pass, None), Ok(None));
        assert_eq!(check_result(PassFail, Fail, Some("  ")), Ok(None));
        assert_eq!(
            check_result(Reading, Fail, Some(" 0.9 bar ")),
            Ok(Some("0.9 bar".into()))
        );
        assert_eq!(
            check_result(Reading, Pass, Some(" ")),
            Err(ResultProblem::ReadingMissing)
        );
        assert_eq!(check_result(Reading, NotApplicable, None), Ok(None));
        assert_eq!(
            check_result(PassFail, Pass, Some(&"1".repeat(101))),
            Err(ResultProblem::ReadingTooLong)
        );
    }

    #[test]
    fn defects_need_a_description_and_few_photos() {
        assert_eq!(check_defect("  Alarm dead ", 1), Ok("Alarm dead"));
        assert_eq!(check_defect(" ", 0), Err(DefectProblem::Empty));
        assert_eq!(
            check_defect(&"x".repeat(2001), 0),
            Err(DefectProblem::TooLong)
        );
        assert_eq!(check_defect("x", 11), Err(DefectProblem::TooManyPhotos));
    }

    #[test]
    fn work_is_recorded_between_accepting_and_signing() {
        use TaskStatus::*;
        for status in [Accepted, InProgress, Revisit] {
            assert!(can_record_work(status), "{status:?}");
        }
        // Signed as performed: read-only until the office reopens it.
        for status in [
            Draft,
            Assigned,
            Rejected,
            PerformedNeedDocs,
            Performed,
            Completed,
        ] {
            assert!(!can_record_work(status), "{status:?}");
        }
    }

    #[test]
    fn stored_forms_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
        for k in [ResultKind::PassFail, ResultKind::Reading] {
            assert_eq!(ResultKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Severity::parse("fatal"), None);
    }
}
