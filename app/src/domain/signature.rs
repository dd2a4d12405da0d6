//! A signature as strokes drawn on a pad: points kept in the pad's own 0..1 space, so the pad
//! can be resized (a phone turned, a window narrowed) and redrawn without losing the drawing;
//! undo removes the last stroke; a pad with too little ink is an empty signature.

use serde::{Deserialize, Serialize};

/// A point of a stroke, in 0..1 of the pad's width and height.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// The strokes of one signature, in the order drawn.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Drawing {
    pub strokes: Vec<Vec<Point>>,
}

/// Ink shorter than this (in pad widths) is a slip, not a signature.
const MIN_INK: f64 = 0.15;
/// At most this many points in all, so a stored signature stays small.
pub const MAX_POINTS: usize = 5_000;

impl Drawing {
    /// Starts a stroke at (x, y) in pixels of a pad `width` x `height`.
    pub fn begin(&mut self, x: f64, y: f64, width: f64, height: f64) {
        if self.points() < MAX_POINTS {
            self.strokes.push(vec![normalise(x, y, width, height)]);
        }
    }

    /// Continues the current stroke; points closer than half a pixel to the last are skipped.
    pub fn extend(&mut self, x: f64, y: f64, width: f64, height: f64) {
        if self.points() >= MAX_POINTS {
            return;
        }
        let point = normalise(x, y, width, height);
        if let Some(stroke) = self.strokes.last_mut() {
            let last = stroke[stroke.len() - 1];
            if ((point.x - last.x) * width).hypot((point.y - last.y) * height) >= 0.5 {
                stroke.push(point);
            }
        }
    }

    /// Removes the last stroke.
    pub fn undo(&mut self) {
        self.strokes.pop();
    }

    pub fn clear(&mut self) {
        self.strokes.clear();
    }

    pub fn points(&self) -> usize {
        self.strokes.iter().map(Vec::len).sum()
    }

    /// Total ink length in pad widths (height scaled by the pad's aspect ratio `height/width`).
    pub fn ink(&self, aspect: f64) -> f64 {
        self.strokes
            .iter()
            .flat_map(|s| s.windows(2))
            .map(|w| (w[1].x - w[0].x).hypot((w[1].y - w[0].y) * aspect))
            .sum()
    }

    /// Nothing drawn, or only dots and slips: not a signature.
    pub fn is_empty(&self, aspect: f64) -> bool {
        self.ink(aspect) < MIN_INK
    }

    /// The strokes in pixels of a pad `width` x `height`: what the pad redraws after a resize.
    pub fn scaled(&self, width: f64, height: f64) -> Vec<Vec<(f64, f64)>> {
        self.strokes
            .iter()
            .map(|s| s.iter().map(|p| (p.x * width, p.y * height)).collect())
            .collect()
    }

    /// Smooth path segments for one stroke in pixels: quadratic curves through the midpoints
    /// of successive points, as (control, end) pairs after the start point.
    pub fn smooth(stroke: &[(f64, f64)]) -> Vec<((f64, f64), (f64, f64))> {
        let mid = |a: (f64, f64), b: (f64, f64)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        let mut segments = Vec::new();
        for i in 1..stroke.len() {
            let end = if i + 1 < stroke.len() {
                mid(stroke[i], stroke[i + 1])
            } else {
                stroke[i]
            };
            segments.push((stroke[i], end));
        }
        segments
    }
}

/// The point in 0..1, to 1/10,000 of the pad (finer than any screen), which keeps stored
/// strokes short.
fn normalise(x: f64, y: f64, width: f64, height: f64) -> Point {
    let clamp = |v: f64, size: f64| {
        if size <= 0.0 {
            0.0
        } else {
            ((v / size).clamp(0.0, 1.0) * 10_000.0).round() / 10_000.0
        }
    };
    Point {
        x: clamp(x, width),
        y: clamp(y, height),
    }
}

