//! Signatures rendered by the server from their strokes: a PNG for the record and a JPEG for the
//! service report. Rendering here rather than trusting an image from the browser means what is
//! stored is exactly what the strokes say.

use crate::domain::signature::Drawing;
use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage};
use std::io::Cursor;

/// The pad's shape (3:1), at a size that prints sharply.
pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 300;
const PEN_RADIUS: f64 = 3.0;
const INK: Rgb<u8> = Rgb([20, 32, 64]);

/// The signature in dark ink on white.
pub fn render(drawing: &Drawing) -> RgbImage {
    let mut image = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([255, 255, 255]));
    for stroke in drawing.scaled(f64::from(WIDTH), f64::from(HEIGHT)) {
        let mut previous = match stroke.first() {
            Some(start) => *start,
            None => continue,
        };
        dot(&mut image, previous);
        for (control, end) in Drawing::smooth(&stroke) {
            // The quadratic curve, in steps of about half a pixel.
            let length = (control.0 - previous.0).hypot(control.1 - previous.1)
                + (end.0 - control.0).hypot(end.1 - control.1);
            let steps = (length * 2.0).ceil().max(1.0) as u32;
            for i in 1..=steps {
                let t = f64::from(i) / f64::from(steps);
                let u = 1.0 - t;
                let point = (
                    u * u * previous.0 + 2.0 * u * t * control.0 + t * t * end.0,
                    u * u * previous.1 + 2.0 * u * t * control.1 + t * t * end.1,
                );
                dot(&mut image, point);
            }
            previous = end;
        }
    }
    image
}

fn dot(image: &mut RgbImage, (cx, cy): (f64, f64)) {
    let r = PEN_RADIUS;
    let (x0, x1) = ((cx - r).floor().max(0.0), (cx + r).ceil());
    let (y0, y1) = ((cy - r).floor().max(0.0), (cy + r).ceil());
    let mut y = y0;
    while y <= y1 && y < f64::from(HEIGHT) {
        let mut x = x0;
        while x <= x1 && x < f64::from(WIDTH) {
            if (x + 0.5 - cx).hypot(y + 0.5 - cy) <= r {
                image.put_pixel(x as u32, y as u32, INK);
            }
            x += 1.0;
        }
        y += 1.0;
    }
}

pub fn png(drawing: &Drawing) -> Vec<u8> {
    let mut bytes = Vec::new();
    render(drawing)
        .write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)
        .expect("an in-memory PNG");
    bytes
}

pub fn jpeg(drawing: &Drawing) -> Vec<u8> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 90)
        .encode_image(&render(drawing))
        .expect("an in-memory JPEG");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::signature::Point;

    #[test]
    fn strokes_become_ink_where_they_were_drawn() {
        let drawing = Drawing {
            strokes: vec![vec![Point { x: 0.1, y: 0.5 }, Point { x: 0.9, y: 0.5 }]],
        };
        let image = render(&drawing);
        assert_eq!(*image.get_pixel(450, 150), INK, "the middle of the line");
        assert_eq!(*image.get_pixel(450, 20), Rgb([255, 255, 255]), "above it");
        assert_eq!(*image.get_pixel(20, 150), Rgb([255, 255, 255]), "before it");
        let png = png(&drawing);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&jpeg(&drawing)[..2], [0xFF, 0xD8]);
    }
}
