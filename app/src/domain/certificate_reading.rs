//! Reading a certificate's text for the user: what it says about its dates, who issued it, its
//! number and, for insurance, its cover. A proposal only; a person always confirms.
//!
//! The rule throughout: a wrong proposal is worse than none. A date is proposed only when a
//! label says what it is ("expiry date", "next inspection due", "period of insurance from … to
//! …"); dates of birth, print dates and unlabelled dates are never proposed, and where the
//! document gives two different dates for the same thing, neither is.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a certificate's text says, as far as it can be read with confidence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reading {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// The insurer or the issuing body.
    pub issuer: Option<String>,
    /// The policy, registration or certificate number.
    pub reference: Option<String>,
    /// The cover in whole pounds, for the certificate's own kind of cover.
    pub cover: Option<i64>,
}

impl Reading {
    pub fn is_empty(&self) -> bool {
        *self == Reading::default()
    }
}

/// How reading a document went, as stored beside it and shown to the person confirming.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadOutcome {
    /// Text was found; the reading holds what could be read with confidence.
    Read,
    /// A PDF without a text layer (a scan or a photo): nothing to propose.
    NoText,
    /// The document could not be read (damaged, encrypted, over the limits).
    Unreadable,
    /// Reading took longer than allowed.
    TimedOut,
}

impl ReadOutcome {
    pub fn name(self) -> &'static str {
        match self {
            ReadOutcome::Read => "read",
            ReadOutcome::NoText => "no_text",
            ReadOutcome::Unreadable => "unreadable",
            ReadOutcome::TimedOut => "timed_out",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            ReadOutcome::Read,
            ReadOutcome::NoText,
            ReadOutcome::Unreadable,
            ReadOutcome::TimedOut,
        ]
        .into_iter()
        .find(|o| o.name() == name)
    }

    /// What the person confirming is told.
    pub fn message(self, found_anything: bool) -> &'static str {
        match (self, found_anything) {
            (ReadOutcome::Read, true) => {
                "Read from the document: check each value before you confirm."
            }
            (ReadOutcome::Read, false) => {
                "The document has text, but no dates or numbers we could read with confidence: type them."
            }
            (ReadOutcome::NoText, _) => {
                "This PDF has no text to read (a scan or a photo): type the dates from the document."
            }
            (ReadOutcome::Unreadable, _) => {
                "This PDF could not be read: type the dates from the document."
            }
            (ReadOutcome::TimedOut, _) => {
                "Reading this PDF took too long: type the dates from the document."
            }
        }
    }
}

/// What reading an upload proposes: how the reading went (`None` for a file that is not a PDF)
/// and what it found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub outcome: Option<ReadOutcome>,
    pub reading: Reading,
}

impl Proposal {
    /// What the person is told, if anything.
    pub fn message(&self) -> Option<&'static str> {
        self.outcome.map(|o| o.message(!self.reading.is_empty()))
    }
}

/// A value as the document or the person gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Value {
    Date(NaiveDate),
    Pounds(i64),
}

impl Value {
    /// As the agency writes it: `write_date` for dates, "£5,000,000" for amounts.
    pub fn show(self, write_date: impl Fn(NaiveDate) -> String) -> String {
        match self {
            Value::Date(d) => write_date(d),
            Value::Pounds(p) => pounds(p),
        }
    }
}

/// One value typed by a person that the document contradicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// "start date", "expiry date", "cover".
    pub field: String,
    pub typed: Option<Value>,
    pub document: Value,
}

/// What the agent sees before ticking Valid: how the typed values compare with the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentCheck {
    /// Every value the document states agrees with the typed one.
    Matches,
    Differs(Vec<Difference>),
    /// The document was read but states none of the values.
    NothingStated,
    /// The document could not be read (no text, unreadable, too slow).
    NotRead(ReadOutcome),
}