/// Checks a signature sent to the server: strokes present, inside the pad, enough ink, not too
/// many points; the signer's printed name given.
pub fn check_signature(drawing: &Drawing, name: &str) -> Result<String, SignatureProblem> {
    let name = name.trim();
    if name.is_empty() {
        return Err(SignatureProblem::NoName);
    }
    if name.chars().count() > 100 {
        return Err(SignatureProblem::NameTooLong);
    }
    if drawing.points() > MAX_POINTS {
        return Err(SignatureProblem::TooLarge);
    }
    let inside = drawing
        .strokes
        .iter()
        .flatten()
        .all(|p| (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y));
    if !inside {
        return Err(SignatureProblem::Malformed);
    }
    // The pad is drawn 3:1; the server judges ink the same way.
    if drawing.is_empty(1.0 / 3.0) {
        return Err(SignatureProblem::Empty);
    }
    Ok(name.to_string())
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureProblem {
    #[error("Sign in the box: the signature is empty.")]
    Empty,
    #[error("Type the signer's name under the signature.")]
    NoName,
    #[error("Keep the name under 100 characters.")]
    NameTooLong,
    #[error("The signature is too detailed to store. Clear it and sign again.")]
    TooLarge,
    #[error("The signature could not be read. Clear it and sign again.")]
    Malformed,
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: f64 = 300.0;
    const H: f64 = 100.0;

    fn line(d: &mut Drawing, from: (f64, f64), to: (f64, f64)) {
        d.begin(from.0, from.1, W, H);
        for i in 1..=10 {
            let t = f64::from(i) / 10.0;
            d.extend(
                from.0 + (to.0 - from.0) * t,
                from.1 + (to.1 - from.1) * t,
                W,
                H,
            );
        }
    }

    #[test]
    fn an_untouched_pad_or_a_dot_is_empty() {
        let mut d = Drawing::default();
        assert!(d.is_empty(H / W));
        d.begin(10.0, 10.0, W, H);
        d.extend(10.2, 10.1, W, H);
        assert_eq!(d.points(), 1, "moves under half a pixel are not kept");
        assert!(d.is_empty(H / W));
        assert_eq!(check_signature(&d, "Tom"), Err(SignatureProblem::Empty));
    }

    #[test]
    fn a_real_stroke_is_a_signature() {
        let mut d = Drawing::default();
        line(&mut d, (10.0, 50.0), (200.0, 60.0));
        assert!(!d.is_empty(H / W));
        assert_eq!(check_signature(&d, "  Tom Baker "), Ok("Tom Baker".into()));
        assert_eq!(check_signature(&d, " "), Err(SignatureProblem::NoName));
    }

    #[test]
    fn undo_removes_the_last_stroke_only() {
        let mut d = Drawing::default();
        line(&mut d, (10.0, 10.0), (200.0, 10.0));
        line(&mut d, (10.0, 90.0), (200.0, 90.0));
        assert_eq!(d.strokes.len(), 2);
        d.undo();
        assert_eq!(d.strokes.len(), 1);
        assert_eq!(
            d.strokes[0][0],
            Point {
                x: 0.0333, // 10 / 300, kept to 1/10,000
                y: 0.1
            }
        );
        d.undo();
        d.undo();
        assert!(d.strokes.is_empty(), "undo on an empty pad does nothing");
        line(&mut d, (0.0, 0.0), (100.0, 0.0));
        d.clear();
        assert!(d.is_empty(H / W));
    }

    #[test]
    fn resizing_keeps_the_drawing_in_proportion() {
        let mut d = Drawing::default();
        line(&mut d, (30.0, 20.0), (270.0, 80.0));
        let before = d.clone();
        // The pad is now twice as wide and half as tall: the same strokes, scaled.
        let scaled = d.scaled(600.0, 50.0);
        assert_eq!(scaled[0][0], (60.0, 10.0));
        assert_eq!(scaled[0].last().copied(), Some((540.0, 40.0)));
        assert_eq!(d, before, "redrawing changes nothing stored");
        // Drawing on the resized pad continues in the same 0..1 space.
        d.begin(600.0, 50.0, 600.0, 50.0);
        assert_eq!(d.strokes[1][0], Point { x: 1.0, y: 1.0 });
    }

    #[test]
    fn points_outside_the_pad_are_kept_on_its_edge() {
        let mut d = Drawing::default();
        d.begin(-20.0, 500.0, W, H);
        assert_eq!(d.strokes[0][0], Point { x: 0.0, y: 1.0 });
        let crafted = Drawing {
            strokes: vec![vec![Point { x: 0.0, y: 0.0 }, Point { x: 7.0, y: 0.5 }]],
        };
        assert_eq!(
            check_signature(&crafted, "X"),
            Err(SignatureProblem::Malformed)
        );
    }

    #[test]
    fn strokes_are_smoothed_through_midpoints() {
        let segments = Drawing::smooth(&[(0.0, 0.0), (10.0, 0.0), (20.0, 10.0)]);
        assert_eq!(
            segments,
            vec![((10.0, 0.0), (15.0, 5.0)), ((20.0, 10.0), (20.0, 10.0))]
        );
        assert!(Drawing::smooth(&[(1.0, 1.0)]).is_empty());
    }

    #[test]
    fn a_signature_stops_growing_at_its_limit() {
        let mut d = Drawing::default();
        d.begin(0.0, 0.0, W, H);
        for i in 0..(MAX_POINTS * 2) {
            d.extend((i % 300) as f64, (i / 300 % 100) as f64, W, H);
        }
        assert!(d.points() <= MAX_POINTS);
    }
}
