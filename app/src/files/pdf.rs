//! The service report's pages, written with krilla: DejaVu Sans embedded as a subset (every
//! name, address and note prints as typed, Ł and ŵ included), text measured and wrapped by the
//! font's own glyph advances, tables, JPEG images, a QR code, and on every page a header (the
//! agency and the task reference) and a footer ("Page 2 of 3" and the verification address).
//!
//! Laying out and drawing are two passes: [`PdfWriter`] places everything on pages first, so
//! the footer can say how many pages there are, then [`PdfWriter::finish`] draws them.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use std::sync::{Arc, LazyLock};

/// A4 in points; y runs down the page.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const CONTENT_TOP: f32 = 78.0;
const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 62.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const CELL_PADDING: f32 = 4.0;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// The two faces, parsed once: krilla's for drawing, rustybuzz's for measuring (the same
/// shaping krilla does, so a measured line is exactly as wide as the drawn one).
struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
}

static FACES: LazyLock<[Face; 2]> = LazyLock::new(|| {
    [REGULAR, BOLD].map(|data| Face {
        font: Font::new(data.into(), 0).expect("the shipped font parses"),
        shaper: rustybuzz::Face::from_slice(data, 0).expect("the shipped font parses"),
    })
});

fn face(bold: bool) -> &'static Face {
    &FACES[usize::from(bold)]
}

/// The width of `text` in points at `size`.
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let shaper = &face(bold).shaper;
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    let shaped = rustybuzz::shape(shaper, &[], buffer);
    let units: i32 = shaped.glyph_positions().iter().map(|p| p.x_advance).sum();
    units as f32 * size / f32::from(shaper.units_per_em() as u16)
}

/// What is drawn, where.
#[derive(Clone, Debug)]
enum Mark {
    Text {
        x: f32,
        /// The baseline.
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Image {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        jpeg: Arc<Vec<u8>>,
    },
    Rule {
        x: f32,
        y: f32,
        width: f32,
    },
    /// Dark squares of `module` points.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        side: usize,
        dark: Vec<bool>,
    },
    Link {
        rect: (f32, f32, f32, f32),
        uri: String,
    },
}

/// A column of a table: its heading and its share of the width.
pub struct Column<'a> {
    pub heading: &'a str,
    pub share: f32,
}

/// What stands on every page and in the file's metadata.
pub struct Frame {
    pub title: String,
    pub author: String,
    /// Left and right of the header.
    pub header: (String, String),
    /// Left of the footer, beside "Page n of m".
    pub footer: String,
    /// When the document was made, in UTC.
    pub created: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the report could not be written: {0}")]
    Write(String),
    #[error("an image in the report is not a JPEG the writer can read")]
    Image,
}

/// A document being laid out top to bottom.
pub struct PdfWriter {
    pages: Vec<Vec<Mark>>,
    y: f32,
}

impl Default for PdfWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfWriter {
    pub fn new() -> Self {
        PdfWriter {
            pages: vec![Vec::new()],
            y: CONTENT_TOP,
        }
    }

    /// How many pages the layout has so far.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Moves to a new page when less than `needed` points are left on this one.
    fn room(&mut self, needed: f32) {
        if self.y + needed > CONTENT_BOTTOM && self.y > CONTENT_TOP {
            self.pages.push(Vec::new());
            self.y = CONTENT_TOP;
        }
    }

    fn mark(&mut self, mark: Mark) {
        self.pages.last_mut().expect("a page").push(mark);
    }

    /// Text in `size` points, bold or not, wrapped to the page width; `\n` starts a new line.
    pub fn text(&mut self, text: &str, size: f32, bold: bool) {
        self.text_at(MARGIN, CONTENT_WIDTH, text, size, bold);
    }

    fn text_at(&mut self, x: f32, width: f32, text: &str, size: f32, bold: bool) {
        let leading = size * 1.4;
        for line in lines(text, width, size, bold) {
            self.room(leading);
            self.y += leading;
            let y = self.y - size * 0.3;
            self.mark(Mark::Text {
                x,
                y,
                size,
                bold,
                text: line,
            });
        }
    }

    /// Starts a new page unless `points` are left on this one: what follows stays together.
    pub fn keep_together(&mut self, points: f32) {
        self.room(points);
    }

    pub fn heading(&mut self, text: &str) {
        // A heading never ends a page on its own.
        self.room(14.0 * 1.4 + 40.0);
        self.gap(10.0);
        self.text(text, 14.0, true);
        self.gap(3.0);
    }

