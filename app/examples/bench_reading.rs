//! Times reading a typical 2-page certificate (the corpus's boiler service record) as an
//! upload does: the child process started, the PDF's text extracted under its limits, the
//! fields read from it. 20 runs after one warm-up; prints median, p90 and worst.
//!
//! Usage: bench_reading PROGRAM [ARGS…]  (the reader: `certidesk read-pdf` in production)

use app::domain::certificate_reading::read_certificate;
use app::files::certificate_corpus::corpus;
use app::files::certificate_text::{pdf_text, use_reader, TextReader, DEADLINE};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let program = args.next().expect("usage: bench_reading PROGRAM [ARGS…]");
    use_reader(TextReader {
        program: program.into(),
        args: args.collect(),
        deadline: DEADLINE,
    });
    let specimen = corpus()
        .into_iter()
        .find(|s| s.name.contains("two pages"))
        .expect("the 2-page specimen");
    let read = || async {
        let text = pdf_text(&specimen.pdf).await.expect("the specimen reads");
        read_certificate(&text, specimen.certificate_type)
    };
    let first = read().await;
    assert_eq!(
        (first.start_date, first.end_date),
        (specimen.expected.start_date, specimen.expected.end_date),
        "the specimen's dates read right"
    );
    let mut times = Vec::new();
    let mut parse = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let text = pdf_text(&specimen.pdf).await.expect("the specimen reads");
        let extracted = started.elapsed();
        let reading = read_certificate(&text, specimen.certificate_type);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        parse.push((started.elapsed() - extracted).as_secs_f64() * 1000.0);
        std::hint::black_box(reading);
    }
    times.sort_by(f64::total_cmp);
    parse.sort_by(f64::total_cmp);
    println!(
        "reading a 2-page certificate ({} bytes), 20 runs: median {:.1} ms, p90 {:.1} ms, worst {:.1} ms (of which reading the text for fields: median {:.2} ms)",
        specimen.pdf.len(),
        times[10],
        times[18],
        times[19],
        parse[10]
    );
}
