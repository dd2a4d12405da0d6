//! Defect photos as the server keeps them (JPEG, PNG or an iPhone's HEIC): turned upright (phones
//! store them sideways), then a small thumbnail for lists and a viewable size, both JPEG, so a
//! 6 MB phone photo costs a slow connection a few kilobytes.

use super::heic::HeicProblem;
use crate::domain::files::{sniff, FileKind};
use image::{codecs::jpeg::JpegEncoder, DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

/// The most pixels a photo may have: phones take 12 to 50 megapixels. Checked from the file's
/// header before anything is decoded: a 1 MB PNG can claim 20000 × 20000 pixels, 1.2 GB decoded.
pub const MAX_PIXELS: u64 = 50_000_000;
/// The most memory one decode may take (50 megapixels at 4 bytes a pixel); a 16-bit photo of
/// that many pixels is refused by it.
const MAX_DECODED_BYTES: u64 = 200 * 1024 * 1024;
pub const THUMBNAIL_EDGE: u32 = 320;
pub const VIEW_EDGE: u32 = 1600;
const QUALITY: u8 = 80;

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoProblem {
    #[error("is not a JPEG, PNG or HEIC photo")]
    NotAPhoto,
    #[error("could not be read as a photo; it may be damaged")]
    Unreadable,
    #[error("is {width} × {height} pixels, more than a photo may have (50 megapixels). Send it at a smaller size: most phones have a setting for it")]
    TooLarge { width: u32, height: u32 },
}

/// A photo made ready to keep.
#[derive(Debug)]
pub struct Photo {
    pub thumbnail: Vec<u8>,
    pub view: Vec<u8>,
    /// Of the viewable size.
    pub width: u32,
    pub height: u32,
}

/// Decodes, resizes and orients; CPU-bound, so callers run it as heavy work (services::heavy).
pub fn prepare(bytes: &[u8]) -> Result<Photo, PhotoProblem> {
    let (image, orientation) = if sniff(bytes) == Some(FileKind::Heic) {
        let image = super::heic::decode(bytes, MAX_PIXELS).map_err(|problem| match problem {
            HeicProblem::Unreadable => PhotoProblem::Unreadable,
            HeicProblem::TooLarge { width, height } => PhotoProblem::TooLarge { width, height },
        })?;
        (image, image::metadata::Orientation::NoTransforms)
    } else {
        decode_jpeg_or_png(bytes)?
    };
    // Resized before it is turned upright: the box is square, so the order gives the same photo,
    // and turning the small one copies less.
    let mut view = if image.width() > VIEW_EDGE || image.height() > VIEW_EDGE {
        image.resize(VIEW_EDGE, VIEW_EDGE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
    view.apply_orientation(orientation);
    // `thumbnail` would also enlarge a small photo.
    let thumbnail = if view.width() > THUMBNAIL_EDGE || view.height() > THUMBNAIL_EDGE {
        view.thumbnail(THUMBNAIL_EDGE, THUMBNAIL_EDGE)
    } else {
        view.clone()
    };
    Ok(Photo {
        thumbnail: jpeg(&thumbnail)?,
        width: view.width(),
        height: view.height(),
        view: jpeg(&view)?,
    })
}

/// A JPEG or PNG photo and the EXIF orientation it asks for (phones store them sideways).
fn decode_jpeg_or_png(
    bytes: &[u8],
) -> Result<(DynamicImage, image::metadata::Orientation), PhotoProblem> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| PhotoProblem::Unreadable)?;
    // The dimensions are checked below, so the message can name them; then the decoder's own
    // allocation limit holds for the rest.
    reader.no_limits();
    if !matches!(
        reader.format(),
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png)
    ) {
        return Err(PhotoProblem::NotAPhoto);
    }
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| PhotoProblem::Unreadable)?;
    let (width, height) = decoder.dimensions();
    let too_large = PhotoProblem::TooLarge { width, height };
    if u64::from(width) * u64::from(height) > MAX_PIXELS
        || decoder.total_bytes() > MAX_DECODED_BYTES
    {
        return Err(too_large);
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    decoder.set_limits(limits).map_err(|_| too_large.clone())?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => too_large,
        _ => PhotoProblem::Unreadable,
    })?;
    Ok((image, orientation))
}

fn jpeg(image: &DynamicImage) -> Result<Vec<u8>, PhotoProblem> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(&image.to_rgb8())
        .map_err(|_| PhotoProblem::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(image)
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn large_photos_get_a_thumbnail_and_a_viewable_size_in_proportion() {
        let photo = prepare(&png(4000, 3000)).unwrap();
        assert_eq!((photo.width, photo.height), (1600, 1200));
        let thumb = image::load_from_memory(&photo.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 240));
        assert_eq!(&photo.view[..3], &[0xFF, 0xD8, 0xFF], "JPEG");
    }

    #[test]
    fn small_photos_are_not_enlarged() {
        let photo = prepare(&png(200, 100)).unwrap();
        assert_eq!((photo.width, photo.height), (200, 100));
        let thumb = image::load_from_memory(&photo.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (200, 100));
    }

    #[test]
    fn a_photo_of_too_many_pixels_is_refused_from_its_header() {
        // 1.2 GB decoded; refused before any of it is.
        let bomb = crate::files::hostile::black_png(20_000, 20_000);
        assert_eq!(
            prepare(&bomb).unwrap_err(),
            PhotoProblem::TooLarge {
                width: 20_000,
                height: 20_000
            }
        );
        assert!(PhotoProblem::TooLarge {
            width: 20_000,
            height: 20_000
        }
        .to_string()
        .contains("20000 × 20000 pixels"));
        // Just within the limit is fine.
        let photo = prepare(&crate::files::hostile::black_png(8_000, 6_000)).unwrap();
        assert_eq!((photo.width, photo.height), (1600, 1200));
    }

    #[test]
    fn an_iphone_photo_becomes_a_thumbnail_and_a_viewable_jpeg() {
        let photo = prepare(include_bytes!("testdata/hallway-alarm.heic")).unwrap();
        assert_eq!((photo.width, photo.height), (1024, 768));
        assert_eq!(&photo.view[..3], &[0xFF, 0xD8, 0xFF], "JPEG");
        let thumb = image::load_from_memory(&photo.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 240));
    }

    #[test]
    fn what_is_not_a_photo_is_refused() {
        assert_eq!(
            prepare(b"%PDF-1.7 not a photo").unwrap_err(),
            PhotoProblem::NotAPhoto
        );
        let mut damaged = png(50, 50);
        damaged.truncate(60);
        assert_eq!(prepare(&damaged).unwrap_err(), PhotoProblem::Unreadable);
    }
}
