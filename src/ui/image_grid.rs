//! A grid of small images on one canvas, each with its label (and the model's prediction, green when right and
//! red when wrong): the test images of an image dataset, or CCL's feedback prototypes.

use super::Gallery;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

const CAPTION: f64 = 14.0;
const GAP: f64 = 6.0;

fn draw(canvas: &web_sys::HtmlCanvasElement, g: &Gallery, columns: usize, scale: f64) -> Option<()> {
    let [c, h, w] = g.shape;
    let columns = columns.max(1);
    let rows = g.images.len().div_ceil(columns);
    let cell_w = w as f64 * scale + GAP;
    let cell_h = h as f64 * scale + CAPTION + GAP;
    canvas.set_width((columns as f64 * cell_w) as u32);
    canvas.set_height((rows as f64 * cell_h).max(1.0) as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_fill_style_str("white");
    ctx.fill_rect(0.0, 0.0, columns as f64 * cell_w, rows as f64 * cell_h);
    ctx.set_font("11px sans-serif");
    let plane = h * w;
    for (i, img) in g.images.iter().enumerate() {
        let (x0, y0) = ((i % columns) as f64 * cell_w, (i / columns) as f64 * cell_h);
        for y in 0..h {
            for x in 0..w {
                let px =
                    |ch: usize| (img.get(ch * plane + y * w + x).copied().unwrap_or(0.0).clamp(0.0, 1.0) * 255.0) as u8;
                let (r, gr, b) = if c >= 3 { (px(0), px(1), px(2)) } else { (px(0), px(0), px(0)) };
                ctx.set_fill_style_str(&format!("rgb({r},{gr},{b})"));
                ctx.fill_rect(x0 + x as f64 * scale, y0 + y as f64 * scale, scale, scale);
            }
        }
        let label = g.labels.get(i).copied().unwrap_or(0);
        let (text, color) = match g.predictions.get(i) {
            Some(&p) => (
                format!("{} → {}", g.class_name(label), g.class_name(p)),
                if p == label { "#188038" } else { "#d93025" },
            ),
            None => (g.class_name(label), "#3c4043"),
        };
        ctx.set_fill_style_str(color);
        let _ = ctx.fill_text_with_max_width(&text, x0, y0 + h as f64 * scale + CAPTION - 3.0, w as f64 * scale + GAP);
    }
    Some(())
}

/// The canvas, redrawn when the gallery changes.
#[component]
pub fn ImageGrid(
    /// Heading above the grid.
    title: &'static str,
    /// What to draw.
    gallery: Signal<Option<Gallery>>,
    /// DOM id of the canvas (for tests).
    id: &'static str,
    /// Images per row.
    columns: usize,
    /// Screen pixels per image pixel.
    scale: f64,
) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let g = gallery.get();
        if let (Some(el), Some(g)) = (canvas.get(), g) {
            draw(&el, &g, columns, scale);
        }
    });
    view! {
        <figure class="image-grid">
            <figcaption>{title}</figcaption>
            <canvas node_ref=canvas id=id width="10" height="10"></canvas>
        </figure>
    }
}