    pub fn gap(&mut self, points: f32) {
        self.y += points;
    }

    /// Labels in bold beside their values, the values wrapped.
    pub fn details(&mut self, rows: &[(&str, String)]) {
        let label_width = 110.0;
        let size = 10.0;
        let leading = size * 1.4;
        for (label, value) in rows {
            let value_lines = lines(value, CONTENT_WIDTH - label_width, size, false);
            self.room(leading * value_lines.len() as f32);
            let top = self.y;
            self.mark(Mark::Text {
                x: MARGIN,
                y: top + leading - size * 0.3,
                size,
                bold: true,
                text: (*label).to_string(),
            });
            for (i, line) in value_lines.into_iter().enumerate() {
                self.mark(Mark::Text {
                    x: MARGIN + label_width,
                    y: top + leading * (i + 1) as f32 - size * 0.3,
                    size,
                    bold: false,
                    text: line,
                });
            }
            self.y = top + leading * lines_or_one(value, CONTENT_WIDTH - label_width, size, false);
        }
    }

    /// A table with a bold heading row, repeated at the top of each page it runs onto.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>]) {
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| CONTENT_WIDTH * c.share / total)
            .collect();
        let headings: Vec<String> = columns.iter().map(|c| c.heading.to_string()).collect();
        self.table_row(&widths, &headings, true, 0.0);
        for row in rows {
            let pages = self.pages.len();
            let height = self.row_height(&widths, row, 9.5, false);
            self.room(height);
            if self.pages.len() != pages {
                self.table_row(&widths, &headings, true, 0.0);
            }
            self.table_row(&widths, row, false, height);
        }
    }

    fn row_height(&self, widths: &[f32], cells: &[String], size: f32, bold: bool) -> f32 {
        let most = widths
            .iter()
            .zip(cells)
            .map(|(w, cell)| lines_or_one(cell, w - 2.0 * CELL_PADDING, size, bold))
            .fold(1.0, f32::max);
        most * size * 1.4 + 2.0 * CELL_PADDING
    }

    fn table_row(&mut self, widths: &[f32], cells: &[String], bold: bool, height: f32) {
        let size = if bold { 9.0 } else { 9.5 };
        let height = if height > 0.0 {
            height
        } else {
            self.row_height(widths, cells, size, bold)
        };
        self.room(height);
        let top = self.y;
        let mut x = MARGIN;
        for (width, cell) in widths.iter().zip(cells) {
            for (i, line) in lines(cell, width - 2.0 * CELL_PADDING, size, bold)
                .into_iter()
                .enumerate()
            {
                self.mark(Mark::Text {
                    x: x + CELL_PADDING,
                    y: top + CELL_PADDING + size * 1.4 * (i + 1) as f32 - size * 0.3,
                    size,
                    bold,
                    text: line,
                });
            }
            x += width;
        }
        self.y = top + height;
        self.mark(Mark::Rule {
            x: MARGIN,
            y: self.y,
            width: CONTENT_WIDTH,
        });
    }

    /// A JPEG of `width` x `height` pixels, shown `shown_width` points wide.
    pub fn image(&mut self, jpeg: Vec<u8>, width: u32, height: u32, shown_width: f32) {
        let shown_height = shown_width * height as f32 / width.max(1) as f32;
        self.room(shown_height + 6.0);
        self.y += 4.0;
        let y = self.y;
        self.mark(Mark::Image {
            x: MARGIN,
            y,
            width: shown_width,
            height: shown_height,
            jpeg: Arc::new(jpeg),
        });
        self.y += shown_height + 2.0;
    }

    /// A QR code `side` points square for `address`, with the address as a link beside it and
    /// `caption` lines under the address.
    pub fn qr_code(
        &mut self,
        address: &str,
        side: f32,
        caption: &[String],
    ) -> Result<(), PdfError> {
        let code = qrcode::QrCode::with_error_correction_level(address, qrcode::EcLevel::M)
            .map_err(|e| PdfError::Write(e.to_string()))?;
        let modules = code.width();
        let dark: Vec<bool> = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        self.room(side + 8.0);
        let top = self.y + 4.0;
        self.mark(Mark::Qr {
            x: MARGIN,
            y: top,
            module: side / modules as f32,
            side: modules,
            dark,
        });
        let text_x = MARGIN + side + 14.0;
        let text_width = CONTENT_WIDTH - side - 14.0;
        let saved = self.y;
        self.y = top;
        self.text_at(text_x, text_width, address, 10.0, true);
        let link_bottom = self.y;
        self.mark(Mark::Link {
            rect: (text_x, top, text_width, link_bottom - top),
            uri: address.to_string(),
        });
        for line in caption {
            self.text_at(text_x, text_width, line, 9.0, false);
        }
        self.y = (top + side).max(self.y).max(saved);
        Ok(())
    }

    /// The finished file, with `frame` on every page.
    pub fn finish(self, frame: &Frame) -> Result<Vec<u8>, PdfError> {
        let mut document = Document::new();
        let count = self.pages.len();
        let settings = || PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 has a size");
        for (index, marks) in self.pages.into_iter().enumerate() {
            let mut page = document.start_page_with(settings());
            let mut links = Vec::new();
            {
                let mut surface = page.surface();
                let text = |surface: &mut krilla::surface::Surface,
                            x: f32,
                            y: f32,
                            size: f32,
                            bold: bool,
                            value: &str| {
                    surface.draw_text(
                        Point::from_xy(x, y),
                        face(bold).font.clone(),
                        size,
                        value,
                        false,
                        TextDirection::Auto,
                    );
                };
                set_colour(&mut surface, GREY);
                text(&mut surface, MARGIN, 40.0, 9.0, true, &frame.header.0);
                let right = &frame.header.1;
                let right_x = PAGE_WIDTH - MARGIN - text_width(right, 9.0, false);
                text(&mut surface, right_x, 40.0, 9.0, false, right);
                rule(&mut surface, MARGIN, 48.0, CONTENT_WIDTH, GREY);
                rule(
                    &mut surface,
                    MARGIN,
                    PAGE_HEIGHT - 44.0,
                    CONTENT_WIDTH,
                    GREY,
                );
                text(
                    &mut surface,
                    MARGIN,
                    PAGE_HEIGHT - 30.0,
                    8.0,
                    false,
                    &frame.footer,
                );
                let number = format!("Page {} of {count}", index + 1);
                let number_x = PAGE_WIDTH - MARGIN - text_width(&number, 8.0, false);
                text(
                    &mut surface,
                    number_x,
                    PAGE_HEIGHT - 30.0,
                    8.0,
                    false,
                    &number,
                );
                set_colour(&mut surface, BLACK);
                for mark in marks {
                    match mark {
                        Mark::Text {
                            x,
                            y,
                            size,
                            bold,
                            text: value,
                        } => text(&mut surface, x, y, size, bold, &value),
                        Mark::Rule { x, y, width } => rule(&mut surface, x, y, width, LIGHT),
                        Mark::Image {
                            x,
                            y,
                            width,
                            height,
                            jpeg,
                        } => {
                            let image =
                                Image::from_jpeg(jpeg.into(), true).map_err(|_| PdfError::Image)?;
                            let size = Size::from_wh(width, height).ok_or(PdfError::Image)?;
                            surface.push_transform(&Transform::from_translate(x, y));
                            surface.draw_image(image, size);
                            surface.pop();
                        }
                        Mark::Qr {
                            x,
                            y,
                            module,
                            side,
                            dark,
                        } => {
                            let mut squares = PathBuilder::new();
                            for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
                                let (column, row) = ((i % side) as f32, (i / side) as f32);
                                if let Some(square) = Rect::from_xywh(
                                    x + column * module,
                                    y + row * module,
                                    module,
                                    module,
                                ) {
                                    squares.push_rect(square);
                                }
                            }
                            if let Some(path) = squares.finish() {
                                surface.draw_path(&path);
                            }
                        }
                        Mark::Link { rect, uri } => links.push((rect, uri)),
                    }
                }
                surface.finish();
            }
            for ((x, y, w, h), uri) in links {
                if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                    let action = krilla::action::LinkAction::new(uri.clone());
                    let link = krilla::annotation::LinkAnnotation::new(
                        rect,
                        krilla::annotation::Target::Action(action.into()),
                    );
                    page.add_annotation(krilla::annotation::Annotation::new_link(link, Some(uri)));
                }
            }
            page.finish();
        }
        let created = frame.created;
        use chrono::{Datelike, Timelike};
        document.set_metadata(
            Metadata::new()
                .title(frame.title.clone())
                .authors(vec![frame.author.clone()])
                .creator("Certidesk".into())
                .language("en-GB".into())
                .creation_date(
                    DateTime::new(created.year().clamp(0, 9999) as u16)
                        .month(created.month() as u8)
                        .day(created.day() as u8)
                        .hour(created.hour() as u8)
                        .minute(created.minute() as u8)
                        .second(created.second() as u8)
                        .utc_offset_hour(0)
                        .utc_offset_minute(0),
                ),
        );
        document
            .finish()
            .map_err(|e| PdfError::Write(format!("{e:?}")))
    }
}

