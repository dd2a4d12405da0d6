//! Importing contractor certification from a spreadsheet (docs/product.md, "Importing certification"): the columns, the rules for
//! each cell, and what each row will do. Strict: nothing is guessed, every problem names its row,
//! its column and what to change.

use super::compliance::{RelatesTo, Reminder};
use super::dates::DateFormat;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

pub const CONTRACTOR_ID: &str = "ContractorUserTypeID";
pub const EXTERNAL_REF: &str = "ExternalContractorRef";
pub const COMPANY_NAME: &str = "ContractorCompanyName";
pub const CERTIFICATE_NAME: &str = "ContractorCertificateName";
pub const START_DATE: &str = "StartDate";
pub const END_DATE: &str = "EndDate";
pub const REMINDER: &str = "ContractorCertificateReminder";
pub const RELATES_TO: &str = "ContractorCertificateReminderRelatesTo";
pub const VALID: &str = "ContractorCertificateValid";
/// Optional: the certificate's cover in pounds (insurance), e.g. 5000000 or £5m.
pub const COVER: &str = "ContractorCertificateCover";
/// Optional: kinds of work the contractor does, by name, separated by semicolons; each is given
/// to the contractor (added to those it has), which requests the certificates they need.
pub const WORK_KINDS: &str = "ContractorKindsOfWork";

/// The template's columns, in its order; all but [`COVER`] and [`WORK_KINDS`] must be in a file
/// (older templates have neither).
pub const COLUMNS: [&str; 11] = [
    CONTRACTOR_ID,
    EXTERNAL_REF,
    COMPANY_NAME,
    CERTIFICATE_NAME,
    START_DATE,
    END_DATE,
    REMINDER,
    RELATES_TO,
    VALID,
    COVER,
    WORK_KINDS,
];

/// Columns a file may leave out.
const OPTIONAL: [&str; 2] = [COVER, WORK_KINDS];

/// The name of the template's sheet, which an import looks for first in a workbook.
pub const TEMPLATE_SHEET: &str = "Certification";

/// What the reminder column's tooltip says.
pub const REMINDER_HELP: &str = "When the contractor is reminded to upload a renewal: Week1 to Week4 or Month1 to Month3 before the date in the next column (the end date unless it says StartDate). Month4 and above are not allowed.";

/// A cell as read: text from CSV (and most spreadsheet cells), or a date a spreadsheet stored as
/// a date, which needs no reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.trim().to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Header names compared without case, spaces, underscores or hyphens.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each known column is in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    positions: HashMap<&'static str, usize>,
    /// Headers that are not the template's, which the import leaves out.
    pub ignored: Vec<String>,
}

/// A header row that is not the template's: every column of the template must be there (a
/// cell may be blank, but a missing `EndDate` would import certificates that never expire).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderProblem {
    pub missing: Vec<&'static str>,
    pub unknown: Vec<String>,
}

impl std::fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The first row must name the template's columns; missing: {}.",
            self.missing.join(", ")
        )?;
        if !self.unknown.is_empty() {
            let quoted: Vec<String> = self.unknown.iter().map(|u| format!("\"{u}\"")).collect();
            write!(f, " Not columns of the template: {}.", quoted.join(", "))?;
        }
        write!(f, " Download the template to see them.")
    }
}

impl Columns {
    /// Matches the header row against the template's columns.
    pub fn match_header(header: &[Cell]) -> Result<Columns, HeaderProblem> {
        let found: Vec<String> = header.iter().map(|c| normalize(&c.text())).collect();
        let positions: HashMap<&'static str, usize> = COLUMNS
            .iter()
            .filter_map(|name| {
                let wanted = normalize(name);
                found.iter().position(|f| *f == wanted).map(|i| (*name, i))
            })
            .collect();
        let known: HashSet<String> = COLUMNS.iter().map(|name| normalize(name)).collect();
        let unknown: Vec<String> = header
            .iter()
            .map(Cell::text)
            .filter(|text| !text.is_empty() && !known.contains(&normalize(text)))
            .collect();
        let missing: Vec<&'static str> = COLUMNS
            .into_iter()
            .filter(|name| !positions.contains_key(name) && !OPTIONAL.contains(name))
            .collect();
        if missing.is_empty() {
            Ok(Columns {
                positions,
                ignored: unknown,
            })
        } else {
            Err(HeaderProblem { missing, unknown })
        }
    }

