//! Reading an .xlsx workbook sent for an import, under the import's limits. A workbook is a zip
//! of XML parts, and both layers can be made to lie: a few kilobytes can unpack to gigabytes, a
//! sheet can claim a used range of 17 billion cells, and one shared string can be referenced by
//! every cell. So, before anything is built from it:
//! - every part is unpacked into nothing once, counting bytes, until the limit (the sizes the
//!   zip declares are not trusted);
//! - the shared strings' declared count, which calamine reserves room for, is checked;
//! - cells are streamed (calamine's cell reader, which allocates nothing by the sheet's declared
//!   range) and each is checked for its column and length before it is copied; only rows with a
//!   value are kept.
//!
//! CPU-bound: callers run it off the async threads (services::heavy).

use crate::domain::dates::from_storage;
use crate::domain::import::{Cell, TEMPLATE_SHEET};
use crate::domain::sheet::{LimitProblem, SheetLimits};
use calamine::{DataRef, Reader, Xlsx};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{BufReader, Cursor, Read, Seek};

/// A sheet's rows with a value, each with its row number (1-based) and its cells from column A.
pub type SheetRows = Vec<(usize, Vec<Cell>)>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpreadsheetProblem {
    #[error(transparent)]
    Limit(#[from] LimitProblem),
    #[error("This is an OpenDocument spreadsheet (.ods). Save it as Excel Workbook (.xlsx) or CSV UTF-8 and import that.")]
    OpenDocument,
    #[error("The spreadsheet cannot be read ({0}). Save it again as .xlsx or as CSV UTF-8.")]
    Unreadable(String),
}

fn unreadable(e: impl std::fmt::Display) -> SpreadsheetProblem {
    SpreadsheetProblem::Unreadable(e.to_string())
}

/// A zip file: an .xlsx (or an .ods, which is refused with its own message).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The rows of the sheet to import: the template's sheet (found by name), else the first sheet
/// whose first row `is_header` accepts, else the first sheet with any value.
pub fn read_xlsx(
    bytes: &[u8],
    limits: &SheetLimits,
    is_header: impl Fn(&[Cell]) -> bool,
) -> Result<SheetRows, SpreadsheetProblem> {
    check_package(bytes, limits)?;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut names = workbook.sheet_names();
    // A stable sort: the template's sheet first, the others in the workbook's order.
    names.sort_by_key(|name| !name.eq_ignore_ascii_case(TEMPLATE_SHEET));
    let mut fallback = None;
    for name in names {
        let rows = read_cells(&mut workbook, &name, limits)?;
        if rows.first().is_some_and(|(_, header)| is_header(header)) {
            return Ok(rows);
        }
        if fallback.is_none() && !rows.is_empty() {
            fallback = Some(rows);
        }
    }
    Ok(fallback.unwrap_or_default())
}

/// The zip as it really unpacks, and the shared strings' declared count.
fn check_package(bytes: &[u8], limits: &SheetLimits) -> Result<(), SpreadsheetProblem> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    if zip.len() > limits.parts {
        return Err(LimitProblem::TooManyParts {
            limit: limits.parts,
        }
        .into());
    }
    if let Ok(part) = zip.by_name("mimetype") {
        let mut kind = Vec::new();
        part.take(100).read_to_end(&mut kind).map_err(unreadable)?;
        if kind.starts_with(b"application/vnd.oasis.opendocument") {
            return Err(SpreadsheetProblem::OpenDocument);
        }
    }
    let mut unpacked: u64 = 0;
    let mut shared_strings = None;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(unreadable)?;
        let name = part.name().map_err(unreadable)?.to_ascii_lowercase();
        if name.ends_with("sharedstrings.xml") {
            shared_strings = Some(i);
        }
        let room = limits.unpacked_bytes - unpacked;
        unpacked +=
            std::io::copy(&mut part.take(room + 1), &mut std::io::sink()).map_err(unreadable)?;
        if unpacked > limits.unpacked_bytes {
            return Err(LimitProblem::TooLargeUnpacked {
                limit: limits.unpacked_bytes,
            }
            .into());
        }
    }
    if let Some(i) = shared_strings {
        let part = zip.by_index(i).map_err(unreadable)?;
        let declared = declared_shared_strings(part)?;
        // More distinct strings than cells a sheet may hold cannot be honest.
        if declared > (limits.rows * limits.columns) as u64 {
            return Err(unreadable(format!(
                "its list of texts claims {declared} entries"
            )));
        }
    }
    Ok(())
}

