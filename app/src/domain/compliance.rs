//! Contractor certification compliance (docs/product.md, "Certification"): the status of one required
//! certificate type from its documents, the contractor's traffic light, and certificate reminders.
//! "Today" is the agency's calendar day, worked out by the caller from the agency's time zone.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The six icons of the compliance matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ComplianceStatus {
    NotRequired,
    Missing,
    NeedsValidation,
    Expired,
    ExpiringSoon,
    Valid,
    /// The newest validated document's cover is below the type's minimum, or not recorded.
    CoverTooLow,
}

impl ComplianceStatus {
    pub const ALL: [ComplianceStatus; 7] = [
        ComplianceStatus::Valid,
        ComplianceStatus::ExpiringSoon,
        ComplianceStatus::Expired,
        ComplianceStatus::CoverTooLow,
        ComplianceStatus::Missing,
        ComplianceStatus::NeedsValidation,
        ComplianceStatus::NotRequired,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ComplianceStatus::NotRequired => "Not required",
            ComplianceStatus::Missing => "Missing",
            ComplianceStatus::NeedsValidation => "Needs validation",
            ComplianceStatus::Expired => "Expired",
            ComplianceStatus::ExpiringSoon => "Expiring soon",
            ComplianceStatus::Valid => "Valid",
            ComplianceStatus::CoverTooLow => "Cover too low",
        }
    }

    /// The CSS and URL form: `expiring-soon`.
    pub fn slug(self) -> &'static str {
        match self {
            ComplianceStatus::NotRequired => "not-required",
            ComplianceStatus::Missing => "missing",
            ComplianceStatus::NeedsValidation => "needs-validation",
            ComplianceStatus::Expired => "expired",
            ComplianceStatus::ExpiringSoon => "expiring-soon",
            ComplianceStatus::Valid => "valid",
            ComplianceStatus::CoverTooLow => "cover-too-low",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// The light this status alone would give its contractor; `None` when it does not count.
    pub fn light(self) -> Option<TrafficLight> {
        match self {
            ComplianceStatus::NotRequired => None,
            ComplianceStatus::Missing
            | ComplianceStatus::Expired
            | ComplianceStatus::CoverTooLow => Some(TrafficLight::Red),
            ComplianceStatus::NeedsValidation | ComplianceStatus::ExpiringSoon => {
                Some(TrafficLight::Orange)
            }
            ComplianceStatus::Valid => Some(TrafficLight::Green),
        }
    }
}

/// What the status rules need to know about one uploaded document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocumentFacts {
    /// Upload order: the newest upload has the largest value.
    pub uploaded_at: i64,
    pub end_date: Option<NaiveDate>,
    /// Ticked Valid by an agent.
    pub validated: bool,
    /// The cover it records, in whole pounds, if any.
    pub cover: Option<i64>,
}

/// Why a validated document does not meet its type's minimum cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    /// The document's cover, `None` when nobody recorded it.
    pub cover: Option<i64>,
    pub minimum: i64,
}

impl Shortfall {
    /// "Public liability £2,000,000, below the £5,000,000 required".
    pub fn reason(&self, certificate_type: &str) -> String {
        use crate::domain::certificate_reading::pounds;
        match self.cover {
            Some(cover) => format!(
                "{certificate_type} {}, below the {} required",
                pounds(cover),
                pounds(self.minimum)
            ),
            None => format!(
                "{certificate_type}: cover not recorded, {} required",
                pounds(self.minimum)
            ),
        }
    }
}

/// The status of one certificate type for one contractor, and what the matrix cell also shows.
/// It travels to the browser as a short array (see [`CompactTypeStatus`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CompactTypeStatus", into = "CompactTypeStatus")]
pub struct TypeStatus {
    pub status: ComplianceStatus,
    /// A document newer than the deciding one waits for an agent to validate it.
    pub awaiting_validation: bool,
    /// The end date of the deciding (newest validated) document.
    pub valid_until: Option<NaiveDate>,
    /// Set when the deciding document's cover is below the type's minimum.
    pub shortfall: Option<Shortfall>,
}

