//! Reading spreadsheet text exported as CSV: the encoding (UTF-8 with or without a byte order
//! mark, or Windows-1252 from older Excel) and RFC 4180 records (quoted fields with commas,
//! quotes and line breaks; CRLF or LF; trailing blank lines ignored).

use super::sheet::{LimitProblem, SheetLimits};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsvProblem {
    #[error("The file is empty.")]
    Empty,
    #[error("This is not a text (CSV) file. Save the spreadsheet as \"CSV UTF-8\" or upload the .xlsx file itself.")]
    NotText,
    #[error("Row {row}: a quoted field is never closed. Check for a stray \" in that row.")]
    UnclosedQuote { row: usize },
    #[error(transparent)]
    Limit(#[from] LimitProblem),
}

/// Which encoding the bytes were read as, so the page can say so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Windows1252,
}

/// Windows-1252's characters for the bytes 0x80..=0x9F (the rest of 0xA0..=0xFF is Latin-1).
/// Undefined bytes map to `None`.
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The file's text: UTF-8 (a byte order mark is dropped) or else Windows-1252, converted. Bytes
/// that are neither (NUL, undefined Windows-1252 codes) mean the file is not text.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), CsvProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CsvProblem::Empty);
    }
    if bytes.contains(&0) {
        return Err(CsvProblem::NotText);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_string(), Encoding::Utf8));
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    for &b in bytes {
        let c = match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize].ok_or(CsvProblem::NotText)?,
            _ => b as char,
        };
        text.push(c);
    }
    Ok((text, Encoding::Windows1252))
}

/// The records of CSV text, each with the line it starts on (1-based). Rows with no content at
/// all (blank lines, a trailing newline) are left out. Checked against `limits` while reading:
/// blank fields past the last column are dropped (spreadsheets pad rows with commas), a value
/// there, a too long field or too many rows stop the reading.
pub fn records(text: &str, limits: &SheetLimits) -> Result<Vec<(usize, Vec<String>)>, CsvProblem> {
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    let end_field = |fields: &mut Vec<String>, field: &mut String, start: usize| {
        limits.check_cell(start, fields.len(), field)?;
        if fields.len() < limits.columns {
            fields.push(std::mem::take(field));
        } else {
            field.clear();
        }
        Ok::<_, CsvProblem>(())
    };
    let mut finish = |fields: &mut Vec<String>, field: &mut String, start: usize| {
        end_field(fields, field, start)?;
        let record = std::mem::take(fields);
        if record.iter().any(|f| !f.trim().is_empty()) {
            limits.check_rows(out.len())?;
            out.push((start, record));
        }
        Ok::<_, CsvProblem>(())
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                '\r' if chars.peek() == Some(&'\n') => {}
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            ',' => end_field(&mut fields, &mut field, record_line)?,
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                finish(&mut fields, &mut field, record_line)?;
                line += 1;
                record_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(CsvProblem::UnclosedQuote { row: record_line });
    }
    finish(&mut fields, &mut field, record_line)?;
    Ok(out)
}

