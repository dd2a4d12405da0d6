//! What a spreadsheet sent for an import may hold, checked while it is read (before anything is
//! built from it): rows, columns, the length of one cell and, for a zipped workbook, how much it
//! unpacks to. A file past a limit is refused with the cell or the figure that broke it.

use super::task_count::thousands;

/// Limits of one sheet as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SheetLimits {
    /// Rows with any value, the header included.
    pub rows: usize,
    /// Columns A.. that may hold a value.
    pub columns: usize,
    /// Characters of one cell.
    pub cell_chars: usize,
    /// Bytes a zipped workbook (.xlsx) unpacks to, all of its parts together.
    pub unpacked_bytes: u64,
    /// Parts of a zipped workbook.
    pub parts: usize,
}

/// The certification import: 50,000 rows of data and the header; the template has 9 columns,
/// and a workbook exported from another system may carry a few more that are ignored.
pub const IMPORT_LIMITS: SheetLimits = SheetLimits {
    rows: 50_001,
    columns: 50,
    cell_chars: 1_000,
    unpacked_bytes: 64 * 1024 * 1024,
    parts: 500,
};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitProblem {
    #[error("The file has more than {} rows; one import takes up to {}. Split it into several files.", thousands((limit - 1) as u64), thousands((limit - 1) as u64))]
    TooManyRows { limit: usize },
    #[error("Cell {cell} has a value, but an import reads only columns A to {last}. Delete what is beyond them, or copy the template's columns into a new sheet.")]
    TooManyColumns { cell: String, last: String },
    #[error("Cell {cell} has more than {} characters; a cell may hold up to {}. Check that cell.", thousands(*limit as u64), thousands(*limit as u64))]
    CellTooLong { cell: String, limit: usize },
    #[error("The spreadsheet unpacks to more than {} MB; an import takes up to {} MB. Save only the sheet to import, or save it as CSV UTF-8.", limit / 1_048_576, limit / 1_048_576)]
    TooLargeUnpacked { limit: u64 },
    #[error("The spreadsheet has more than {limit} parts; it does not look like a saved workbook. Save it again as .xlsx or CSV UTF-8.")]
    TooManyParts { limit: usize },
}

impl SheetLimits {
    /// A cell's text is within the limit. Cheap for long text: counts at most `cell_chars + 1`.
    pub fn check_cell(&self, row: usize, column: usize, text: &str) -> Result<(), LimitProblem> {
        if column >= self.columns && !text.trim().is_empty() {
            return Err(LimitProblem::TooManyColumns {
                cell: cell_name(row, column),
                last: column_name(self.columns - 1),
            });
        }
        if text.len() > self.cell_chars
            && text.chars().take(self.cell_chars + 1).count() > self.cell_chars
        {
            return Err(LimitProblem::CellTooLong {
                cell: cell_name(row, column),
                limit: self.cell_chars,
            });
        }
        Ok(())
    }

    /// One more row with values, after `so_far` of them.
    pub fn check_rows(&self, so_far: usize) -> Result<(), LimitProblem> {
        if so_far >= self.rows {
            Err(LimitProblem::TooManyRows { limit: self.rows })
        } else {
            Ok(())
        }
    }
}

/// A column as a spreadsheet names it: 0 is "A", 25 "Z", 26 "AA".
pub fn column_name(column: usize) -> String {
    let mut n = column + 1;
    let mut name = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        name.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// A cell as a spreadsheet names it: `row` 1-based, `column` 0-based ("D7").
pub fn cell_name(row: usize, column: usize) -> String {
    format!("{}{row}", column_name(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_cells_are_named_as_a_spreadsheet_names_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(49), "AX");
        assert_eq!(column_name(16_383), "XFD");
        assert_eq!(cell_name(1_048_576, 16_383), "XFD1048576");
    }

    #[test]
    fn a_value_beyond_the_last_column_is_refused_but_a_blank_one_is_not() {
        let limits = IMPORT_LIMITS;
        assert_eq!(limits.check_cell(1, 49, "x"), Ok(()));
        assert_eq!(limits.check_cell(1_048_576, 16_383, "  "), Ok(()));
        let problem = limits.check_cell(1_048_576, 16_383, "x").unwrap_err();
        assert_eq!(
            problem,
            LimitProblem::TooManyColumns {
                cell: "XFD1048576".into(),
                last: "AX".into()
            }
        );
        assert!(problem.to_string().contains("columns A to AX"), "{problem}");
    }

    #[test]
    fn a_cell_is_measured_in_characters_not_bytes() {
        let limits = IMPORT_LIMITS;
        // 1,000 two-byte characters are 2,000 bytes but within the limit.
        assert_eq!(limits.check_cell(2, 3, &"é".repeat(1_000)), Ok(()));
        let problem = limits.check_cell(2, 3, &"é".repeat(1_001)).unwrap_err();
        assert_eq!(
            problem,
            LimitProblem::CellTooLong {
                cell: "D2".into(),
                limit: 1_000
            }
        );
        assert!(problem.to_string().contains("more than 1,000 characters"));
    }

    #[test]
    fn rows_are_counted_up_to_the_limit() {
        let limits = IMPORT_LIMITS;
        assert_eq!(limits.check_rows(50_000), Ok(()));
        let problem = limits.check_rows(50_001).unwrap_err();
        assert!(
            problem.to_string().contains("more than 50,000 rows"),
            "{problem}"
        );
    }
}