    /// Where a known column is in the file.
    pub fn position(&self, column: &str) -> Option<usize> {
        self.positions.get(column).copied()
    }

    fn get<'a>(&self, cells: &'a [Cell], column: &str) -> Option<&'a Cell> {
        self.positions.get(column).and_then(|i| cells.get(*i))
    }

    /// A cell's text, trimmed; empty when the column or cell is missing.
    pub fn text(&self, cells: &[Cell], column: &str) -> String {
        self.get(cells, column).map(Cell::text).unwrap_or_default()
    }
}

/// One problem of a row: its column and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellProblem {
    pub column: String,
    pub reason: String,
}

fn problem(column: &str, reason: impl Into<String>) -> CellProblem {
    CellProblem {
        column: column.to_string(),
        reason: reason.into(),
    }
}

/// A row whose cells all read well.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRow {
    pub contractor_id: i64,
    pub external_ref: Option<String>,
    pub company_name: Option<String>,
    pub certificate_name: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub reminder: Option<Reminder>,
    pub relates_to: RelatesTo,
    /// `None`: blank, so the certificate arrives as "needs validation".
    pub valid: Option<bool>,
    /// The cover in whole pounds, when the column is there and filled.
    pub cover: Option<i64>,
    /// Kinds of work named for the contractor, as written (checked against the agency's in
    /// [`plan`]).
    pub work_kinds: Vec<String>,
}

fn date(
    cell: Option<&Cell>,
    column: &str,
    format: DateFormat,
) -> Result<Option<NaiveDate>, CellProblem> {
    match cell {
        Some(Cell::Date(d)) => Ok(Some(*d)),
        Some(Cell::Text(t)) if !t.trim().is_empty() => format
            .parse(t)
            .map(Some)
            .map_err(|e| problem(column, format!("{e}. Write dates as {}.", format.pattern()))),
        _ => Ok(None),
    }
}

/// A date cell as the import reads it; `None` when blank or not a date.
pub fn read_date(
    columns: &Columns,
    cells: &[Cell],
    column: &str,
    format: DateFormat,
) -> Option<NaiveDate> {
    date(columns.get(cells, column), column, format)
        .ok()
        .flatten()
}

/// Reads one data row. Every cell is checked, so all of a row's problems show at once.
pub fn read_row(
    columns: &Columns,
    cells: &[Cell],
    format: DateFormat,
) -> Result<ImportRow, Vec<CellProblem>> {
    let mut problems = Vec::new();
    let id_text = columns.text(cells, CONTRACTOR_ID);
    let contractor_id = match id_text.parse::<i64>() {
        Ok(id) if id > 0 => id,
        _ if id_text.is_empty() => {
            problems.push(problem(
                CONTRACTOR_ID,
                "Missing. Copy it from \"Export as import CSV\" on the contractor list.",
            ));
            0
        }
        _ => {
            problems.push(problem(CONTRACTOR_ID, format!("\"{id_text}\" is not a contractor id (a whole number from \"Export as import CSV\").")));
            0
        }
    };
    let certificate_name = columns.text(cells, CERTIFICATE_NAME);
    if certificate_name.is_empty() {
        problems.push(problem(
            CERTIFICATE_NAME,
            "Missing. Choose a certificate type.",
        ));
    }
    let start = date(columns.get(cells, START_DATE), START_DATE, format).unwrap_or_else(|p| {
        problems.push(p);
        None
    });
    let end = date(columns.get(cells, END_DATE), END_DATE, format).unwrap_or_else(|p| {
        problems.push(p);
        None
    });
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            problems.push(problem(END_DATE, "The end date is before the start date."));
        }
    }
    let reminder_text = columns.text(cells, REMINDER);
    let reminder = if reminder_text.is_empty() {
        None
    } else {
        Reminder::parse(&reminder_text)
            .map(Some)
            .unwrap_or_else(|e| {
                problems.push(problem(REMINDER, e.to_string()));
                None
            })
    };
    let relates_to = RelatesTo::parse(&columns.text(cells, RELATES_TO)).unwrap_or_else(|e| {
        problems.push(problem(RELATES_TO, e.to_string()));
        RelatesTo::EndDate
    });
    let valid_text = columns.text(cells, VALID);
    let valid = match valid_text.to_ascii_lowercase().as_str() {
        "" => None,
        "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ => {
            problems.push(problem(VALID, format!("\"{valid_text}\" must be Yes, No or blank (blank: an agent validates it later).")));
            None
        }
    };
    let cover_text = columns.text(cells, COVER);
    let cover = if cover_text.is_empty() {
        None
    } else {
        match super::certificate_reading::parse_pounds(&cover_text) {
            Some(pounds) => Some(pounds),
            None => {
                problems.push(problem(COVER, format!("\"{cover_text}\" is not an amount in pounds: write it like 5000000 or £5m, or leave it blank.")));
                None
            }
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let optional = |column| Some(columns.text(cells, column)).filter(|t| !t.is_empty());
    Ok(ImportRow {
        contractor_id,
        external_ref: optional(EXTERNAL_REF),
        company_name: optional(COMPANY_NAME),
        certificate_name,
        start,
        end,
        reminder,
        relates_to,
        valid,
        cover,
        work_kinds: super::work_kinds::kinds_in_cell(&columns.text(cells, WORK_KINDS)),
    })
}

/// A date of the file that is not a date in the agency's order but is one in the other: the
/// sign that the file was saved by a spreadsheet set to another country's dates, which would
/// read every other ambiguous date (04/02/2026) the wrong way round without a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwappedDate {
    pub line: usize,
    pub column: &'static str,
    pub text: String,
    /// The order the file seems to use.
    pub written_as: &'static str,
}