impl DocumentCheck {
    /// Compares the typed start, end and cover with what the document said.
    pub fn of(
        outcome: ReadOutcome,
        typed: (Option<NaiveDate>, Option<NaiveDate>, Option<i64>),
        read: &Reading,
    ) -> DocumentCheck {
        if outcome != ReadOutcome::Read {
            return DocumentCheck::NotRead(outcome);
        }
        let mut differences = Vec::new();
        let mut agreed = 0;
        let pairs = [
            (
                "start date",
                typed.0.map(Value::Date),
                read.start_date.map(Value::Date),
            ),
            (
                "expiry date",
                typed.1.map(Value::Date),
                read.end_date.map(Value::Date),
            ),
            (
                "cover",
                typed.2.map(Value::Pounds),
                read.cover.map(Value::Pounds),
            ),
        ];
        for (field, typed, document) in pairs {
            match (agreement(typed.as_ref(), document.as_ref()), document) {
                (Agreement::Matches, _) => agreed += 1,
                (Agreement::Differs, Some(document)) => differences.push(Difference {
                    field: field.to_string(),
                    typed,
                    document,
                }),
                _ => {}
            }
        }
        if !differences.is_empty() {
            DocumentCheck::Differs(differences)
        } else if agreed > 0 {
            DocumentCheck::Matches
        } else {
            DocumentCheck::NothingStated
        }
    }
}

/// Whether a value typed by a person agrees with what the document says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Agreement {
    /// The document says nothing we could read about it.
    Unknown,
    Matches,
    Differs,
}

pub fn agreement<T: PartialEq>(typed: Option<&T>, read: Option<&T>) -> Agreement {
    match (typed, read) {
        (_, None) => Agreement::Unknown,
        (Some(t), Some(r)) if t == r => Agreement::Matches,
        _ => Agreement::Differs,
    }
}

/// Whether a PDF's text is worth reading: a scan may still carry a page number or a stamp,
/// but a certificate has at least a few words.
pub fn has_text(text: &str) -> bool {
    text.chars().filter(|c| c.is_alphabetic()).count() >= 20
}

/// The longest text read from one document; certificates are a few pages.
pub const MAX_TEXT_CHARS: usize = 200_000;

/// Reads a certificate's extracted text. `certificate_type` is the type's name (e.g. "Public
/// liability insurance"): where a document lists several covers, it picks the type's own.
pub fn read_certificate(text: &str, certificate_type: &str) -> Reading {
    let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
    let lines: Vec<Line> = text
        .lines()
        .map(Line::new)
        .filter(|l| !l.lower.is_empty())
        .collect();
    let (start_date, end_date) = dates(&lines);
    Reading {
        start_date,
        end_date,
        issuer: issuer(&lines),
        reference: reference(&lines),
        cover: cover(&lines, certificate_type),
    }
}

/// One line of text: as written (spaces collapsed) and lower-cased with the same byte offsets.
struct Line {
    text: String,
    lower: String,
}

impl Line {
    fn new(raw: &str) -> Line {
        let text = raw
            .replace(['\u{a0}', '\u{2009}', '\u{202f}'], " ")
            .replace(['\u{2013}', '\u{2014}'], "-")
            .replace(['\u{2018}', '\u{2019}'], "'")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // ASCII lower-casing keeps byte offsets equal between the two strings.
        let lower = text.to_ascii_lowercase();
        Line { text, lower }
    }
}

// ---------------------------------------------------------------------------------------------
// Dates

/// A date found in a line, with its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FoundDate {
    start: usize,
    end: usize,
    date: NaiveDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DateRole {
    Start,
    End,
    /// Not the certificate's (a date of birth, a print date): never proposed.
    Other,
}

/// Labels, longest first within each role so the most specific wins where two overlap.
const END_LABELS: &[&str] = &[
    "recommended date for next inspection",
    "next safety check due",
    "next inspection due",
    "next inspection date",
    "next inspection",
    "next check due",
    "next service due",
    "next test due",
    "next test date",
    "date of expiry",
    "expiration date",
    "policy expiry",
    "expiry date",
    "renewal date",
    "valid until",
    "valid thru",
    "valid to",
    "retest date",
    "re-test date",
    "expires on",
    "cover ends",
    "end date",
    "expires",
    "expiry",
];

