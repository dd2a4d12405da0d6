//! What an uploaded file may be. The type is read from the file's first bytes, never from its name
//! or the browser's claim, and the name kept for downloads is made safe for a header.

use serde::{Deserialize, Serialize};

/// Certificate documents: scans and photos of paper certificates are rarely larger.
pub const MAX_CERTIFICATE_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Heic,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Heic => "image/heic",
        }
    }

    pub fn from_content_type(content_type: &str) -> Option<FileKind> {
        [FileKind::Pdf, FileKind::Jpeg, FileKind::Png, FileKind::Heic]
            .into_iter()
            .find(|k| k.content_type() == content_type)
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Heic => "heic",
        }
    }
}

/// The kind of a file from its first bytes (at least 12 are needed for HEIC).
pub fn sniff(head: &[u8]) -> Option<FileKind> {
    if head.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(FileKind::Png);
    }
    // ISO base media: a size, then "ftyp" and the major brand. iPhones write heic or mif1.
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        let brand = &head[8..12];
        if [
            b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Some(FileKind::Heic);
        }
    }
    None
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum UploadProblem {
    #[error("Choose a file to upload.")]
    Empty,
    #[error("The file is {} MB; the limit is {limit_mb} MB. Scan at a lower resolution or split it.", megabytes(*size))]
    TooLarge { size: u64, limit_mb: u64 },
    #[error(
        "\"{0}\" is not a PDF, JPEG, PNG or HEIC file. Save or scan it as a PDF and upload that."
    )]
    NotAllowed(String),
}

/// A size in MB to one decimal, rounded to nearest ("12.5"). In whole numbers: the browser checks
/// uploads too, and formatting a float would link about 7 KB of float printing into its WASM.
pub fn megabytes(bytes: u64) -> String {
    let tenths = (u128::from(bytes) * 10 + 524_288) / 1_048_576;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Checks an upload's size and content; `head` is the start of the file.
pub fn check_upload(
    name: &str,
    size: u64,
    head: &[u8],
    limit: u64,
) -> Result<FileKind, UploadProblem> {
    if size == 0 {
        return Err(UploadProblem::Empty);
    }
    if size > limit {
        return Err(UploadProblem::TooLarge {
            size,
            limit_mb: limit / 1_048_576,
        });
    }
    sniff(head).ok_or_else(|| UploadProblem::NotAllowed(safe_file_name(name, None)))
}

/// A file name fit for a `Content-Disposition` header and a page: the last path part, printable
/// ASCII letters, digits and `._- ` only, at most 100 characters, with the kind's extension.
pub fn safe_file_name(name: &str, kind: Option<FileKind>) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    cleaned = cleaned.trim_matches(|c| c == '.' || c == ' ').to_string();
    if cleaned.is_empty() {
        cleaned = "document".to_string();
    }
    if let Some(kind) = kind {
        let ext = kind.extension();
        let has_ext = cleaned.rsplit_once('.').is_some_and(|(_, e)| {
            e.eq_ignore_ascii_case(ext)
                || (kind == FileKind::Jpeg && e.eq_ignore_ascii_case("jpeg"))
        });
        if !has_ext {
            cleaned = format!("{cleaned}.{ext}");
        }
    }
    if cleaned.len() > 100 {
        let keep: String = cleaned
            .chars()
            .rev()
            .take(100)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        cleaned = keep;
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_from_the_content() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileKind::Jpeg)
        );
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]),
            Some(FileKind::Png)
        );
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(FileKind::Heic));
        assert_eq!(sniff(b"\0\0\0\x18ftypmif1\0\0\0\0"), Some(FileKind::Heic));
        // An MP4 is also ISO base media, but not an image.
        assert_eq!(sniff(b"\0\0\0\x18ftypisom\0\0\0\0"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
        assert_eq!(sniff(b"%PD"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn uploads_are_checked_for_size_and_kind() {
        let limit = MAX_CERTIFICATE_BYTES;
        assert_eq!(
            check_upload("gas.pdf", 2_000, b"%PDF-1.4", limit),
            Ok(FileKind::Pdf)
        );
        assert_eq!(
            check_upload("gas.pdf", 0, b"", limit),
            Err(UploadProblem::Empty)
        );
        assert_eq!(
            check_upload("gas.pdf", limit, b"%PDF-1.4", limit),
            Ok(FileKind::Pdf)
        );
        let too_large = check_upload("gas.pdf", 13 * 1_048_576 + 104_858, b"%PDF-1.4", limit);
        assert_eq!(
            too_large.unwrap_err().to_string(),
            "The file is 13.1 MB; the limit is 10 MB. Scan at a lower resolution or split it."
        );
        assert!(matches!(
            check_upload("gas.pdf", limit + 1, b"%PDF-1.4", limit),
            Err(UploadProblem::TooLarge { .. })
        ));
        // The name does not make a file a PDF.
        let refused = check_upload("virus.pdf", 10, b"MZ\x90\0", limit).unwrap_err();
        assert_eq!(refused, UploadProblem::NotAllowed("virus.pdf".into()));
        assert!(refused.to_string().contains("not a PDF, JPEG, PNG or HEIC"));
    }

    #[test]
    fn megabytes_are_written_to_one_decimal() {
        assert_eq!(megabytes(0), "0.0");
        assert_eq!(megabytes(1_048_576), "1.0");
        assert_eq!(megabytes(1_048_576 + 52_428), "1.0");
        assert_eq!(megabytes(1_048_576 + 52_429), "1.1");
        assert_eq!(megabytes(10 * 1_048_576 - 1), "10.0");
        assert_eq!(megabytes(u64::MAX), "17592186044416.0");
    }

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(
            safe_file_name("C:\\scans\\Gas cert.pdf", Some(FileKind::Pdf)),
            "Gas cert.pdf"
        );
        assert_eq!(safe_file_name("../../etc/passwd", None), "passwd");
        assert_eq!(
            safe_file_name("a\"b\r\n.pdf", Some(FileKind::Pdf)),
            "a_b__.pdf"
        );
        assert_eq!(safe_file_name("photo", Some(FileKind::Jpeg)), "photo.jpg");
        assert_eq!(
            safe_file_name("photo.JPEG", Some(FileKind::Jpeg)),
            "photo.JPEG"
        );
        assert_eq!(
            safe_file_name("scan.png", Some(FileKind::Pdf)),
            "scan.png.pdf"
        );
        assert_eq!(safe_file_name("...", None), "document");
        assert_eq!(
            safe_file_name("Ünïcode.pdf", Some(FileKind::Pdf)),
            "_n_code.pdf"
        );
        assert!(safe_file_name(&"x".repeat(300), Some(FileKind::Pdf)).len() <= 100);
        assert!(safe_file_name(&"x".repeat(300), Some(FileKind::Pdf)).ends_with(".pdf"));
    }
}
