//! Writes the seed corpus of the spreadsheet fuzz target: a filled-in workbook of the template's
//! columns and the hostile files the reader must refuse. Usage:
//! `cargo run -p app --features ssr --example fuzz_seeds -- fuzz/corpus/spreadsheet_reader`

use app::domain::import::COLUMNS;
use app::files::hostile;

fn main() {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus/spreadsheet_reader".into()),
    );
    std::fs::create_dir_all(&dir).expect("the corpus folder");
    let mut filled: Vec<(u32, u16, &str)> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, name)| (0, i as u16, *name))
        .collect();
    let row = [
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
    for (i, text) in row.iter().enumerate() {
        filled.push((1, i as u16, text));
    }
    let seeds = [
        ("filled.xlsx", hostile::workbook(&filled)),
        (
            "far-corner.xlsx",
            hostile::workbook(&[(0, 0, "x"), (1_048_575, 16_383, "y")]),
        ),
        (
            "far-down.xlsx",
            hostile::workbook(&[(0, 0, "x"), (999_999, 25, "y")]),
        ),
        ("long-string.xlsx", hostile::long_shared_string(5_000, 3)),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).expect("a seed written");
    }
    println!("seeds written to {}", dir.display());
}
