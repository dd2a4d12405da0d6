//! The import's workbook reader on arbitrary bytes, and on mutations of a real workbook (the
//! seed corpus holds the template and the bombs): it must never panic or abort, and whatever it
//! accepts must hold the import's limits.
#![no_main]

use app::domain::import::Cell;
use app::domain::sheet::IMPORT_LIMITS;
use app::files::spreadsheet::read_xlsx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = read_xlsx(data, &IMPORT_LIMITS, |_: &[Cell]| true) else {
        return;
    };
    assert!(rows.len() <= IMPORT_LIMITS.rows);
    for (_, cells) in &rows {
        assert!(cells.len() <= IMPORT_LIMITS.columns);
        for cell in cells {
            if let Cell::Text(text) = cell {
                assert!(text.chars().count() <= IMPORT_LIMITS.cell_chars);
            }
        }
    }
});
