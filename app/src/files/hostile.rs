//! Files made to break a reader, as an attacker would make them: for the tests that prove the
//! limits hold (unit, HTTP and the fuzz corpus). Each is small to send and huge to unpack.

use std::io::{Cursor, Read, Write};

/// A real workbook from rust_xlsxwriter: the template's sheet name and the `cells` given as
/// (row, column, text), both 0-based.
pub fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .set_name(crate::domain::import::TEMPLATE_SHEET)
        .expect("a sheet name");
    for (row, column, text) in cells {
        sheet
            .write_string(*row, *column, *text)
            .expect("a cell within Excel's grid");
    }
    workbook.save_to_buffer().expect("a workbook")
}

/// A copy of a workbook with one part's XML changed by `change`.
pub fn with_part(bytes: &[u8], part: &str, change: impl Fn(String) -> String) -> Vec<u8> {
    let mut from = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for i in 0..from.len() {
        let mut entry = from.by_index(i).expect("a part");
        let name = entry.name().expect("a part's name").to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).expect("a readable part");
        if name == part {
            content = change(String::from_utf8(content).expect("XML")).into_bytes();
        }
        out.start_file(name, options).expect("a new part");
        out.write_all(&content).expect("written");
    }
    out.finish().expect("a zip").into_inner()
}

/// The header row and one data row, with one cell whose shared string is `chars` long and is
/// used by `uses` cells of the row (a 53 KB file that once peaked at 4.25 GB).
pub fn long_shared_string(chars: usize, uses: u16) -> Vec<u8> {
    let mut cells: Vec<(u32, u16, &str)> = crate::domain::import::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, name)| (0, i as u16, *name))
        .collect();
    for column in 0..uses {
        cells.push((1, column, "LONG-TEXT"));
    }
    let base = workbook(&cells);
    with_part(&base, "xl/sharedStrings.xml", |xml| {
        xml.replace("LONG-TEXT", &"A".repeat(chars))
    })
}

/// A zlib stream of `len` zero bytes at about 1/160 of its size: one literal, then back
/// references of 258 bytes (the longest deflate has) with fixed Huffman codes.
fn zeros_zlib(len: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        buffer: u64,
        count: u32,
    }
    impl Bits {
        /// `n` bits of `value`, least significant first (deflate's order for everything but codes).
        fn put(&mut self, value: u64, n: u32) {
            self.buffer |= value << self.count;
            self.count += n;
            while self.count >= 8 {
                self.out.push(self.buffer as u8);
                self.buffer >>= 8;
                self.count -= 8;
            }
        }
        /// A Huffman code: most significant bit first.
        fn code(&mut self, code: u64, n: u32) {
            let reversed = (0..n).fold(0, |acc, i| acc | (((code >> i) & 1) << (n - 1 - i)));
            self.put(reversed, n);
        }
    }
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        buffer: 0,
        count: 0,
    };
    bits.put(1, 1); // the last block
    bits.put(1, 2); // fixed Huffman codes
    let literal_zero = |bits: &mut Bits| bits.code(0x30, 8);
    literal_zero(&mut bits);
    let rest = len - 1;
    for _ in 0..rest / 258 {
        bits.code(0xC5, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
    }
    for _ in 0..rest % 258 {
        literal_zero(&mut bits);
    }
    bits.code(0, 7); // end of block (symbol 256)
    if bits.count > 0 {
        bits.put(0, 8 - bits.count);
    }
    let adler = ((len % 65_521) << 16) | 1;
    bits.out.extend_from_slice(&(adler as u32).to_be_bytes());
    bits.out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut typed = kind.to_vec();
    typed.extend_from_slice(data);
    out.extend_from_slice(&typed);
    out.extend_from_slice(&crc32(&typed).to_be_bytes());
}

/// A valid PNG of `width` × `height` black RGB pixels, tiny for its size: 20000 × 20000 is a
/// 7.5 MB file that decodes to 1.2 GB.
pub fn black_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter, no interlace
    chunk(&mut out, b"IHDR", &header);
    let raw = u64::from(height) * (1 + 3 * u64::from(width));
    chunk(&mut out, b"IDAT", &zeros_zlib(raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_black_png_is_a_real_png() {
        let png = black_png(300, 200);
        let image = image::load_from_memory(&png).unwrap();
        assert_eq!((image.width(), image.height()), (300, 200));
        assert!(image.to_rgb8().pixels().all(|p| p.0 == [0, 0, 0]));
        let big = black_png(20_000, 20_000);
        assert!(big.len() < 8_000_000, "{} bytes", big.len());
        let reader = image::ImageReader::new(Cursor::new(&big))
            .with_guessed_format()
            .unwrap();
        assert_eq!(reader.into_dimensions().unwrap(), (20_000, 20_000));
    }
}
