//! Defect photos as the server keeps them: turned upright by their EXIF orientation (phones
//! store them sideways), then a small thumbnail for lists and a viewable size, both JPEG, so a
//! 6 MB phone photo costs a slow connection a few kilobytes.

use image::{codecs::jpeg::JpegEncoder, DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

pub const THUMBNAIL_EDGE: u32 = 320;
pub const VIEW_EDGE: u32 = 1600;
const QUALITY: u8 = 80;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoProblem {
    #[error(
        "is not a JPEG or PNG photo (on an iPhone, choose \"Most Compatible\" in Camera > Formats)"
    )]
    NotAPhoto,
    #[error("could not be read as a photo; it may be damaged")]
    Unreadable,
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

/// Decodes, orients and resizes; CPU-bound, so callers run it off the async threads.
pub fn prepare(bytes: &[u8]) -> Result<Photo, PhotoProblem> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| PhotoProblem::Unreadable)?;
    if !matches!(
        reader.format(),
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png)
    ) {
        return Err(PhotoProblem::NotAPhoto);
    }
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| PhotoProblem::Unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| PhotoProblem::Unreadable)?;
    image.apply_orientation(orientation);
    let view = if image.width() > VIEW_EDGE || image.height() > VIEW_EDGE {
        image.resize(VIEW_EDGE, VIEW_EDGE, image::imageops::FilterType::Triangle)
    } else {
        image
    };
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