/// [`TypeStatus`] as the pages' data carries it: `["Valid",false,"2027-05-01",null]` rather
/// than an object with its field names, a third of the bytes for the matrix's thousand cells.
#[derive(Serialize, Deserialize)]
struct CompactTypeStatus(ComplianceStatus, bool, Option<NaiveDate>, Option<Shortfall>);

impl From<TypeStatus> for CompactTypeStatus {
    fn from(s: TypeStatus) -> Self {
        CompactTypeStatus(s.status, s.awaiting_validation, s.valid_until, s.shortfall)
    }
}

impl From<CompactTypeStatus> for TypeStatus {
    fn from(
        CompactTypeStatus(status, awaiting_validation, valid_until, shortfall): CompactTypeStatus,
    ) -> Self {
        TypeStatus {
            status,
            awaiting_validation,
            valid_until,
            shortfall,
        }
    }
}

impl TypeStatus {
    /// What is wrong, as the instruct check and the matrix say it: "Gas safety: expired", or
    /// the cover's shortfall.
    pub fn problem(&self, certificate_type: &str) -> String {
        match self.shortfall {
            Some(shortfall) => shortfall.reason(certificate_type),
            None => format!("{certificate_type}: {}", self.status.label().to_lowercase()),
        }
    }
}

/// The one rule of certification: the newest validated document decides; a later upload waiting for
/// validation neither lowers nor raises the status. A document ending today is still in date
/// (it is expiring soon); one that ended yesterday is expired. No end date never expires.
/// `window_days`: "expiring soon" covers end dates from today to today + window, both included.
/// `minimum_cover`: a type that requires cover is met only by a document recording at least as
/// much; below it (or not recorded) the status is `CoverTooLow`, whatever the dates say.
pub fn type_status(
    required: bool,
    documents: &[DocumentFacts],
    today: NaiveDate,
    window_days: u32,
    minimum_cover: Option<i64>,
) -> TypeStatus {
    let newest_valid = documents
        .iter()
        .filter(|d| d.validated)
        .max_by_key(|d| d.uploaded_at);
    let awaiting_validation = documents.iter().any(|d| {
        !d.validated && newest_valid.is_none_or(|valid| d.uploaded_at > valid.uploaded_at)
    });
    let valid_until = newest_valid.and_then(|d| d.end_date);
    let shortfall = match (newest_valid, minimum_cover) {
        (Some(d), Some(minimum)) if d.cover.is_none_or(|c| c < minimum) => Some(Shortfall {
            cover: d.cover,
            minimum,
        }),
        _ => None,
    };
    let status = if !required {
        ComplianceStatus::NotRequired
    } else {
        match newest_valid {
            None if documents.is_empty() => ComplianceStatus::Missing,
            None => ComplianceStatus::NeedsValidation,
            Some(_) if shortfall.is_some() => ComplianceStatus::CoverTooLow,
            Some(DocumentFacts { end_date: None, .. }) => ComplianceStatus::Valid,
            Some(DocumentFacts {
                end_date: Some(end),
                ..
            }) => {
                let window_end = today.checked_add_days(Days::new(window_days.into()));
                if *end < today {
                    ComplianceStatus::Expired
                } else if window_end.is_none_or(|edge| *end <= edge) {
                    ComplianceStatus::ExpiringSoon
                } else {
                    ComplianceStatus::Valid
                }
            }
        }
    };
    TypeStatus {
        status,
        awaiting_validation,
        valid_until,
        shortfall,
    }
}

/// What an agent does next about one certificate of a contractor, as the matrix offers it: the
/// step that moves it on, or "view" when nothing is needed.
pub fn next_step(status: &TypeStatus) -> &'static str {
    if status.awaiting_validation {
        return "validate the waiting document";
    }
    match status.status {
        ComplianceStatus::NeedsValidation => "validate the document",
        ComplianceStatus::Missing => "chase it or upload it on their behalf",
        ComplianceStatus::Expired => "chase the renewal or upload it on their behalf",
        ComplianceStatus::ExpiringSoon => "chase the renewal",
        ComplianceStatus::CoverTooLow => "check the cover or ask for the new policy",
        ComplianceStatus::Valid => "view",
        ComplianceStatus::NotRequired => "request it",
    }
}