impl std::fmt::Display for SwappedDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "This file's dates look like {written}: \"{text}\" (row {line}, {column}) is only a date that way, so other dates in the file may be read the wrong way round. Nothing was imported. Write the dates in your agency's format, or set the spreadsheet's language to one that writes dates that way, then save and import again.",
            written = self.written_as,
            text = self.text,
            line = self.line,
            column = self.column,
        )
    }
}

/// The first date of `rows` that reads only in the other order of day and month, if any.
pub fn month_swapped(
    columns: &Columns,
    rows: &[(usize, Vec<Cell>)],
    format: DateFormat,
) -> Option<SwappedDate> {
    let other = match format {
        DateFormat::DayMonthYear => DateFormat::MonthDayYear,
        DateFormat::MonthDayYear => DateFormat::DayMonthYear,
        DateFormat::YearMonthDay => return None,
    };
    rows.iter().find_map(|(line, cells)| {
        [START_DATE, END_DATE].into_iter().find_map(|column| {
            let Some(Cell::Text(text)) = columns.get(cells, column) else {
                return None;
            };
            let text = text.trim();
            (!text.is_empty() && format.parse(text).is_err() && other.parse(text).is_ok()).then(
                || SwappedDate {
                    line: *line,
                    column,
                    text: text.to_string(),
                    written_as: other.pattern(),
                },
            )
        })
    })
}

/// A date as the preview shows it, the month in words ("4 Feb 2026"), so that a person sees which
/// way round the file was read.
pub fn unmistakable(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// What the agency already has, for planning rows.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Contractor id → (external reference, company name).
    pub contractors: HashMap<i64, (Option<String>, String)>,
    /// Certificate type name as `type_key` makes it → (id, name as written by the agency).
    pub types: HashMap<String, (i64, String)>,
    /// (contractor id, type id) already required.
    pub requirements: HashSet<(i64, i64)>,
    /// (contractor id, type id, start, end) of documents already recorded.
    pub documents: HashSet<(i64, i64, Option<NaiveDate>, Option<NaiveDate>)>,
    /// Kind of work name as `type_key` makes it → id.
    pub work_kinds: HashMap<String, i64>,
}

/// How certificate type names are compared: case and repeated spaces do not matter.
pub fn type_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn loose(text: &str) -> String {
    type_key(text)
}

/// What a row will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// A new requirement and its certificate.
    Create,
    /// A certificate added to a type already required.
    Update,
    /// The same certificate (contractor, type and dates) is already recorded.
    Unchanged,
    /// The same as an earlier row of the file, which is imported once.
    Duplicate {
        of_line: usize,
    },
    Error(Vec<CellProblem>),
}