const START_LABELS: &[&str] = &[
    "date of this inspection",
    "date of commencement",
    "commencement date",
    "date of service",
    "service date",
    "date of completion",
    "date of inspection",
    "inspection date",
    "completion date",
    "effective date",
    "effective from",
    "inception date",
    "date of check",
    "date of issue",
    "date of award",
    "date of test",
    "completed on",
    "cover starts",
    "inspected on",
    "date issued",
    "start date",
    "valid from",
    "issue date",
    "awarded on",
    "issued on",
    "tested on",
    "test date",
    "check date",
];

const OTHER_LABELS: &[&str] = &[
    "date of birth",
    "d.o.b",
    "dob",
    "born",
    "printed",
    "print date",
    "generated",
    "produced on",
    "downloaded",
    "date received",
    "date of application",
    "applied on",
    "signed on",
    "date signed",
    "signature date",
];

/// Words that introduce a period ("Period of insurance: 01/04/2026 to 31/03/2027").
const PERIOD_LABELS: &[&str] = &[
    "period of insurance",
    "insurance period",
    "period of cover",
    "policy period",
    "cover period",
    "valid from",
    "valid",
    "from",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Strength {
    /// Worked out from a duration the document states ("valid for 3 years").
    Computed,
    /// Labelled in so many words.
    Stated,
}

#[derive(Clone, Copy, Debug)]
struct Candidate {
    role: DateRole,
    date: NaiveDate,
    strength: Strength,
}

fn dates(lines: &[Line]) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let mut candidates = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let found = find_dates(&line.lower);
        if found.is_empty() {
            continue;
        }
        if let Some(period) = period(line, &found) {
            candidates.extend(period);
            continue;
        }
        let labels_here: Vec<Option<DateRole>> = found
            .iter()
            .enumerate()
            .map(|(k, d)| {
                let from = if k == 0 { 0 } else { found[k - 1].end };
                label_role(&line.lower[from..d.start])
            })
            .collect();
        let unlabelled = labels_here.iter().all(Option::is_none);
        let heading_above = i > 0 && find_dates(&lines[i - 1].lower).is_empty();
        if unlabelled && heading_above && found.len() >= 2 {
            // A row of values under a row of labels (a table).
            let heading = labels_in_order(&lines[i - 1].lower);
            if heading.len() == found.len() {
                for (role, d) in heading.into_iter().zip(&found) {
                    candidates.push(Candidate {
                        role,
                        date: d.date,
                        strength: Strength::Stated,
                    });
                }
            }
            continue;
        }
        for (k, d) in found.iter().enumerate() {
            let own = &line.lower[if k == 0 { 0 } else { found[k - 1].end }..d.start];
            // A date first on its line takes its words from the line above: a label over its
            // value, or a sentence wrapped before the date.
            let joined;
            let before = if k == 0 && !has_words(own) && heading_above {
                joined = format!("{} {own}", lines[i - 1].lower);
                joined.as_str()
            } else {
                own
            };
            if let Some(months) = duration_before(before) {
                candidates.push(Candidate {
                    role: DateRole::Start,
                    date: d.date,
                    strength: Strength::Stated,
                });
                if let Some(end) = period_end(d.date, months) {
                    candidates.push(Candidate {
                        role: DateRole::End,
                        date: end,
                        strength: Strength::Computed,
                    });
                }
                continue;
            }
            let role = if k == 0 && before.len() != own.len() {
                label_role(before)
            } else {
                labels_here[k]
            };
            if let Some(role) = role {
                candidates.push(Candidate {
                    role,
                    date: d.date,
                    strength: Strength::Stated,
                });
            }
        }
    }
    let mut start = decide(&candidates, DateRole::Start);
    let mut end = decide(&candidates, DateRole::End);
    if end.is_none() {
        // "Valid for 3 years" with a stated start date.
        if let (Some(from), Some(months)) = (start, stated_validity(lines)) {
            end = period_end(from, months);
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            start = None;
            end = None;
        }
    }
    (start, end)
}

/// The one date of a role: the strongest statement wins; two different dates at the same
/// strength mean the document is unclear, so nothing is proposed.
fn decide(candidates: &[Candidate], role: DateRole) -> Option<NaiveDate> {
    let of_role: Vec<&Candidate> = candidates.iter().filter(|c| c.role == role).collect();
    let strongest = of_role.iter().map(|c| c.strength).max()?;
    let mut dates = of_role
        .iter()
        .filter(|c| c.strength == strongest)
        .map(|c| c.date);
    let first = dates.next()?;
    dates.all(|d| d == first).then_some(first)
}