/// `uniqueCount` of the shared strings' root element (0 when absent).
fn declared_shared_strings(part: impl Read) -> Result<u64, SpreadsheetProblem> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(unreadable)? {
            Event::Start(e) | Event::Empty(e) => {
                if e.local_name().as_ref() != "sst" {
                    return Ok(0);
                }
                let count = e
                    .try_get_attribute("uniqueCount")
                    .map_err(unreadable)?
                    .map(|a| a.value.trim().to_string());
                return match count {
                    None => Ok(0),
                    Some(text) => text
                        .parse::<u64>()
                        .map_err(|_| unreadable("its list of texts has no valid count")),
                };
            }
            Event::Eof => return Ok(0),
            _ => {}
        }
    }
}

/// A value as the import reads it, before it is copied out of the workbook.
enum Value<'a> {
    Text(Cow<'a, str>),
    Date(chrono::NaiveDate),
}

fn value<'a>(data: &'a DataRef<'_>) -> Option<Value<'a>> {
    let text: Cow<'a, str> = match data {
        DataRef::Empty => return None,
        DataRef::SharedString(s) => Cow::Borrowed(*s),
        DataRef::String(s) | DataRef::DurationIso(s) => Cow::Borrowed(s.as_str()),
        DataRef::Int(n) => n.to_string().into(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64).into(),
        DataRef::Float(f) => f.to_string().into(),
        DataRef::Bool(b) => Cow::Borrowed(if *b { "Yes" } else { "No" }),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => return Some(Value::Date(dt.date())),
            _ => d.to_string().into(),
        },
        DataRef::DateTimeIso(s) => match from_storage(s.get(..10).unwrap_or("")) {
            Some(date) => return Some(Value::Date(date)),
            None => Cow::Borrowed(s.as_str()),
        },
        DataRef::Error(e) => format!("#{e:?}").into(),
    };
    (!text.trim().is_empty()).then_some(Value::Text(text))
}