/// A row with its outcome, and what to write when it is imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub line: usize,
    pub outcome: Outcome,
    pub row: Option<(ImportRow, i64)>,
    /// (contractor id, kind of work id) for each kind the row names: given to the contractor
    /// even when the certificate itself is unchanged or repeated.
    pub work_kinds: Vec<(i64, i64)>,
}

/// Decides each row's outcome against what the agency has: the contractor must exist (and match
/// its reference and name when given), the certificate type must be the agency's.
pub fn plan(
    rows: Vec<(usize, Result<ImportRow, Vec<CellProblem>>)>,
    known: &Known,
) -> Vec<Planned> {
    let mut seen: HashMap<(i64, i64, Option<NaiveDate>, Option<NaiveDate>), usize> = HashMap::new();
    let mut requirements = known.requirements.clone();
    rows.into_iter()
        .map(|(line, row)| {
            let row = match row {
                Ok(row) => row,
                Err(problems) => return Planned { line, outcome: Outcome::Error(problems), row: None, work_kinds: Vec::new() },
            };
            let mut problems = Vec::new();
            let mut work_kinds = Vec::new();
            for name in &row.work_kinds {
                match known.work_kinds.get(&type_key(name)) {
                    Some(id) => work_kinds.push((row.contractor_id, *id)),
                    None => problems.push(problem(WORK_KINDS, format!("\"{name}\" is not a kind of work of your agency. Check the spelling, or add it first under Kinds of work, then import again."))),
                }
            }
            match known.contractors.get(&row.contractor_id) {
                None => problems.push(problem(CONTRACTOR_ID, format!("No contractor of your agency has the id {}. Export the contractor list again to get current ids.", row.contractor_id))),
                Some((reference, company)) => {
                    if let Some(given) = &row.external_ref {
                        if reference.as_deref().map(loose) != Some(loose(given)) {
                            problems.push(problem(EXTERNAL_REF, format!("\"{given}\" is not the reference of contractor {} ({}: {}). Check the id.", row.contractor_id, company, reference.as_deref().unwrap_or("no reference"))));
                        }
                    }
                    if let Some(given) = &row.company_name {
                        if loose(given) != loose(company) {
                            problems.push(problem(COMPANY_NAME, format!("Contractor {} is \"{company}\", not \"{given}\". Check the id.", row.contractor_id)));
                        }
                    }
                }
            }
            let type_id = match known.types.get(&type_key(&row.certificate_name)) {
                Some((id, _)) => *id,
                None => {
                    problems.push(problem(CERTIFICATE_NAME, format!("\"{}\" is not a certificate type of your agency. Check the spelling, or create it first under Certificate types, then import again.", row.certificate_name)));
                    0
                }
            };
            if !problems.is_empty() {
                return Planned { line, outcome: Outcome::Error(problems), row: None, work_kinds: Vec::new() };
            }
            let key = (row.contractor_id, type_id, row.start, row.end);
            if let Some(first) = seen.get(&key) {
                return Planned { line, outcome: Outcome::Duplicate { of_line: *first }, row: None, work_kinds };
            }
            seen.insert(key, line);
            if known.documents.contains(&key) {
                return Planned { line, outcome: Outcome::Unchanged, row: None, work_kinds };
            }
            let outcome = if requirements.insert((row.contractor_id, type_id)) {
                Outcome::Create
            } else {
                Outcome::Update
            };
            Planned { line, outcome, row: Some((row, type_id)), work_kinds }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn header() -> Vec<Cell> {
        COLUMNS.iter().map(|c| t(c)).collect()
    }

    fn row(cells: [&str; 9]) -> Vec<Cell> {
        cells.iter().map(|c| t(c)).collect()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn read(cells: [&str; 9]) -> Result<ImportRow, Vec<CellProblem>> {
        let columns = Columns::match_header(&header()).unwrap();
        read_row(&columns, &row(cells), DateFormat::DayMonthYear)
    }

    fn columns_of(problems: Vec<CellProblem>) -> Vec<String> {
        problems.into_iter().map(|p| p.column).collect()
    }

    const GOOD: [&str; 9] = [
        "12",
        "BSE-001",
        "Brightspark",
        "Gas safety",
        "01/02/2026",
        "31/01/2027",
        "Month1",
        "EndDate",
        "Yes",
    ];

    #[test]
    fn headers_match_whatever_their_case_spaces_and_order() {
        let mut shuffled: Vec<Cell> = COLUMNS[..9]
            .iter()
            .rev()
            .map(|c| t(&format!(" {} ", c.to_uppercase())))
            .collect();
        shuffled[0] = t("contractor_certificate_valid");
        shuffled.push(t("Notes"));
        let columns = Columns::match_header(&shuffled).unwrap();
        assert_eq!(columns.position(CONTRACTOR_ID), Some(8));
        assert_eq!(columns.position(VALID), Some(0));
        assert_eq!(columns.ignored, vec!["Notes".to_string()]);
        let mut cells = vec![t(""); 10];
        cells[8] = t("7");
        cells[5] = t("Gas safety");
        cells[3] = t("31/12/2026");
        let r = read_row(&columns, &cells, DateFormat::DayMonthYear).unwrap();
        assert_eq!(
            (r.contractor_id, r.certificate_name.as_str(), r.end),
            (7, "Gas safety", Some(day(2026, 12, 31)))
        );
        assert_eq!(r.start, None);
    }

    #[test]
    fn the_cover_column_is_optional_and_read_in_pounds() {
        let without: Vec<Cell> = COLUMNS[..9].iter().map(|c| t(c)).collect();
        let columns = Columns::match_header(&without).expect("an older template still imports");
        let r = read_row(&columns, &row(GOOD), DateFormat::DayMonthYear).unwrap();
        assert_eq!(r.cover, None);
        let columns = Columns::match_header(&header()).unwrap();
        let mut cells = row(GOOD);
        cells.push(t("£5m"));
        let r = read_row(&columns, &cells, DateFormat::DayMonthYear).unwrap();
        assert_eq!(r.cover, Some(5_000_000));
        cells[9] = t("lots");
        let problems = read_row(&columns, &cells, DateFormat::DayMonthYear).unwrap_err();
        assert_eq!(columns_of(problems), vec![COVER.to_string()]);
    }

    #[test]
    fn every_template_column_must_be_there_and_strangers_are_named() {
        // A file without EndDate would import certificates that never expire.
        let mut header = header();
        header.remove(5);
        let problem = Columns::match_header(&header).unwrap_err();
        assert_eq!(problem.missing, vec![END_DATE]);
        // A misspelt header is both: the template's column is missing, the stranger is named.
        header.insert(5, t("Expiry Date"));
        let problem = Columns::match_header(&header).unwrap_err();
        assert_eq!(problem.missing, vec![END_DATE]);
        assert_eq!(problem.unknown, vec!["Expiry Date".to_string()]);
        let message = problem.to_string();
        assert!(message.contains("missing: EndDate"), "{message}");
        assert!(message.contains("\"Expiry Date\""), "{message}");
        let problem = Columns::match_header(&[t("ExternalContractorRef")]).unwrap_err();
        assert_eq!(problem.missing.len(), 8);
        assert!(problem.missing.contains(&CONTRACTOR_ID));
    }

    #[test]
    fn dates_that_only_read_month_first_are_found() {
        let columns = Columns::match_header(&header()).unwrap();
        let mut ambiguous = GOOD;
        ambiguous[4] = "04/02/2026";
        ambiguous[5] = "05/03/2027";
        let mut us = GOOD;
        us[4] = "01/02/2026";
        us[5] = "03/31/2027";
        let rows = vec![(2, row(ambiguous)), (3, row(us))];
        let found = month_swapped(&columns, &rows, DateFormat::DayMonthYear).unwrap();
        assert_eq!(
            found,
            SwappedDate {
                line: 3,
                column: END_DATE,
                text: "03/31/2027".into(),
                written_as: "MM/DD/YYYY",
            }
        );
        assert_eq!(
            month_swapped(&columns, &rows[..1], DateFormat::DayMonthYear),
            None,
            "dates that read either way are read as the agency writes them"
        );
        // And the other way round for an agency that writes month first.
        let mut uk = GOOD;
        uk[5] = "31/03/2027";
        let found = month_swapped(&columns, &[(2, row(uk))], DateFormat::MonthDayYear).unwrap();
        assert_eq!(found.written_as, "DD/MM/YYYY");
        // A date cell the spreadsheet stored as a date has no order to doubt.
        let mut stored = row(GOOD);
        stored[5] = Cell::Date(day(2027, 3, 31));
        assert_eq!(
            month_swapped(&columns, &[(2, stored)], DateFormat::DayMonthYear),
            None
        );
    }

    #[test]
    fn dates_are_shown_with_the_month_in_words() {
        assert_eq!(unmistakable(day(2026, 2, 4)), "4 Feb 2026");
        assert_eq!(unmistakable(day(2027, 12, 31)), "31 Dec 2027");
    }

    #[test]
    fn a_good_row_reads_every_cell() {
        let r = read(GOOD).unwrap();
        assert_eq!(r.contractor_id, 12);
        assert_eq!(r.external_ref.as_deref(), Some("BSE-001"));
        assert_eq!(
            (r.start, r.end),
            (Some(day(2026, 2, 1)), Some(day(2027, 1, 31)))
        );
        assert_eq!(r.reminder, Some(Reminder::Months(1)));
        assert_eq!(r.relates_to, RelatesTo::EndDate);
        assert_eq!(r.valid, Some(true));
    }

    #[test]
    fn dates_are_strict_and_never_shifted() {
        let mut cells = GOOD;
        cells[4] = "31/02/2026";
        let problems = read(cells).unwrap_err();
        assert_eq!(columns_of(problems.clone()), [START_DATE]);
        assert!(
            problems[0].reason.contains("not a real calendar date"),
            "{problems:?}"
        );
        for bad in [
            "2026-02-01",
            "1/2/2026",
            "01/02/26",
            "01.02.2026",
            "tomorrow",
        ] {
            cells[4] = bad;
            let problems = read(cells).unwrap_err();
            assert!(
                problems[0].reason.contains("Write dates as DD/MM/YYYY"),
                "{bad}: {problems:?}"
            );
        }
        // The agency's own format is honoured, and 01/02 is never read as 2 January there.
        let columns = Columns::match_header(&header()).unwrap();
        let mut us = GOOD;
        us[4] = "02/01/2026";
        us[5] = "01/31/2027";
        let r = read_row(&columns, &row(us), DateFormat::MonthDayYear).unwrap();
        assert_eq!(
            (r.start, r.end),
            (Some(day(2026, 2, 1)), Some(day(2027, 1, 31)))
        );
        // A spreadsheet's own date cell is taken as it is.
        let mut cells = row(GOOD);
        cells[5] = Cell::Date(day(2027, 3, 1));
        assert_eq!(
            read_row(&columns, &cells, DateFormat::DayMonthYear)
                .unwrap()
                .end,
            Some(day(2027, 3, 1))
        );
    }

    #[test]
    fn the_end_cannot_come_before_the_start() {
        let mut cells = GOOD;
        cells[5] = "31/01/2026";
        assert_eq!(columns_of(read(cells).unwrap_err()), [END_DATE]);
        cells[5] = "01/02/2026";
        assert!(read(cells).is_ok(), "the same day is fine");
        cells[4] = "";
        cells[5] = "";
        assert!(read(cells).is_ok(), "no dates at all is fine");
    }

    #[test]
    fn reminders_go_from_week1_to_month3() {
        let mut cells = GOOD;
        for ok in ["Week1", "week 4", "MONTH3", ""] {
            cells[6] = ok;
            assert!(read(cells).is_ok(), "{ok}");
        }
        for bad in ["Month4", "Month12", "Week5", "Week0", "Fortnight"] {
            cells[6] = bad;
            assert_eq!(columns_of(read(cells).unwrap_err()), [REMINDER], "{bad}");
        }
        cells[6] = "Month4";
        assert!(read(cells).unwrap_err()[0].reason.contains("up to Month3"));
    }

    #[test]
    fn relates_to_defaults_to_the_end_date() {
        let mut cells = GOOD;
        cells[7] = "";
        assert_eq!(read(cells).unwrap().relates_to, RelatesTo::EndDate);
        cells[7] = "startdate";
        assert_eq!(read(cells).unwrap().relates_to, RelatesTo::StartDate);
        cells[7] = "Expiry";
        assert_eq!(columns_of(read(cells).unwrap_err()), [RELATES_TO]);
    }

    #[test]
    fn valid_is_yes_no_or_blank() {
        let mut cells = GOOD;
        for (text, valid) in [("Yes", Some(true)), ("no", Some(false)), ("", None)] {
            cells[8] = text;
            assert_eq!(read(cells).unwrap().valid, valid, "{text}");
        }
        cells[8] = "Maybe";
        assert_eq!(columns_of(read(cells).unwrap_err()), [VALID]);
    }

    #[test]
    fn every_problem_of_a_row_shows_at_once() {
        let problems = read([
            "x",
            "",
            "",
            "",
            "32/01/2026",
            "",
            "Month4",
            "Later",
            "Perhaps",
        ])
        .unwrap_err();
        assert_eq!(
            columns_of(problems),
            [
                CONTRACTOR_ID,
                CERTIFICATE_NAME,
                START_DATE,
                REMINDER,
                RELATES_TO,
                VALID
            ]
        );
    }

    fn known() -> Known {
        let mut k = Known::default();
        k.contractors
            .insert(12, (Some("BSE-001".into()), "Brightspark".into()));
        k.contractors.insert(13, (None, "Northgate".into()));
        k.types
            .insert(type_key("Gas safety"), (1, "Gas safety".into()));
        k.types
            .insert(type_key("Boiler service"), (2, "Boiler service".into()));
        k.requirements.insert((13, 1));
        k.documents
            .insert((13, 1, Some(day(2026, 2, 1)), Some(day(2027, 1, 31))));
        k
    }

    fn planned(rows: Vec<[&str; 9]>) -> Vec<Outcome> {
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, cells)| (i + 2, read(cells)))
            .collect();
        plan(rows, &known())
            .into_iter()
            .map(|p| p.outcome)
            .collect()
    }

    #[test]
    fn rows_create_update_or_leave_alone() {
        let mut northgate = GOOD;
        northgate[0] = "13";
        northgate[1] = "";
        northgate[2] = "northgate";
        let mut northgate_renewal = northgate;
        northgate_renewal[4] = "01/02/2027";
        northgate_renewal[5] = "31/01/2028";
        let mut boiler = GOOD;
        boiler[3] = "  BOILER   service ";
        assert_eq!(
            planned(vec![GOOD, northgate, northgate_renewal, boiler]),
            [
                Outcome::Create,
                Outcome::Unchanged,
                Outcome::Update,
                Outcome::Create
            ]
        );
    }

    #[test]
    fn several_rows_of_one_contractor_and_an_identical_row_once() {
        let mut second_type = GOOD;
        second_type[3] = "Boiler service";
        let mut renewal = GOOD;
        renewal[4] = "01/02/2027";
        renewal[5] = "31/01/2028";
        assert_eq!(
            planned(vec![GOOD, second_type, GOOD, renewal]),
            [
                Outcome::Create,
                Outcome::Create,
                Outcome::Duplicate { of_line: 2 },
                Outcome::Update
            ]
        );
    }

    #[test]
    fn unknown_contractors_mismatches_and_unknown_types_are_errors() {
        let mut unknown = GOOD;
        unknown[0] = "99";
        let mut wrong_ref = GOOD;
        wrong_ref[1] = "NGH-002";
        let mut wrong_name = GOOD;
        wrong_name[2] = "Sparkbright";
        let mut custom = GOOD;
        custom[3] = "Chimney sweeping";
        let outcomes = planned(vec![unknown, wrong_ref, wrong_name, custom]);
        let errors: Vec<(String, String)> = outcomes
            .into_iter()
            .map(|o| match o {
                Outcome::Error(p) => (p[0].column.clone(), p[0].reason.clone()),
                other => panic!("expected an error, got {other:?}"),
            })
            .collect();
        assert_eq!(errors[0].0, CONTRACTOR_ID);
        assert!(errors[0]
            .1
            .contains("No contractor of your agency has the id 99"));
        assert_eq!(errors[1].0, EXTERNAL_REF);
        assert_eq!(errors[2].0, COMPANY_NAME);
        assert!(errors[2]
            .1
            .contains("is \"Brightspark\", not \"Sparkbright\""));
        assert_eq!(errors[3].0, CERTIFICATE_NAME);
        assert!(errors[3]
            .1
            .contains("create it first under Certificate types"));
    }
}