/// The end of a period of `months` starting on `from`: the day before the anniversary, as
/// insurers write it (12 months from 1 March 2026 ends on 28 February 2027).
fn period_end(from: NaiveDate, months: u32) -> Option<NaiveDate> {
    from.checked_add_months(Months::new(months))?
        .checked_sub_days(Days::new(1))
}

/// "01/04/2026 to 31/03/2027" after a period label: the start and the end.
fn period(line: &Line, found: &[FoundDate]) -> Option<Vec<Candidate>> {
    if found.len() != 2 {
        return None;
    }
    let between = line.lower[found[0].end..found[1].start]
        .trim()
        .trim_matches(|c: char| c == ',' || c == ':');
    if !matches!(
        between,
        "to" | "-" | "until" | "till" | "and" | "to and including"
    ) {
        return None;
    }
    let before = line.lower[..found[0].start].trim_end();
    let before = before
        .trim_end_matches([':', '-', ' '])
        .trim_end_matches("between")
        .trim_end();
    if !PERIOD_LABELS.iter().any(|l| before.ends_with(l)) {
        return None;
    }
    Some(vec![
        Candidate {
            role: DateRole::Start,
            date: found[0].date,
            strength: Strength::Stated,
        },
        Candidate {
            role: DateRole::End,
            date: found[1].date,
            strength: Strength::Stated,
        },
    ])
}

/// The role of the label nearest before a date in `context` (the text since the previous date).
fn label_role(context: &str) -> Option<DateRole> {
    let context = context.trim_end().trim_end_matches([':', '-', ' ', '.']);
    let tail: String = context
        .chars()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    // The label ending last is the one the date belongs to.
    let mut best: Option<(usize, usize, DateRole)> = None;
    for (labels, role) in [
        (OTHER_LABELS, DateRole::Other),
        (END_LABELS, DateRole::End),
        (START_LABELS, DateRole::Start),
    ] {
        for label in labels {
            if let Some(at) = find_word(&tail, label) {
                let end = at + label.len();
                let better = match best {
                    None => true,
                    Some((best_end, best_len, _)) => {
                        end > best_end || (end == best_end && label.len() > best_len)
                    }
                };
                if better {
                    best = Some((end, label.len(), role));
                }
            }
        }
    }
    let (end, _, role) = best?;
    // Only a few words may stand between the label and its date ("Expiry date (dd/mm/yyyy):").
    let gap = &tail[end..];
    (gap.split_whitespace().count() <= 3 && !has_digits(gap)).then_some(role)
}

/// The date labels of a heading row, left to right.
fn labels_in_order(heading: &str) -> Vec<DateRole> {
    let mut found: Vec<(usize, usize, DateRole)> = Vec::new();
    for (labels, role) in [
        (OTHER_LABELS, DateRole::Other),
        (END_LABELS, DateRole::End),
        (START_LABELS, DateRole::Start),
    ] {
        for label in labels {
            let mut from = 0;
            while let Some(at) = find_word(&heading[from..], label) {
                let at = from + at;
                found.push((at, at + label.len(), role));
                from = at + label.len();
            }
        }
    }
    // Keep the longest label where two overlap ("next inspection due" over "inspection").
    found.sort_by_key(|&(at, end, _)| (at, std::cmp::Reverse(end)));
    let mut kept: Vec<(usize, usize, DateRole)> = Vec::new();
    for f in found {
        if kept.last().is_none_or(|last| f.0 >= last.1) {
            kept.push(f);
        }
    }
    kept.into_iter().map(|(_, _, role)| role).collect()
}

/// "12 months from", "one year from", "3 years from" right before a date: the months.
fn duration_before(before: &str) -> Option<u32> {
    let before = before.trim_end();
    let rest = before.strip_suffix("from")?.trim_end();
    let rest = rest.strip_suffix("of").map(str::trim_end).unwrap_or(rest);
    let (rest, per) = if let Some(r) = rest.strip_suffix("months") {
        (r, 1)
    } else if let Some(r) = rest.strip_suffix("month") {
        (r, 1)
    } else if let Some(r) = rest.strip_suffix("years") {
        (r, 12)
    } else if let Some(r) = rest.strip_suffix("year") {
        (r, 12)
    } else {
        return None;
    };
    let count = number_word(rest.trim_end().rsplit(' ').next()?)?;
    Some(count * per)
}

