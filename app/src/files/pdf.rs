//! A small PDF writer for the service report: A4 pages of Helvetica text that wraps and flows
//! onto new pages, and JPEG images (signatures, defect photos). Text is stored uncompressed, so
//! the report's words can be searched and read by any PDF reader.

/// A4 in points.
const PAGE_WIDTH: f64 = 595.0;
const PAGE_HEIGHT: f64 = 842.0;
const MARGIN: f64 = 50.0;

struct Image {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
}

/// A document being written top to bottom.
pub struct PdfWriter {
    pages: Vec<(String, Vec<usize>)>,
    images: Vec<Image>,
    y: f64,
}

impl Default for PdfWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfWriter {
    pub fn new() -> Self {
        PdfWriter {
            pages: vec![(String::new(), Vec::new())],
            images: Vec::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    /// Moves to a new page when less than `needed` points are left on this one.
    fn room(&mut self, needed: f64) {
        if self.y - needed < MARGIN {
            self.pages.push((String::new(), Vec::new()));
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn content(&mut self) -> &mut String {
        &mut self.pages.last_mut().expect("a page").0
    }

    /// Text in `size` points, bold or not, wrapped to the page width.
    pub fn text(&mut self, text: &str, size: f64, bold: bool) {
        let leading = size * 1.35;
        let chars_per_line = ((PAGE_WIDTH - 2.0 * MARGIN) / (size * 0.5)) as usize;
        for paragraph in text.split('\n') {
            for line in wrap(paragraph, chars_per_line) {
                self.room(leading);
                self.y -= leading;
                let font = if bold { "F2" } else { "F1" };
                let y = self.y;
                let escaped = escape(&line);
                self.content().push_str(&format!(
                    "BT /{font} {size} Tf {MARGIN} {y:.1} Td ({escaped}) Tj ET\n"
                ));
            }
        }
    }

    pub fn heading(&mut self, text: &str) {
        self.gap(8.0);
        self.text(text, 14.0, true);
        self.gap(2.0);
    }

    pub fn gap(&mut self, points: f64) {
        self.y -= points;
    }

    /// A JPEG of `width` x `height` pixels, shown `shown_width` points wide.
    pub fn image(&mut self, jpeg: Vec<u8>, width: u32, height: u32, shown_width: f64) {
        let shown_height = shown_width * f64::from(height) / f64::from(width.max(1));
        self.room(shown_height + 4.0);
        self.y -= shown_height + 4.0;
        let index = self.images.len();
        self.images.push(Image {
            jpeg,
            width,
            height,
        });
        let y = self.y;
        self.content().push_str(&format!(
            "q {shown_width:.1} 0 0 {shown_height:.1} {MARGIN} {y:.1} cm /Im{index} Do Q\n"
        ));
        self.pages.last_mut().expect("a page").1.push(index);
    }

    /// The finished file.
    pub fn finish(self) -> Vec<u8> {
        let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        let image_base = 5;
        let page_base = image_base + self.images.len();
        let page_ids: Vec<usize> = (0..self.pages.len()).map(|i| page_base + 2 * i).collect();
        let mut object = |out: &mut Vec<u8>, body: Vec<u8>| {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
            out.extend_from_slice(&body);
            out.extend_from_slice(b"\nendobj\n");
        };
        object(&mut out, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
        object(
            &mut out,
            format!(
                "<< /Type /Pages /Kids [{}] /Count {} >>",
                kids.join(" "),
                page_ids.len()
            )
            .into_bytes(),
        );
        for font in ["Helvetica", "Helvetica-Bold"] {
            object(
                &mut out,
                format!(
                    "<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding >>"
                )
                .into_bytes(),
            );
        }
        for image in &self.images {
            let mut body = format!(
                "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB \
                 /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
                image.width,
                image.height,
                image.jpeg.len()
            )
            .into_bytes();
            body.extend_from_slice(&image.jpeg);
            body.extend_from_slice(b"\nendstream");
            object(&mut out, body);
        }
        for (i, (content, images)) in self.pages.iter().enumerate() {
            let xobjects: Vec<String> = images
                .iter()
                .map(|n| format!("/Im{n} {} 0 R", image_base + n))
                .collect();
            object(
                &mut out,
                format!(
                    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] \
                     /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << {} >> >> \
                     /Contents {} 0 R >>",
                    xobjects.join(" "),
                    page_ids[i] + 1
                )
                .into_bytes(),
            );
            let bytes = latin1(content);
            let mut body = format!("<< /Length {} >>\nstream\n", bytes.len()).into_bytes();
            body.extend_from_slice(&bytes);
            body.extend_from_slice(b"endstream");
            object(&mut out, body);
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
        );
        for offset in &offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                offsets.len() + 1
            )
            .as_bytes(),
        );
        out
    }
}

/// Words onto lines of at most `width` characters; a longer word is cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// A PDF string literal's content: backslash, parentheses escaped; no line breaks.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// WinAnsi bytes for the standard fonts: Latin-1 as is, typographic marks mapped, the rest "?".
fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => b'\'',
            '\u{201C}' | '\u{201D}' => b'"',
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2022}' => 0x95,
            '\u{20AC}' => 0x80,
            c if (c as u32) < 256 => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_readable_and_wrapped() {
        let mut pdf = PdfWriter::new();
        pdf.heading("Service report");
        pdf.text("Boiler (kitchen) \\ checked — café", 10.0, false);
        pdf.text(&"word ".repeat(60), 10.0, false);
        let bytes = pdf.finish();
        let text = String::from_utf8_lossy(&bytes);
        assert!(bytes.starts_with(b"%PDF-1.4"));
        assert!(text.contains("(Service report) Tj"));
        assert!(text.contains(r"(Boiler \(kitchen\) \\ checked "));
        assert!(bytes.windows(5).any(|w| w == b"caf\xE9)"), "Latin-1 é");
        assert!(text.trim_end().ends_with("%%EOF"));
        // 60 words of 5 characters wrap onto more than one line.
        assert!(text.matches("(word word").count() >= 2);
    }

    #[test]
    fn long_reports_flow_onto_new_pages_and_the_xref_points_at_objects() {
        let mut pdf = PdfWriter::new();
        for i in 0..120 {
            pdf.text(&format!("Line {i}"), 10.0, false);
        }
        pdf.image(vec![0xFF, 0xD8, 0xFF, 0xD9], 900, 300, 200.0);
        let bytes = pdf.finish();
        let text = String::from_utf8_lossy(&bytes).to_string();
        assert!(
            text.contains("/Count 3"),
            "120 lines at 13.5 pt need three pages"
        );
        assert!(text.contains("/Im0 Do"));
        // Offsets count bytes: read them against the bytes, not a lossy text.
        let find = |pattern: &[u8]| {
            bytes
                .windows(pattern.len())
                .rposition(|w| w == pattern)
                .unwrap()
        };
        let xref = find(b"startxref\n") + 10;
        let number = |from: usize| -> usize {
            let end = from
                + bytes[from..]
                    .iter()
                    .position(|b| !b.is_ascii_digit())
                    .unwrap();
            std::str::from_utf8(&bytes[from..end])
                .unwrap()
                .parse()
                .unwrap()
        };
        let at = number(xref);
        assert!(bytes[at..].starts_with(b"xref"));
        // Each object offset in the table starts that object.
        for n in 0..4 {
            let line = at + "xref\n0 00\n".len() + 20 * (n + 1);
            let offset = number(line);
            assert!(
                bytes[offset..].starts_with(format!("{} 0 obj", n + 1).as_bytes()),
                "object {}",
                n + 1
            );
        }
    }

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_cannot_fit() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
