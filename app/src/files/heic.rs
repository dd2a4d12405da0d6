//! HEIC photos, what iPhones take by default, decoded with libheif. HEIF keeps a photo's rotation
//! in the container and libheif applies it while decoding, so the result is already upright.

use image::{DynamicImage, RgbImage};
use libheif_rs::{ColorSpace, DecodingOptions, HeifContext, LibHeif, RgbChroma, SecurityLimits};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeicProblem {
    Unreadable,
    TooLarge { width: u32, height: u32 },
}

/// Decodes the primary image, after checking its size from the container's header against
/// `max_pixels`.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, HeicProblem> {
    let mut context = HeifContext::new().map_err(|_| HeicProblem::Unreadable)?;
    // libheif's own memory limit, set before it parses anything. Its pixel limit stays at its
    // default so that an oversized photo reaches the check below, whose message names its size.
    let mut limits = SecurityLimits::new();
    // The decoded YUV 4:2:0 image (1.5 bytes a pixel) and its RGB copy (3) at the largest size.
    limits.set_max_total_memory(max_pixels * 5);
    context
        .set_security_limits(&limits)
        .map_err(|_| HeicProblem::Unreadable)?;
    // Photos are already decoded one per heavy-work slot; libheif's tile threads would exceed it.
    context.set_max_decoding_threads(0);
    context
        .read_bytes(bytes)
        .map_err(|_| HeicProblem::Unreadable)?;
    let handle = context
        .primary_image_handle()
        .map_err(|_| HeicProblem::Unreadable)?;
    let (width, height) = (handle.width(), handle.height());
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(HeicProblem::TooLarge { width, height });
    }
    let mut options = DecodingOptions::new().ok_or(HeicProblem::Unreadable)?;
    // 10-bit HDR photos become ordinary 8-bit ones, as a JPEG keeps them.
    options.set_convert_hdr_to_8bit(true);
    let decoded = LibHeif::new()
        .decode(&handle, ColorSpace::Rgb(RgbChroma::Rgb), Some(options))
        .map_err(|_| HeicProblem::Unreadable)?;
    let plane = decoded
        .planes()
        .interleaved
        .ok_or(HeicProblem::Unreadable)?;
    let row = plane.width as usize * 3;
    let mut pixels = Vec::with_capacity(row * plane.height as usize);
    for line in plane.data.chunks(plane.stride).take(plane.height as usize) {
        pixels.extend_from_slice(line.get(..row).ok_or(HeicProblem::Unreadable)?);
    }
    RgbImage::from_raw(plane.width, plane.height, pixels)
        .map(DynamicImage::ImageRgb8)
        .ok_or(HeicProblem::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_PIXELS: u64 = 50_000_000;

    /// 1024 × 768, red on the left and blue on the right, as libheif's encoder writes a phone
    /// photo (brand `heic`, one HEVC image).
    const PHOTO: &[u8] = include_bytes!("testdata/hallway-alarm.heic");

    #[test]
    fn an_iphone_photo_decodes_upright_with_its_colours() {
        let image = decode(PHOTO, MAX_PIXELS).unwrap().to_rgb8();
        assert_eq!(image.dimensions(), (1024, 768));
        let [r, _, b] = image.get_pixel(100, 384).0;
        assert!(r > 150 && b < 80, "left half red, got {r}, {b}");
        let [r, _, b] = image.get_pixel(900, 384).0;
        assert!(b > 150 && r < 80, "right half blue, got {r}, {b}");
    }

    /// The photo with its header's size (the `ispe` property) rewritten.
    fn claiming(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = PHOTO.to_vec();
        let at = bytes.windows(4).position(|w| w == b"ispe").unwrap() + 8;
        bytes[at..at + 4].copy_from_slice(&width.to_be_bytes());
        bytes[at + 4..at + 8].copy_from_slice(&height.to_be_bytes());
        bytes
    }

    #[test]
    fn a_photo_claiming_too_many_pixels_is_refused_from_its_header() {
        assert_eq!(
            decode(&claiming(20_000, 20_000), MAX_PIXELS).unwrap_err(),
            HeicProblem::TooLarge {
                width: 20_000,
                height: 20_000
            }
        );
    }

    #[test]
    fn a_damaged_photo_is_unreadable() {
        assert_eq!(
            decode(&PHOTO[..PHOTO.len() / 2], MAX_PIXELS).unwrap_err(),
            HeicProblem::Unreadable
        );
        // Claims a size its image data does not have.
        assert_eq!(
            decode(&claiming(2048, 1536), MAX_PIXELS).unwrap_err(),
            HeicProblem::Unreadable
        );
    }
}