/// "Valid for 3 years" / "valid for twelve months" anywhere in the document: the months.
fn stated_validity(lines: &[Line]) -> Option<u32> {
    let mut found = None;
    for line in lines {
        let mut from = 0;
        while let Some(at) = line.lower[from..].find("valid for ") {
            let rest = &line.lower[from + at + "valid for ".len()..];
            let mut words = rest.split_whitespace();
            if let (Some(n), Some(unit)) = (words.next(), words.next()) {
                let per = match unit.trim_end_matches(['.', ',', ')']) {
                    "month" | "months" => Some(1),
                    "year" | "years" => Some(12),
                    _ => None,
                };
                if let (Some(n), Some(per)) = (number_word(n), per) {
                    let months = n * per;
                    if found.is_some_and(|f| f != months) {
                        return None;
                    }
                    found = Some(months);
                }
            }
            from += at + 1;
        }
    }
    found
}

fn number_word(word: &str) -> Option<u32> {
    let n = match word {
        "one" | "a" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "ten" => 10,
        "twelve" => 12,
        digits => digits.parse().ok()?,
    };
    (1..=120).contains(&n).then_some(n)
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_number(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| *m == word || (word.len() <= 4 && m.starts_with(word)))
        .map(|i| i as u32 + 1)
}

/// A token of a line: a run of letters and digits, or one other character (spaces dropped).
#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut run_start: Option<usize> = None;
    for (i, c) in line.char_indices() {
        if c.is_alphanumeric() {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(s) = run_start.take() {
            out.push(Token {
                text: &line[s..i],
                start: s,
                end: i,
            });
        }
        if !c.is_whitespace() {
            out.push(Token {
                text: &line[i..i + c.len_utf8()],
                start: i,
                end: i + c.len_utf8(),
            });
        }
    }
    if let Some(s) = run_start {
        out.push(Token {
            text: &line[s..],
            start: s,
            end: line.len(),
        });
    }
    out
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A day of the month, with or without its ordinal ("1", "01", "1st", "22nd").
fn day_number(word: &str) -> Option<u32> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !is_digits(digits) || digits.len() > 2 || !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year_number(word: &str) -> Option<i32> {
    if !is_digits(word) {
        return None;
    }
    match word.len() {
        2 => word.parse::<i32>().ok().map(|y| 2000 + y),
        4 => word
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2199).contains(y)),
        _ => None,
    }
}

/// Every date written in a UK form in a (lower-cased) line, left to right.
fn find_dates(line: &str) -> Vec<FoundDate> {
    let t = tokens(line);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if let Some((date, used)) = date_at(&t[i..]) {
            out.push(FoundDate {
                start: t[i].start,
                end: t[i + used - 1].end,
                date,
            });
            i += used;
        } else {
            i += 1;
        }
    }
    out
}