fn read_cells<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
    limits: &SheetLimits,
) -> Result<SheetRows, SpreadsheetProblem> {
    let mut reader = workbook.worksheet_cells_reader(name).map_err(unreadable)?;
    let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (row, column) = cell.get_position();
        let Some(value) = value(cell.get_value()) else {
            continue;
        };
        let (line, column) = (row as usize + 1, column as usize);
        let checked = match &value {
            Value::Text(text) => text.as_ref(),
            Value::Date(_) => "a date",
        };
        limits.check_cell(line, column, checked)?;
        if !rows.contains_key(&row) {
            limits.check_rows(rows.len())?;
        }
        let cells = rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, Cell::Text(String::new()));
        }
        cells[column] = match value {
            Value::Text(text) => Cell::Text(text.into_owned()),
            Value::Date(date) => Cell::Date(date),
        };
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| (row as usize + 1, cells))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::COLUMNS;
    use crate::domain::sheet::IMPORT_LIMITS;
    use crate::files::hostile;

    fn header_cells() -> Vec<(u32, u16, &'static str)> {
        COLUMNS
            .iter()
            .enumerate()
            .map(|(i, name)| (0, i as u16, *name))
            .collect()
    }

    fn any_header(_: &[Cell]) -> bool {
        true
    }

    fn read(bytes: &[u8]) -> Result<SheetRows, SpreadsheetProblem> {
        read_xlsx(bytes, &IMPORT_LIMITS, any_header)
    }

    #[test]
    fn rows_with_values_are_read_with_their_row_numbers() {
        let mut cells = header_cells();
        cells.push((3, 0, "12"));
        cells.push((3, 3, "Gas safety"));
        let rows = read(&hostile::workbook(&cells)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 1);
        assert_eq!(rows[1].0, 4, "blank rows are skipped, the numbers kept");
        assert_eq!(rows[1].1[0], Cell::Text("12".into()));
        assert_eq!(rows[1].1[3], Cell::Text("Gas safety".into()));
    }

    #[test]
    fn a_value_in_the_far_corner_is_refused_before_anything_is_built() {
        // The dimension bomb: A1 and XFD1048576 made calamine's range allocate 550 GB.
        let bytes = hostile::workbook(&[(0, 0, "x"), (1_048_575, 16_383, "y")]);
        assert!(bytes.len() < 10_000);
        assert_eq!(
            read(&bytes),
            Err(SpreadsheetProblem::Limit(LimitProblem::TooManyColumns {
                cell: "XFD1048576".into(),
                last: "AX".into()
            }))
        );
        // Z1000000 is within the columns: one row far down costs one row, not a million.
        let rows = read(&hostile::workbook(&[(0, 0, "x"), (999_999, 25, "y")])).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0, 1_000_000);
        assert_eq!(rows[1].1.len(), 26);
    }

    #[test]
    fn a_long_shared_string_is_refused_without_copying_it() {
        let bytes = hostile::long_shared_string(50_000_000, 40);
        assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
        assert_eq!(
            read(&bytes),
            Err(SpreadsheetProblem::Limit(LimitProblem::CellTooLong {
                cell: "A2".into(),
                limit: 1_000
            }))
        );
    }

    #[test]
    fn what_a_workbook_unpacks_to_is_counted_not_believed() {
        let bytes = hostile::long_shared_string(70_000_000, 1);
        assert_eq!(
            read(&bytes),
            Err(SpreadsheetProblem::Limit(LimitProblem::TooLargeUnpacked {
                limit: IMPORT_LIMITS.unpacked_bytes
            }))
        );
    }

    #[test]
    fn a_lying_count_of_shared_strings_is_refused() {
        let base = hostile::workbook(&header_cells());
        let lying = hostile::with_part(&base, "xl/sharedStrings.xml", |xml| {
            let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = start + xml[start..].find('"').unwrap();
            format!("{}10000000000000{}", &xml[..start], &xml[end..])
        });
        let problem = read(&lying).unwrap_err();
        assert!(
            matches!(&problem, SpreadsheetProblem::Unreadable(m) if m.contains("claims 10000000000000")),
            "{problem}"
        );
    }

    #[test]
    fn too_many_rows_stop_the_reading() {
        let limits = SheetLimits {
            rows: 3,
            ..IMPORT_LIMITS
        };
        let cells: Vec<(u32, u16, &str)> = (0..5).map(|row| (row, 0, "x")).collect();
        assert_eq!(
            read_xlsx(&hostile::workbook(&cells), &limits, any_header),
            Err(SpreadsheetProblem::Limit(LimitProblem::TooManyRows {
                limit: 3
            }))
        );
    }

    #[test]
    fn the_sheet_is_found_by_its_header_whatever_its_place() {
        // The template's first sheet lists the certificate types; the rows are on another.
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let types = workbook.add_worksheet();
        types.set_name("Certificate types").unwrap();
        types.write_string(0, 0, "Gas safety").unwrap();
        let data = workbook.add_worksheet();
        data.set_name("My rows").unwrap();
        data.write_string(0, 0, "ContractorUserTypeID").unwrap();
        data.write_string(1, 0, "12").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let is_header =
            |cells: &[Cell]| cells.first() == Some(&Cell::Text("ContractorUserTypeID".into()));
        let rows = read_xlsx(&bytes, &IMPORT_LIMITS, is_header).unwrap();
        assert_eq!(rows[1].1[0], Cell::Text("12".into()));
        // No sheet with the header: the first with values, for the header's own message.
        let rows = read_xlsx(&bytes, &IMPORT_LIMITS, |_: &[Cell]| false).unwrap();
        assert_eq!(rows[0].1[0], Cell::Text("Gas safety".into()));
    }

    #[test]
    fn an_opendocument_file_gets_its_own_message() {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file("mimetype", stored).unwrap();
        std::io::Write::write_all(&mut out, b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        out.start_file("content.xml", stored).unwrap();
        std::io::Write::write_all(&mut out, b"<office:document-content/>").unwrap();
        let bytes = out.finish().unwrap().into_inner();
        let problem = read(&bytes).unwrap_err();
        assert_eq!(problem, SpreadsheetProblem::OpenDocument);
        assert!(problem.to_string().contains(".xlsx"));
    }

    #[test]
    fn damaged_files_are_unreadable_not_a_crash() {
        let mut bytes = hostile::workbook(&header_cells());
        bytes.truncate(bytes.len() / 2);
        assert!(matches!(
            read(&bytes),
            Err(SpreadsheetProblem::Unreadable(_))
        ));
        assert!(matches!(
            read(b"PK\x03\x04 not really"),
            Err(SpreadsheetProblem::Unreadable(_))
        ));
    }
}
