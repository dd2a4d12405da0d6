//! The text of an uploaded certificate PDF, read in a child process. A PDF can be a bomb (a few
//! megabytes that inflate to gigabytes, or content that takes minutes to walk), and no PDF
//! library bounds its own memory, so the reading runs in a process of its own with an address
//! space limit and a CPU limit, and is killed at a deadline. Whatever the file does, the server
//! loses at most that child; the caller only learns that the text could not be read.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The most pages read: certificates are a page or a few; the rest is terms and conditions.
pub const MAX_PAGES: u32 = 8;
/// The child's address space: enough for a 10 MB PDF of a few pages, far below the server's.
const MAX_MEMORY: u64 = 768 * 1024 * 1024;
/// How long a reading may take before the caller gives up and the child is killed.
pub const DEADLINE: Duration = Duration::from_secs(8);
/// The child's CPU time, a backstop for a child that outlives its caller.
pub const CPU_SECONDS: u64 = 10;
/// The most text passed back.
const MAX_TEXT_BYTES: usize = 400_000;
/// What the child writes before the text, so nothing a library prints could pass for text.
const MARKER: &[u8] = b"\x01certidesk-text\n";

/// How to start the child: the server runs itself with `read-pdf`; tests run the app's
/// `certidesk-read-pdf` binary.
#[derive(Clone, Debug)]
pub struct TextReader {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub deadline: Duration,
}

static READER: OnceLock<TextReader> = OnceLock::new();

/// Sets how this process reads PDFs; the first call wins.
pub fn use_reader(reader: TextReader) {
    let _ = READER.set(reader);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("no PDF reader is set up in this process")]
    NoReader,
    #[error("the PDF could not be read")]
    Unreadable,
    #[error("reading the PDF took longer than allowed")]
    TimedOut,
}

/// The text of a PDF's first pages (empty for a scan). Runs the child and waits at most the
/// reader's deadline; the child is killed when the deadline passes or the caller goes away.
pub async fn pdf_text(bytes: &[u8]) -> Result<String, TextError> {
    let reader = READER.get().ok_or(TextError::NoReader)?;
    pdf_text_within(bytes, reader.deadline).await
}

/// [`pdf_text`] with a deadline of the caller's.
pub async fn pdf_text_within(bytes: &[u8], deadline: Duration) -> Result<String, TextError> {
    let reader = READER.get().ok_or(TextError::NoReader)?;
    let mut child = tokio::process::Command::new(&reader.program)
        .args(&reader.args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            tracing::error!("could not start the PDF reader: {e}");
            TextError::Unreadable
        })?;
    let mut stdin = child.stdin.take().ok_or(TextError::Unreadable)?;
    let mut stdout = child.stdout.take().ok_or(TextError::Unreadable)?;
    let input = bytes.to_vec();
    let work = async move {
        // Write and read at once: a child that answers before reading everything must not
        // leave the writer blocked on a full pipe.
        let write = async move {
            let _ = stdin.write_all(&input).await;
            drop(stdin);
        };
        let read = async move {
            let mut out = Vec::new();
            let _ = (&mut stdout)
                .take(MAX_TEXT_BYTES as u64 + MARKER.len() as u64 + 1)
                .read_to_end(&mut out)
                .await;
            out
        };
        let ((), out) = tokio::join!(write, read);
        let status = child.wait().await;
        (status, out)
    };
    let (status, out) = tokio::time::timeout(deadline, work)
        .await
        .map_err(|_| TextError::TimedOut)?;
    if !status.is_ok_and(|s| s.success()) {
        return Err(TextError::Unreadable);
    }
    let at = find(&out, MARKER).ok_or(TextError::Unreadable)?;
    let text = &out[at + MARKER.len()..];
    Ok(String::from_utf8_lossy(&text[..text.len().min(MAX_TEXT_BYTES)]).into_owned())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The child's whole life: limits first, then the PDF from stdin, its text to stdout.
/// Exits 0 with the text, 2 when the PDF cannot be read.
pub fn child_main(max_input: u64, cpu_seconds: u64) -> ! {
    use std::io::{Read, Write};
    let _ = rlimit::setrlimit(rlimit::Resource::AS, MAX_MEMORY, MAX_MEMORY);
    let _ = rlimit::setrlimit(rlimit::Resource::CPU, cpu_seconds, cpu_seconds);
    let mut bytes = Vec::new();
    if std::io::stdin()
        .take(max_input + 1)
        .read_to_end(&mut bytes)
        .is_err()
        || bytes.len() as u64 > max_input
    {
        std::process::exit(2);
    }
    let text = std::panic::catch_unwind(|| first_pages_text(&bytes))
        .ok()
        .flatten();
    let Some(text) = text else {
        std::process::exit(2);
    };
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(MARKER)
        .and_then(|()| out.write_all(text.as_bytes()))
        .and_then(|()| out.flush());
    std::process::exit(if written.is_ok() { 0 } else { 2 });
}

fn first_pages_text(bytes: &[u8]) -> Option<String> {
    let mut doc = pdf_extract::Document::load_mem(bytes).ok()?;
    // Many certificates are "encrypted" only to stop editing, with an empty password to open.
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return None;
    }
    let pages = doc.get_pages().len() as u32;
    let mut out = Lines::default();
    for page in 1..=pages.min(MAX_PAGES) {
        // A page that cannot be read leaves the others readable.
        let _ = pdf_extract::output_doc_page(&doc, &mut out, page);
        if out.text.len() > MAX_TEXT_BYTES {
            break;
        }
    }
    Some(out.text)
}

/// Text laid out in lines by where each character stands: a new line wherever the baseline
/// moves, a space wherever a gap opens. (pdf-extract's own plain-text output runs lines
/// together when they are close, which joins a label's value to the next label.)
#[derive(Default)]
struct Lines {
    text: String,
    started: bool,
    last_end: f64,
    last_y: f64,
}

impl pdf_extract::OutputDev for Lines {
    fn begin_page(
        &mut self,
        _page: u32,
        _media_box: &pdf_extract::MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), pdf_extract::OutputError> {
        if self.started {
            self.text.push('\n');
        }
        self.started = false;
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &pdf_extract::Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), pdf_extract::OutputError> {
        let size = ((trm.m11 + trm.m21) * (trm.m12 + trm.m22)).abs().sqrt() * font_size;
        let (x, y) = (trm.m31, trm.m32);
        if self.started {
            if (y - self.last_y).abs() > size * 0.5 {
                self.text.push('\n');
            } else if x > self.last_end + size * 0.1 || x < self.last_end - size {
                self.text.push(' ');
            }
        }
        self.text.push_str(char);
        self.started = true;
        self.last_y = y;
        self.last_end = x + width * size;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), pdf_extract::OutputError> {
        Ok(())
    }
}
