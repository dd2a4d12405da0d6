//! Reading certificates for the user: the generated corpus through the real reader (a child
//! process running pdf-extract), what an upload stores, cover minimums on both databases.

use app::domain::certificate_reading::{has_text, read_certificate, ReadOutcome, Reading};
use app::files::certificate_corpus::{corpus, scanned_certificate};
use app::files::certificate_text::{pdf_text, use_reader, TextReader};
use std::time::Duration;

fn reader() {
    use_reader(TextReader {
        program: env!("CARGO_BIN_EXE_certidesk-read-pdf").into(),
        args: vec![],
        deadline: Duration::from_secs(20),
    });
}

#[derive(Default)]
struct Tally {
    found: u32,
    missed: u32,
    wrong: u32,
}

impl Tally {
    fn count<T: PartialEq + std::fmt::Debug>(
        &mut self,
        got: &Option<T>,
        want: &Option<T>,
        what: &str,
    ) {
        match (got, want) {
            (Some(g), Some(w)) if g == w => self.found += 1,
            (None, Some(_)) => self.missed += 1,
            (None, None) => {}
            (Some(g), w) => {
                self.wrong += 1;
                println!("    wrong {what}: read {g:?}, expected {w:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_corpus_is_read_with_no_wrong_dates() {
    reader();
    let mut tallies: [(&str, Tally); 5] = [
        ("start date", Tally::default()),
        ("end date", Tally::default()),
        ("issuer", Tally::default()),
        ("reference", Tally::default()),
        ("cover", Tally::default()),
    ];
    let specimens = corpus();
    assert!(
        specimens.len() >= 12,
        "the corpus keeps at least 12 certificates"
    );
    for s in &specimens {
        let text = pdf_text(&s.pdf).await.expect("a corpus PDF reads");
        let r: Reading = read_certificate(&text, s.certificate_type);
        println!("{}:", s.name);
        let e = &s.expected;
        tallies[0]
            .1
            .count(&r.start_date, &e.start_date, "start date");
        tallies[1].1.count(&r.end_date, &e.end_date, "end date");
        tallies[2].1.count(&r.issuer, &e.issuer, "issuer");
        tallies[3].1.count(&r.reference, &e.reference, "reference");
        tallies[4].1.count(&r.cover, &e.cover, "cover");
        if r != *e {
            println!("    text read:\n{}", text.trim());
        }
    }
    println!(
        "\n{:<12} {:>6} {:>7} {:>6}",
        "field", "found", "missed", "wrong"
    );
    for (name, t) in &tallies {
        println!("{name:<12} {:>6} {:>7} {:>6}", t.found, t.missed, t.wrong);
    }
    let (start, end, cover) = (&tallies[0].1, &tallies[1].1, &tallies[4].1);
    assert_eq!(
        start.wrong + end.wrong,
        0,
        "a wrong date is worse than none"
    );
    assert_eq!(cover.wrong, 0, "a wrong cover is worse than none");
    // Most of what the corpus states is found.
    assert!(
        start.found >= 11 && end.found >= 10,
        "dates found: {} / {}",
        start.found,
        end.found
    );
    assert!(cover.found >= 5, "covers found: {}", cover.found);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scan_has_no_text() {
    reader();
    let text = pdf_text(&scanned_certificate())
        .await
        .expect("a scan is a readable PDF");
    // Only the page number the writer stamps on every page.
    assert!(!has_text(&text), "{text:?}");
}