const BLACK: (u8, u8, u8) = (0, 0, 0);
const GREY: (u8, u8, u8) = (90, 90, 90);
const LIGHT: (u8, u8, u8) = (200, 200, 200);

fn set_colour(surface: &mut krilla::surface::Surface, (r, g, b): (u8, u8, u8)) {
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(r, g, b).into(),
        ..Default::default()
    }));
}

fn rule(surface: &mut krilla::surface::Surface, x: f32, y: f32, width: f32, colour: (u8, u8, u8)) {
    let mut line = PathBuilder::new();
    line.move_to(x, y);
    line.line_to(x + width, y);
    if let Some(path) = line.finish() {
        let fill = surface.get_fill().cloned();
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
            width: 0.6,
            ..Default::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
        surface.set_fill(fill);
    }
}

fn lines(text: &str, width: f32, size: f32, bold: bool) -> Vec<String> {
    text.split('\n')
        .flat_map(|paragraph| wrap(paragraph, width, |s| text_width(s, size, bold)))
        .collect()
}

fn lines_or_one(text: &str, width: f32, size: f32, bold: bool) -> f32 {
    lines(text, width, size, bold).len().max(1) as f32
}

/// Words onto lines no wider than `width` as `measure` measures them; a word wider than a
/// line is cut between characters.
fn wrap(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if measure(&candidate) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if measure(&line) > width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Frame {
        Frame {
            title: "Service report T-1".into(),
            author: "Łódź Lettings".into(),
            header: ("Łódź Lettings".into(), "T-1".into()),
            footer: "Verify at https://example.test/verify/abc".into(),
            created: chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
        }
    }

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_cannot_fit() {
        // One point a character: easy to reason about.
        let measure = |s: &str| s.chars().count() as f32;
        assert_eq!(wrap("a bb ccc", 4.0, measure), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4.0, measure), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4.0, measure), [""]);
        assert_eq!(wrap("ab abcdef", 4.0, measure), ["ab", "abcd", "ef"]);
    }

    #[test]
    fn widths_come_from_the_font() {
        // DejaVu Sans: "i" is narrow, "W" wide; bold is wider; size scales linearly.
        assert!(text_width("iiii", 10.0, false) < text_width("WWWW", 10.0, false) / 2.0);
        assert!(text_width("Wiśniewski", 10.0, true) > text_width("Wiśniewski", 10.0, false));
        let ten = text_width("Łukasz", 10.0, false);
        assert!((text_width("Łukasz", 20.0, false) - 2.0 * ten).abs() < 0.01);
        for line in lines(&"Łódź Road ".repeat(40), 200.0, 10.0, false) {
            assert!(text_width(&line, 10.0, false) <= 200.0, "{line}");
        }
    }

    #[test]
    fn long_reports_flow_onto_numbered_pages() {
        let mut pdf = PdfWriter::new();
        for i in 0..120 {
            pdf.text(&format!("Line {i}"), 10.0, false);
        }
        assert_eq!(pdf.page_count(), 3, "120 lines at 14 pt need three pages");
        let bytes = pdf.finish(&frame()).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn tables_repeat_their_heading_on_a_new_page() {
        let mut pdf = PdfWriter::new();
        let rows: Vec<Vec<String>> = (0..80)
            .map(|i| vec![format!("Service task {i}"), "Pass".into()])
            .collect();
        pdf.table(
            &[
                Column {
                    heading: "Service task",
                    share: 2.0,
                },
                Column {
                    heading: "Result",
                    share: 1.0,
                },
            ],
            &rows,
        );
        assert!(pdf.page_count() >= 2);
        let headings = pdf
            .pages
            .iter()
            .filter(|page| {
                page.iter().any(
                    |m| matches!(m, Mark::Text { text, bold: true, .. } if text == "Service task"),
                )
            })
            .count();
        assert_eq!(headings, pdf.page_count());
    }
}