/// A contractor's overall light.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TrafficLight {
    Green,
    Orange,
    Red,
}

impl TrafficLight {
    /// Worst first, as the lists and the dashboard show them.
    pub const ALL: [TrafficLight; 3] =
        [TrafficLight::Red, TrafficLight::Orange, TrafficLight::Green];

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.slug() == slug)
    }

    /// The light's place in [`TrafficLight::ALL`].
    pub fn index(self) -> usize {
        match self {
            TrafficLight::Red => 0,
            TrafficLight::Orange => 1,
            TrafficLight::Green => 2,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TrafficLight::Green => "Compliant",
            TrafficLight::Orange => "Attention needed",
            TrafficLight::Red => "Not compliant",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            TrafficLight::Green => "green",
            TrafficLight::Orange => "orange",
            TrafficLight::Red => "red",
        }
    }
}

/// How long a tick Valid may be taken back: long enough to notice a slip, short enough that
/// nobody has relied on it.
pub const VALIDATION_UNDO_MS: i64 = 10 * 60_000;

/// Whether a document ticked Valid at `validated_at` may still be set back to awaiting validation.
pub fn validation_undoable(validated_at: Option<i64>, now: i64) -> bool {
    validated_at.is_some_and(|at| now >= at && now - at <= VALIDATION_UNDO_MS)
}

/// The worst light of the required types: red if any is expired or missing, orange if any is
/// expiring soon or waiting for validation, green otherwise (nothing required is green).
pub fn traffic_light(statuses: impl IntoIterator<Item = ComplianceStatus>) -> TrafficLight {
    statuses
        .into_iter()
        .filter_map(ComplianceStatus::light)
        .max()
        .unwrap_or(TrafficLight::Green)
}

/// Whether work may go to a contractor: a red contractor is refused unless the agent
/// holds the override permission and gives a reason, which is then recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstructDecision {
    Allowed,
    /// Red, and this agent may override: ask for a reason first.
    NeedsReason,
    /// Red, overridden with this reason.
    Overridden(String),
    /// Red, and this agent may not override.
    Refused,
}

pub fn instruct_decision(
    light: TrafficLight,
    may_override: bool,
    reason: Option<&str>,
) -> InstructDecision {
    if light != TrafficLight::Red {
        return InstructDecision::Allowed;
    }
    match (
        may_override,
        reason.map(str::trim).filter(|r| !r.is_empty()),
    ) {
        (false, _) => InstructDecision::Refused,
        (true, None) => InstructDecision::NeedsReason,
        (true, Some(reason)) => InstructDecision::Overridden(reason.to_string()),
    }
}

/// How long before the date a reminder is sent: `Week1`..`Week4`, `Month1`..`Month3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reminder {
    Weeks(u8),
    Months(u8),
}

/// Which date of the certificate a reminder counts back from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelatesTo {
    StartDate,
    #[default]
    EndDate,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReminderError {
    #[error("\"{0}\" is not a reminder: use Week1 to Week4 or Month1 to Month3")]
    Unknown(String),
    #[error("\"{0}\" is too far ahead: reminders go up to Month3")]
    TooFar(String),
    #[error("\"{0}\" must be StartDate or EndDate")]
    RelatesTo(String),
}

impl Reminder {
    pub const ALL: [Reminder; 7] = [
        Reminder::Weeks(1),
        Reminder::Weeks(2),
        Reminder::Weeks(3),
        Reminder::Weeks(4),
        Reminder::Months(1),
        Reminder::Months(2),
        Reminder::Months(3),
    ];