/// A date starting at the first token: the date and how many tokens it took.
fn date_at(t: &[Token]) -> Option<(NaiveDate, usize)> {
    let text = |k: usize| t.get(k).map(|tok| tok.text);
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    // 01/03/2026, 1.3.26, 01-03-2026 (day first, as the UK writes); 2026-03-01.
    if let (Some(a), Some(s1), Some(b), Some(s2), Some(c)) =
        (text(0), text(1), text(2), text(3), text(4))
    {
        if matches!(s1, "/" | "." | "-") && s1 == s2 && is_digits(a) && is_digits(b) && is_digits(c)
        {
            if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
                return ymd(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?).map(|d| (d, 5));
            }
            if a.len() <= 2 && b.len() <= 2 {
                let year = year_number(c)?;
                return ymd(year, b.parse().ok()?, a.parse().ok()?).map(|d| (d, 5));
            }
            return None;
        }
        // 01-Mar-2026, 1/Mar/26
        if matches!(s1, "/" | "-" | ".") && s1 == s2 {
            if let (Some(day), Some(month), Some(year)) =
                (day_number(a), month_number(b), year_number(c))
            {
                return ymd(year, month, day).map(|d| (d, 5));
            }
        }
    }
    // 1st March 2026, 1 Mar 26, 1st of March, 2026
    if let Some(day) = text(0).and_then(day_number) {
        let mut k = 1;
        if text(k) == Some("of") {
            k += 1;
        }
        if let Some(month) = text(k).and_then(month_number) {
            k += 1;
            if text(k) == Some(",") {
                k += 1;
            }
            if let Some(year) = text(k).and_then(year_number) {
                return ymd(year, month, day).map(|d| (d, k + 1));
            }
        }
    }
    // March 1st, 2026
    if let Some(month) = text(0).and_then(month_number) {
        if let Some(day) = text(1).and_then(day_number) {
            let mut k = 2;
            if text(k) == Some(",") {
                k += 1;
            }
            if let Some(year) =
                text(k).and_then(|w| (w.len() == 4).then(|| year_number(w)).flatten())
            {
                return ymd(year, month, day).map(|d| (d, k + 1));
            }
        }
    }
    None
}

fn has_words(text: &str) -> bool {
    text.split(|c: char| !c.is_alphabetic())
        .any(|w| w.chars().count() >= 2)
}

fn has_digits(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
}

/// Where `word` (a phrase) stands in `text` on word boundaries.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let at = from + at;
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = text[at + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + word.len().max(1);
        if from >= text.len() {
            break;
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Issuer and reference

const ISSUER_LABELS: &[&str] = &[
    "insurance company",
    "underwritten by",
    "issuing body",
    "awarding body",
    "certification body",
    "certifying body",
    "registered with",
    "on behalf of",
    "insured with",
    "underwriters",
    "underwriter",
    "issued by",
    "insurers",
    "insurer",
];

/// Bodies whose name alone identifies the issuer when no label names one.
const KNOWN_BODIES: &[&str] = &[
    "Gas Safe Register",
    "Disclosure and Barring Service",
    "NICEIC",
    "NAPIT",
    "ELECSA",
    "OFTEC",
    "HETAS",
    "CITB",
    "City & Guilds",
    "IOSH",
    "NEBOSH",
];

fn issuer(lines: &[Line]) -> Option<String> {
    for (i, line) in lines.iter().enumerate() {
        // The label standing first on the line: "Insurer: Hiscox Insurance Company Limited"
        // is the insurer's line, not an "insurance company" label.
        let first = ISSUER_LABELS
            .iter()
            .filter_map(|label| find_word(&line.lower, label).map(|at| (at, label.len())))
            .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)));
        let Some((at, len)) = first else {
            continue;
        };
        let value = clean_value(&line.text[at + len..]);
        // A label alone on its line names the value on the next one.
        let value = if value.is_empty() && at == 0 {
            lines.get(i + 1).map(|next| clean_value(&next.text))
        } else {
            Some(value)
        };
        if let Some(value) = value.filter(|v| plausible_name(v)) {
            return Some(value);
        }
    }
    let mut known = KNOWN_BODIES.iter().filter(|body| {
        let body = body.to_ascii_lowercase();
        lines.iter().any(|l| find_word(&l.lower, &body).is_some())
    });
    match (known.next(), known.next()) {
        (Some(one), None) => Some(one.to_string()),
        _ => None,
    }
}

fn clean_value(text: &str) -> String {
    // "Zurich Insurance plc (Authorised Insurer)": the name without its aside.
    let text = text.split(" (").next().unwrap_or(text);
    text.trim()
        .trim_start_matches([':', '-', '.', ' '])
        .trim()
        .trim_end_matches(['.', ',', ';'])
        .to_string()
}

fn plausible_name(value: &str) -> bool {
    let letters = value.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 3 && value.chars().count() <= 80 && !has_digits(&value[..value.len().min(3)])
}

/// Labels of the number worth keeping, the most useful first.
const REFERENCE_LABELS: &[&str] = &[
    "policy number",
    "policy no",
    "policy ref",
    "gas safe registration number",
    "gas safe registration no",
    "gas safe reg no",
    "gas safe reg",
    "gas safe licence number",
    "registration number",
    "registration no",
    "reg no",
    "licence number",
    "licence no",
    "membership number",
    "membership no",
    "certificate number",
    "certificate no",
    "certificate reference",
    "record number",
    "serial number",
    "reference number",
    "reference",
];

