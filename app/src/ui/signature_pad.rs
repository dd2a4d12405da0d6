//! The signature pad: a canvas drawn on with a finger, a stylus or a mouse (pointer events, so
//! all three alike), smooth strokes, Undo and Clear, and a drawing that survives the pad being
//! resized (the model keeps points in the pad's own 0..1 space, `domain::signature`). Used for
//! "I've performed this work" and for the saved signature in preferences.

use crate::domain::signature::Drawing;
use leptos::prelude::*;

#[component]
pub fn SignaturePad(
    drawing: RwSignal<Drawing>,
    /// What the pad is for, read by screen readers ("Your signature").
    #[prop(into)]
    label: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    // The pointer drawing the current stroke; other pointers (a palm) are ignored meanwhile.
    let active = StoredValue::new(None::<i32>);
    Effect::new(move |_| {
        drawing.track();
        redraw(canvas, drawing);
    });
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::resize, move |_| redraw(canvas, drawing));
        on_cleanup(move || handle.remove());
    }
    let size = move || {
        canvas
            .get_untracked()
            .map(|c| (f64::from(c.client_width()), f64::from(c.client_height())))
            .unwrap_or((300.0, 100.0))
    };
    let down = move |ev: leptos::ev::PointerEvent| {
        if active.get_value().is_some() {
            return;
        }
        ev.prevent_default();
        if let Some(c) = canvas.get_untracked() {
            let _ = c.set_pointer_capture(ev.pointer_id());
        }
        active.set_value(Some(ev.pointer_id()));
        let (w, h) = size();
        drawing.update(|d| d.begin(f64::from(ev.offset_x()), f64::from(ev.offset_y()), w, h));
    };
    let moved = move |ev: leptos::ev::PointerEvent| {
        if active.get_value() != Some(ev.pointer_id()) {
            return;
        }
        ev.prevent_default();
        let (w, h) = size();
        drawing.update(|d| d.extend(f64::from(ev.offset_x()), f64::from(ev.offset_y()), w, h));
    };
    let up = move |ev: leptos::ev::PointerEvent| {
        if active.get_value() == Some(ev.pointer_id()) {
            active.set_value(None);
        }
    };
    let empty = move || drawing.with(|d| d.strokes.is_empty());
    view! {
        <div class="signature-pad" data-testid=testid>
            <canvas node_ref=canvas class="signature-canvas" role="img" aria-label=label
                on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up></canvas>
            <div class="signature-actions">
                <button type="button" class="secondary" disabled=empty
                    on:click=move |_| drawing.update(Drawing::undo)>"Undo"</button>
                <button type="button" class="secondary" disabled=empty
                    on:click=move |_| drawing.update(Drawing::clear)>"Clear"</button>
            </div>
        </div>
    }
}

/// Sizes the canvas to its box (sharp on high-density screens) and draws every stroke.
fn redraw(canvas: NodeRef<leptos::html::Canvas>, drawing: RwSignal<Drawing>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(canvas) = canvas.get_untracked() else {
            return;
        };
        let (w, h) = (
            f64::from(canvas.client_width()),
            f64::from(canvas.client_height()),
        );
        let ratio = window().device_pixel_ratio().max(1.0);
        let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
        if canvas.width() != pw || canvas.height() != ph {
            canvas.set_width(pw);
            canvas.set_height(ph);
        }
        let Some(ctx) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, w, h);
        ctx.set_line_width(2.5);
        ctx.set_line_cap("round");
        ctx.set_line_join("round");
        ctx.set_stroke_style_str("#142040");
        ctx.set_fill_style_str("#142040");
        drawing.with_untracked(|d| {
            for stroke in d.scaled(w, h) {
                let Some(&(x, y)) = stroke.first() else {
                    continue;
                };
                ctx.begin_path();
                if stroke.len() == 1 {
                    let _ = ctx.arc(x, y, 1.5, 0.0, std::f64::consts::TAU);
                    ctx.fill();
                    continue;
                }
                ctx.move_to(x, y);
                for ((cx, cy), (ex, ey)) in Drawing::smooth(&stroke) {
                    ctx.quadratic_curve_to(cx, cy, ex, ey);
                }
                ctx.stroke();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (canvas, drawing);
}