    /// Reads `Week1`..`Week4`, `Month1`..`Month3`, ignoring case and spaces.
    pub fn parse(text: &str) -> Result<Reminder, ReminderError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let unknown = || ReminderError::Unknown(text.trim().to_string());
        let (unit, number) = if let Some(n) = compact.strip_prefix("week") {
            ("week", n)
        } else if let Some(n) = compact.strip_prefix("month") {
            ("month", n)
        } else {
            return Err(unknown());
        };
        let n: u32 = number.parse().map_err(|_| unknown())?;
        match (unit, n) {
            ("week", 1..=4) => Ok(Reminder::Weeks(n as u8)),
            ("month", 1..=3) => Ok(Reminder::Months(n as u8)),
            (_, 0) => Err(unknown()),
            _ => Err(ReminderError::TooFar(text.trim().to_string())),
        }
    }

    pub fn name(self) -> String {
        match self {
            Reminder::Weeks(n) => format!("Week{n}"),
            Reminder::Months(n) => format!("Month{n}"),
        }
    }

    /// As people read it: "1 month before".
    pub fn label(self) -> String {
        match self {
            Reminder::Weeks(1) => "1 week before".into(),
            Reminder::Weeks(n) => format!("{n} weeks before"),
            Reminder::Months(1) => "1 month before".into(),
            Reminder::Months(n) => format!("{n} months before"),
        }
    }

    /// The day the reminder falls due, counting back from `date`. Months keep the day of the
    /// month where it exists and otherwise take the month's last day (31/05 - 1 month = 30/04).
    pub fn due_on(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            Reminder::Weeks(n) => date.checked_sub_days(Days::new(7 * u64::from(n))),
            Reminder::Months(n) => date.checked_sub_months(Months::new(u32::from(n))),
        }
    }
}

impl RelatesTo {
    /// The stored and spreadsheet form.
    pub fn name(self) -> &'static str {
        match self {
            RelatesTo::StartDate => "StartDate",
            RelatesTo::EndDate => "EndDate",
        }
    }

    /// `StartDate` or `EndDate`, ignoring case and spaces; blank means `EndDate`.
    pub fn parse(text: &str) -> Result<RelatesTo, ReminderError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        match compact.as_str() {
            "" | "enddate" => Ok(RelatesTo::EndDate),
            "startdate" => Ok(RelatesTo::StartDate),
            _ => Err(ReminderError::RelatesTo(text.trim().to_string())),
        }
    }
}

/// When a certificate's reminder is due, if it has the date the reminder relates to.
pub fn reminder_due(
    reminder: Reminder,
    relates_to: RelatesTo,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let anchor = match relates_to {
        RelatesTo::StartDate => start,
        RelatesTo::EndDate => end,
    }?;
    reminder.due_on(anchor)
}