fn reference(lines: &[Line]) -> Option<String> {
    for label in REFERENCE_LABELS {
        for (i, line) in lines.iter().enumerate() {
            let Some(at) = find_word(&line.lower, label) else {
                continue;
            };
            let rest = &line.text[at + label.len()..];
            let value = number_token(rest).or_else(|| {
                (clean_value(rest).is_empty())
                    .then(|| lines.get(i + 1).and_then(|n| number_token(&n.text)))
                    .flatten()
            });
            if value.is_some() {
                return value;
            }
        }
    }
    None
}

/// The first word after a label that holds a digit: "No.: GS-123456/A" gives "GS-123456/A".
fn number_token(text: &str) -> Option<String> {
    let text = text.trim_start_matches(['.', ':', ' ', '#']);
    let word = text.split_whitespace().next()?;
    let word = word.trim_end_matches(['.', ',', ';', ')']);
    let ok = has_digits(word)
        && (3..=40).contains(&word.len())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'));
    ok.then(|| word.to_string())
}

// ---------------------------------------------------------------------------------------------
// Cover

/// Lines about money that is not cover.
const NOT_COVER: &[&str] = &[
    "excess",
    "deductible",
    "premium",
    "tax",
    "ipt",
    "turnover",
    "fee",
    "wageroll",
    "wages",
    "salary",
    "salaries",
    "rate",
    "paid",
    "vat",
];

/// The kinds of cover a certificate may list, by a word of their name.
const COVER_KINDS: &[&str] = &[
    "public",
    "employer",
    "products",
    "product",
    "professional",
    "contract works",
    "contents",
    "motor",
];

/// Words that say an amount is the cover itself.
const COVER_LABELS: &[&str] = &[
    "limit of indemnity",
    "indemnity limit",
    "limit of liability",
    "indemnity",
    "sum insured",
    "level of cover",
    "any one occurrence",
    "any one event",
    "any one claim",
];

/// An amount of money with the words around it: from the previous amount or sentence to it
/// (`before`), and from it to the next amount (`after`).
struct Amount {
    pounds: i64,
    before: String,
    after: String,
}

fn amounts(lines: &[Line]) -> Vec<Amount> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let found = find_amounts(&line.lower);
        for (k, &(pounds, start, end)) in found.iter().enumerate() {
            let from = if k == 0 { 0 } else { found[k - 1].2 };
            let mut before = line.lower[from..start].to_string();
            // A sentence that ended before the amount says nothing about it.
            if let Some(cut) = before.rfind(". ") {
                before = before[cut + 2..].to_string();
            }
            if k == 0 && !has_words(&before) && i > 0 {
                before = format!("{} {before}", lines[i - 1].lower);
            }
            let to = found.get(k + 1).map_or(line.lower.len(), |next| next.1);
            let after = line.lower[end..to]
                .split(". ")
                .next()
                .unwrap_or("")
                .to_string();
            out.push(Amount {
                pounds,
                before,
                after,
            });
        }
    }
    out
}

fn cover(lines: &[Line], certificate_type: &str) -> Option<i64> {
    let type_name = certificate_type.to_ascii_lowercase();
    let own_kinds: Vec<&str> = COVER_KINDS
        .iter()
        .copied()
        .filter(|k| type_name.contains(k))
        .collect();
    let candidates: Vec<Amount> = amounts(lines)
        .into_iter()
        .filter(|a| !NOT_COVER.iter().any(|w| find_word(&a.before, w).is_some()))
        .collect();
    let mentions = |a: &Amount, kinds: &[&str]| kinds.iter().any(|k| a.before.contains(k));
    let mut chosen: Vec<&Amount> = candidates.iter().collect();
    if chosen.iter().any(|a| mentions(a, COVER_KINDS)) {
        // A schedule of several covers: only the type's own counts.
        if own_kinds.is_empty() {
            return None;
        }
        chosen.retain(|a| mentions(a, &own_kinds));
    }
    let labelled = |a: &&Amount| {
        COVER_LABELS
            .iter()
            .any(|l| a.before.contains(l) || a.after.contains(l))
    };
    if chosen.iter().any(labelled) {
        chosen.retain(labelled);
    }
    let first = chosen.first()?.pounds;
    chosen.iter().all(|a| a.pounds == first).then_some(first)
}