/// Writes one CSV record, quoting where needed, with a CRLF line end (what spreadsheets expect).
pub fn write_record(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // A leading = + - @ would run as a formula when opened in a spreadsheet.
        let risky = f.starts_with(['=', '+', '-', '@']) && f.parse::<f64>().is_err();
        if f.contains([',', '"', '\n', '\r']) || risky {
            out.push('"');
            if risky {
                out.push('\'');
            }
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use crate::domain::sheet::IMPORT_LIMITS;

    #[test]
    fn limits_hold_while_reading() {
        let limits = SheetLimits {
            rows: 2,
            columns: 3,
            cell_chars: 5,
            ..IMPORT_LIMITS
        };
        // Blank padding past the last column is dropped, not stored.
        let padded = format!("a,b,c{}\n", ",".repeat(100_000));
        let read = records(&padded, &limits).unwrap();
        assert_eq!(read, vec![(1, vec!["a".into(), "b".into(), "c".into()])]);
        assert_eq!(
            records("a,b,c,d\n", &limits),
            Err(CsvProblem::Limit(LimitProblem::TooManyColumns {
                cell: "D1".into(),
                last: "C".into()
            }))
        );
        assert_eq!(
            records("a\n\"long\nfield\"\n", &limits),
            Err(CsvProblem::Limit(LimitProblem::CellTooLong {
                cell: "A2".into(),
                limit: 5
            }))
        );
        assert!(
            records("a\nb\n\n\n", &limits).is_ok(),
            "blank lines are not rows"
        );
        assert_eq!(
            records("a\nb\nc\n", &limits),
            Err(CsvProblem::Limit(LimitProblem::TooManyRows { limit: 2 }))
        );
    }

    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        records(text, &IMPORT_LIMITS)
            .unwrap()
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    #[test]
    fn utf8_with_or_without_a_bom() {
        assert_eq!(decode(b"a,b").unwrap(), ("a,b".into(), Encoding::Utf8));
        assert_eq!(
            decode(b"\xEF\xBB\xBFa,b").unwrap(),
            ("a,b".into(), Encoding::Utf8)
        );
        assert_eq!(
            decode("Caf\u{e9}".as_bytes()).unwrap(),
            ("Café".into(), Encoding::Utf8)
        );
    }

    #[test]
    fn windows_1252_is_converted() {
        // "Café – €5" as Excel's "CSV" writes it on Windows.
        let (text, encoding) = decode(b"Caf\xe9 \x96 \x805").unwrap();
        assert_eq!(text, "Café – €5");
        assert_eq!(encoding, Encoding::Windows1252);
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        assert_eq!(decode(b"PK\x03\x04\0\0"), Err(CsvProblem::NotText));
        assert_eq!(decode(b"\x81\x8d"), Err(CsvProblem::NotText));
        assert_eq!(decode(b""), Err(CsvProblem::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBF \r\n"), Err(CsvProblem::Empty));
    }

    #[test]
    fn records_follow_rfc_4180() {
        assert_eq!(rows("a,b\r\nc,d\r\n"), [["a", "b"], ["c", "d"]]);
        assert_eq!(rows("a,b\nc,d"), [["a", "b"], ["c", "d"]]);
        assert_eq!(
            rows("\"Smith, J\",\"say \"\"hi\"\"\"\n"),
            [["Smith, J", "say \"hi\""]]
        );
        assert_eq!(rows("\"two\r\nlines\",x\r\n"), [["two\nlines", "x"]]);
        assert_eq!(rows("a,,c"), [["a", "", "c"]]);
        assert_eq!(rows("a,b\r\n\r\n,\r\n\r\n"), [["a", "b"]]);
    }

    #[test]
    fn records_know_their_line() {
        let found = records("h1,h2\n\"multi\nline\",x\ny,z\n", &IMPORT_LIMITS).unwrap();
        let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 4]);
    }

    #[test]
    fn an_unclosed_quote_names_its_row() {
        assert_eq!(
            records("a,b\n\"oops,c\n", &IMPORT_LIMITS),
            Err(CsvProblem::UnclosedQuote { row: 2 })
        );
    }

    #[test]
    fn written_records_read_back_and_never_run_as_formulas() {
        let mut out = String::new();
        write_record(
            &mut out,
            &[
                "plain",
                "with, comma",
                "quote \"x\"",
                "=HYPERLINK(1)",
                "-12",
            ],
        );
        assert_eq!(
            out,
            "plain,\"with, comma\",\"quote \"\"x\"\"\",\"'=HYPERLINK(1)\",-12\r\n"
        );
        assert_eq!(
            rows(&out),
            [[
                "plain",
                "with, comma",
                "quote \"x\"",
                "'=HYPERLINK(1)",
                "-12"
            ]]
        );
    }
}