/// One required certificate type of a contractor, with its status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementStatus {
    pub certificate_type_id: i64,
    pub certificate_type: String,
    pub status: TypeStatus,
    /// The least cover a document must record, in whole pounds.
    pub minimum_cover: Option<i64>,
    /// The agency's date this certificate fell outstanding, while no valid one holds.
    #[serde(default)]
    pub outstanding_since: Option<chrono::NaiveDate>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_type_status_travels_as_a_short_array_and_comes_back_whole() {
        let status = TypeStatus {
            status: ComplianceStatus::CoverTooLow,
            awaiting_validation: true,
            valid_until: NaiveDate::from_ymd_opt(2027, 5, 1),
            shortfall: Some(Shortfall {
                cover: Some(2_000_000),
                minimum: 5_000_000,
            }),
        };
        let json = serde_json::to_string(&status).unwrap();
        assert!(
            json.starts_with("[\"CoverTooLow\",true,\"2027-05-01\","),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<TypeStatus>(&json).unwrap(), status);
    }

    use super::*;

    #[test]
    fn a_tick_valid_can_be_undone_for_ten_minutes() {
        assert!(validation_undoable(Some(1_000), 1_000));
        assert!(validation_undoable(Some(0), VALIDATION_UNDO_MS));
        assert!(!validation_undoable(Some(0), VALIDATION_UNDO_MS + 1));
        assert!(!validation_undoable(None, 0));
        // A clock that went backwards gives no licence.
        assert!(!validation_undoable(Some(5_000), 1_000));
    }
    use ComplianceStatus::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn traffic_lights_read_back_from_their_slugs_in_worst_first_order() {
        for (i, light) in TrafficLight::ALL.into_iter().enumerate() {
            assert_eq!(TrafficLight::from_slug(light.slug()), Some(light));
            assert_eq!(light.index(), i);
        }
        assert_eq!(TrafficLight::ALL[0], TrafficLight::Red);
        assert_eq!(TrafficLight::from_slug("amber"), None);
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 22);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    fn doc(uploaded_at: i64, end: Option<NaiveDate>, validated: bool) -> DocumentFacts {
        DocumentFacts {
            uploaded_at,
            end_date: end,
            validated,
            cover: None,
        }
    }

    fn status_of(docs: &[DocumentFacts]) -> ComplianceStatus {
        type_status(true, docs, today(), 30, None).status
    }

    #[test]
    fn nothing_uploaded_is_missing_and_not_required_wins() {
        assert_eq!(status_of(&[]), Missing);
        let valid = [doc(1, Some(day(2027, 6, 1)), true)];
        assert_eq!(
            type_status(false, &valid, today(), 30, None).status,
            NotRequired
        );
        assert_eq!(
            type_status(false, &[], today(), 30, None).status,
            NotRequired
        );
    }

    #[test]
    fn uploads_that_no_agent_validated_need_validation() {
        assert_eq!(
            status_of(&[doc(1, Some(day(2027, 6, 1)), false)]),
            NeedsValidation
        );
        let s = type_status(true, &[doc(1, None, false)], today(), 30, None);
        assert!(s.awaiting_validation);
        assert_eq!(s.valid_until, None);
    }

    #[test]
    fn expiry_boundaries() {
        let ends = |end: NaiveDate| status_of(&[doc(1, Some(end), true)]);
        assert_eq!(ends(day(2026, 11, 21)), Expired, "ended yesterday");
        assert_eq!(
            ends(day(2026, 11, 22)),
            ExpiringSoon,
            "ends today: still in date"
        );
        assert_eq!(
            ends(day(2026, 12, 22)),
            ExpiringSoon,
            "exactly at the window's edge"
        );
        assert_eq!(ends(day(2026, 12, 23)), Valid, "a day past the window");
        assert_eq!(ends(day(2020, 1, 1)), Expired);
        assert_eq!(
            status_of(&[doc(1, None, true)]),
            Valid,
            "no end date never expires"
        );
    }

    #[test]
    fn the_window_is_the_agencys() {
        let docs = [doc(1, Some(day(2027, 1, 10)), true)];
        assert_eq!(type_status(true, &docs, today(), 30, None).status, Valid);
        assert_eq!(
            type_status(true, &docs, today(), 60, None).status,
            ExpiringSoon
        );
        assert_eq!(type_status(true, &docs, today(), 1, None).status, Valid);
        let tomorrow = [doc(1, Some(day(2026, 11, 23)), true)];
        assert_eq!(
            type_status(true, &tomorrow, today(), 1, None).status,
            ExpiringSoon
        );
    }

    #[test]
    fn the_newest_validated_document_decides() {
        let old_valid = doc(1, Some(day(2027, 6, 1)), true);
        let newer_expired = doc(2, Some(day(2026, 1, 1)), true);
        assert_eq!(status_of(&[old_valid, newer_expired]), Expired);
        assert_eq!(
            status_of(&[newer_expired, old_valid]),
            Expired,
            "order of the list does not matter"
        );
        let newest_valid = doc(3, Some(day(2028, 1, 1)), true);
        let s = type_status(
            true,
            &[old_valid, newer_expired, newest_valid],
            today(),
            30,
            None,
        );
        assert_eq!(s.status, Valid);
        assert_eq!(s.valid_until, Some(day(2028, 1, 1)));
        assert!(!s.awaiting_validation);
    }

    #[test]
    fn a_renewal_waiting_for_validation_neither_lowers_nor_raises() {
        let expired = doc(1, Some(day(2026, 10, 1)), true);
        let renewal = doc(2, Some(day(2027, 10, 1)), false);
        let s = type_status(true, &[expired, renewal], today(), 30, None);
        assert_eq!(s.status, Expired);
        assert!(s.awaiting_validation);

        let valid = doc(1, Some(day(2027, 10, 1)), true);
        let bad_upload = doc(2, Some(day(2025, 1, 1)), false);
        let s = type_status(true, &[valid, bad_upload], today(), 30, None);
        assert_eq!(s.status, Valid);
        assert!(s.awaiting_validation);

        // An unvalidated upload older than the deciding one is history, not waiting.
        let s = type_status(
            true,
            &[doc(1, None, false), doc(2, None, true)],
            today(),
            30,
            None,
        );
        assert!(!s.awaiting_validation);
    }

    #[test]
    fn the_light_is_the_worst_required_status() {
        assert_eq!(traffic_light([]), TrafficLight::Green);
        assert_eq!(traffic_light([Valid, NotRequired]), TrafficLight::Green);
        assert_eq!(traffic_light([Valid, ExpiringSoon]), TrafficLight::Orange);
        assert_eq!(
            traffic_light([Valid, NeedsValidation]),
            TrafficLight::Orange
        );
        assert_eq!(
            traffic_light([ExpiringSoon, Missing, Valid]),
            TrafficLight::Red
        );
        assert_eq!(traffic_light([Expired]), TrafficLight::Red);
        assert_eq!(
            traffic_light([NotRequired, NotRequired]),
            TrafficLight::Green
        );
    }

    #[test]
    fn only_red_contractors_are_blocked_and_only_overridden_with_a_reason() {
        use InstructDecision::*;
        for light in [TrafficLight::Green, TrafficLight::Orange] {
            assert_eq!(instruct_decision(light, false, None), Allowed);
        }
        assert_eq!(
            instruct_decision(TrafficLight::Red, false, Some("urgent leak")),
            Refused
        );
        assert_eq!(
            instruct_decision(TrafficLight::Red, true, None),
            NeedsReason
        );
        assert_eq!(
            instruct_decision(TrafficLight::Red, true, Some("   ")),
            NeedsReason
        );
        assert_eq!(
            instruct_decision(
                TrafficLight::Red,
                true,
                Some(" burst pipe, nobody else free ")
            ),
            Overridden("burst pipe, nobody else free".into())
        );
    }

    #[test]
    fn statuses_round_trip_through_their_slugs() {
        for s in ComplianceStatus::ALL {
            assert_eq!(ComplianceStatus::from_slug(s.slug()), Some(s));
        }
        assert_eq!(ComplianceStatus::from_slug("green"), None);
    }

    #[test]
    fn reminders_are_week1_to_week4_and_month1_to_month3() {
        for r in Reminder::ALL {
            assert_eq!(Reminder::parse(&r.name()), Ok(r));
        }
        assert_eq!(Reminder::parse(" week 2 "), Ok(Reminder::Weeks(2)));
        assert_eq!(Reminder::parse("MONTH3"), Ok(Reminder::Months(3)));
        assert!(matches!(
            Reminder::parse("Month4"),
            Err(ReminderError::TooFar(_))
        ));
        assert!(matches!(
            Reminder::parse("Month12"),
            Err(ReminderError::TooFar(_))
        ));
        assert!(matches!(
            Reminder::parse("Week5"),
            Err(ReminderError::TooFar(_))
        ));
        for bad in ["", "Week0", "Weekly", "Year1", "Month", "Week-1", "1 month"] {
            assert!(
                matches!(Reminder::parse(bad), Err(ReminderError::Unknown(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            Reminder::parse("Month4").unwrap_err().to_string(),
            "\"Month4\" is too far ahead: reminders go up to Month3"
        );
    }

    #[test]
    fn reminders_count_back_from_the_date_they_relate_to() {
        let start = Some(day(2026, 1, 15));
        let end = Some(day(2027, 3, 31));
        assert_eq!(
            reminder_due(Reminder::Weeks(1), RelatesTo::EndDate, start, end),
            Some(day(2027, 3, 24))
        );
        assert_eq!(
            reminder_due(Reminder::Weeks(4), RelatesTo::EndDate, start, end),
            Some(day(2027, 3, 3))
        );
        // 31 March less a month is the last day of February.
        assert_eq!(
            reminder_due(Reminder::Months(1), RelatesTo::EndDate, start, end),
            Some(day(2027, 2, 28))
        );
        assert_eq!(
            reminder_due(Reminder::Months(3), RelatesTo::EndDate, start, end),
            Some(day(2026, 12, 31))
        );
        assert_eq!(
            reminder_due(Reminder::Months(2), RelatesTo::StartDate, start, end),
            Some(day(2025, 11, 15))
        );
        assert_eq!(
            reminder_due(Reminder::Weeks(1), RelatesTo::EndDate, start, None),
            None
        );
        assert_eq!(
            reminder_due(Reminder::Weeks(1), RelatesTo::StartDate, None, end),
            None
        );
    }

    #[test]
    fn relates_to_defaults_to_the_end_date() {
        assert_eq!(RelatesTo::parse(""), Ok(RelatesTo::EndDate));
        assert_eq!(RelatesTo::parse("End Date"), Ok(RelatesTo::EndDate));
        assert_eq!(RelatesTo::parse("startdate"), Ok(RelatesTo::StartDate));
        assert!(RelatesTo::parse("Expiry").is_err());
    }

    #[test]
    fn each_status_leads_to_its_next_step_and_a_waiting_document_comes_first() {
        let today = today();
        let expired = type_status(true, &[doc(1, today.pred_opt(), true)], today, 30, None);
        assert_eq!(
            next_step(&expired),
            "chase the renewal or upload it on their behalf"
        );
        let renewal_waiting = type_status(
            true,
            &[doc(1, today.pred_opt(), true), doc(2, None, false)],
            today,
            30,
            None,
        );
        assert_eq!(renewal_waiting.status, ComplianceStatus::Expired);
        assert_eq!(next_step(&renewal_waiting), "validate the waiting document");
        assert_eq!(
            next_step(&type_status(true, &[], today, 30, None)),
            "chase it or upload it on their behalf"
        );
        assert_eq!(
            next_step(&type_status(false, &[], today, 30, None)),
            "request it"
        );
        let valid = type_status(true, &[doc(1, None, true)], today, 30, None);
        assert_eq!(next_step(&valid), "view");
    }

    #[test]
    fn cover_below_the_minimum_is_red_with_its_reason() {
        let with_cover = |cover| DocumentFacts {
            cover,
            ..doc(1, NaiveDate::from_ymd_opt(2027, 1, 1), true)
        };
        let low = type_status(
            true,
            &[with_cover(Some(2_000_000))],
            today(),
            30,
            Some(5_000_000),
        );
        assert_eq!(low.status, CoverTooLow);
        assert_eq!(low.status.light(), Some(TrafficLight::Red));
        assert_eq!(
            low.shortfall.unwrap().reason("Public liability"),
            "Public liability £2,000,000, below the £5,000,000 required"
        );
        let enough = type_status(
            true,
            &[with_cover(Some(5_000_000))],
            today(),
            30,
            Some(5_000_000),
        );
        assert_eq!((enough.status, enough.shortfall), (Valid, None));
        let unrecorded = type_status(true, &[with_cover(None)], today(), 30, Some(5_000_000));
        assert_eq!(unrecorded.status, CoverTooLow);
        assert_eq!(
            unrecorded.shortfall.unwrap().reason("Public liability"),
            "Public liability: cover not recorded, £5,000,000 required"
        );
        // No minimum: the amount does not matter.
        let free = type_status(true, &[with_cover(Some(1))], today(), 30, None);
        assert_eq!(free.status, Valid);
        // A low upload waiting for validation does not lower a valid one.
        let pending = DocumentFacts {
            uploaded_at: 2,
            validated: false,
            ..with_cover(Some(1))
        };
        let kept = type_status(
            true,
            &[with_cover(Some(5_000_000)), pending],
            today(),
            30,
            Some(5_000_000),
        );
        assert_eq!(kept.status, Valid);
    }
}