/// Amounts in pounds: "£5,000,000", "£5m", "£2.5 million", "5 million", "GBP 2,000,000",
/// "10,000,000 GBP". Plain numbers without a currency or "million" are not money. Each with
/// its byte range in the line.
fn find_amounts(line: &str) -> Vec<(i64, usize, usize)> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let starts_number = c.is_ascii_digit()
            && (k == 0
                || !(chars[k - 1].1.is_ascii_alphanumeric()
                    || matches!(chars[k - 1].1, '.' | ',' | '/' | '-')));
        if !starts_number {
            k += 1;
            continue;
        }
        // The number: digits with thousands commas and an optional decimal part.
        let mut end = k;
        while end < chars.len()
            && (chars[end].1.is_ascii_digit() || chars[end].1 == ',' || chars[end].1 == '.')
        {
            end += 1;
        }
        let raw: String = chars[k..end].iter().map(|(_, c)| *c).collect();
        let raw = raw.trim_end_matches(['.', ',']);
        let byte_end = at + raw.len();
        k = end.max(k + 1);
        let Some(value) = parse_number(raw) else {
            continue;
        };
        let before = line[..at].trim_end();
        let after = line[byte_end..].trim_start();
        let currency_before = before.ends_with('£') || before.ends_with("gbp");
        let (multiplier, after_unit) = unit(after);
        let currency_after = after_unit.trim_start().starts_with("gbp")
            || after_unit.trim_start().starts_with("pounds")
            || after_unit.trim_start().starts_with("sterling");
        if !(currency_before || currency_after || multiplier >= 1_000_000) {
            continue;
        }
        let pounds = (value * multiplier as f64).round();
        if (1.0..1e13).contains(&pounds) {
            out.push((pounds as i64, at, line.len() - after_unit.len()));
        }
    }
    out
}

fn parse_number(raw: &str) -> Option<f64> {
    let (whole, fraction) = match raw.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (raw, None),
    };
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_ok = groups.len() == 1
        || (groups[0].len() <= 3
            && !groups[0].is_empty()
            && groups[1..].iter().all(|g| g.len() == 3));
    if !grouped_ok || fraction.is_some_and(|f| f.is_empty() || !is_digits(f)) {
        return None;
    }
    let digits: String = groups.concat();
    format!("{digits}.{}", fraction.unwrap_or("0")).parse().ok()
}

/// A unit after a number ("m", "million", "k", "thousand", "bn"): its multiplier and the rest.
fn unit(after: &str) -> (i64, &str) {
    for (word, multiplier) in [
        ("million", 1_000_000),
        ("mn", 1_000_000),
        ("m", 1_000_000),
        ("thousand", 1_000),
        ("k", 1_000),
        ("bn", 1_000_000_000),
    ] {
        if let Some(rest) = after.strip_prefix(word) {
            if rest.chars().next().is_none_or(|c| !c.is_alphanumeric()) {
                return (multiplier, rest);
            }
        }
    }
    (1, after)
}

/// How an amount of cover is written for people: "£5,000,000".
pub fn pounds(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}£{out}", if amount < 0 { "-" } else { "" })
}

/// Reads an amount a person typed: "5000000", "5,000,000", "£5m", "£2.5 million".
pub fn parse_pounds(input: &str) -> Option<i64> {
    let text = input.trim().to_ascii_lowercase();
    let text = text
        .trim_start_matches('£')
        .trim_start_matches("gbp")
        .trim();
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(text.len());
    let value = parse_number(&text[..number_end])?;
    let (multiplier, rest) = unit(text[number_end..].trim_start());
    if !rest.trim().is_empty() {
        return None;
    }
    let pounds = (value * multiplier as f64).round();
    (0.0..1e13).contains(&pounds).then_some(pounds as i64)
}

#[cfg(test)]
mod tests;
