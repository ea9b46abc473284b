//! A grid of small images on one canvas, each with its label (and the model's prediction, marked ✓ and green when
//! right, ✗ and red when wrong): the test images of an image dataset, or CCL's feedback prototypes. The canvas's
//! text alternative lists how many are right and every mistake.

use super::pixels::Pixels;
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
    let scale_px = scale.round().max(1.0) as usize;
    let (cell_w, cell_h) = (w * scale_px + GAP as usize, h * scale_px + (CAPTION + GAP) as usize);
    let (width, height) = (columns * cell_w, (rows * cell_h).max(1));
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    // every picture into one frame, put with one call; the captions are text on top
    let mut frame = Pixels::new(width, height, [255, 255, 255]);
    let plane = h * w;
    for (i, img) in g.images.iter().enumerate() {
        let (x0, y0) = ((i % columns) * cell_w, (i / columns) * cell_h);
        for y in 0..h {
            for x in 0..w {
                let px =
                    |ch: usize| (img.get(ch * plane + y * w + x).copied().unwrap_or(0.0).clamp(0.0, 1.0) * 255.0) as u8;
                let rgb = if c >= 3 { [px(0), px(1), px(2)] } else { [px(0); 3] };
                frame.rect(x0 + x * scale_px, y0 + y * scale_px, scale_px, scale_px, rgb);
            }
        }
    }
    frame.put(&ctx)?;
    ctx.set_font("11px sans-serif");
    for i in 0..g.images.len() {
        let (x0, y0) = (((i % columns) * cell_w) as f64, ((i / columns) * cell_h) as f64);
        let (text, color) = caption(g, i);
        ctx.set_fill_style_str(color);
        let _ = ctx.fill_text_with_max_width(&text, x0, y0 + (h * scale_px) as f64 + CAPTION - 3.0, cell_w as f64);
    }
    Some(())
}

/// Image `i`'s caption and its colour: "✓ 7 → 7" in green when the prediction is right, "✗ 7 → 1" in red when it
/// is wrong (the mark says it without the colour), the label alone before any prediction.
fn caption(g: &Gallery, i: usize) -> (String, &'static str) {
    let label = g.labels.get(i).copied().unwrap_or(0);
    match g.predictions.get(i) {
        Some(&p) if p == label => (format!("✓ {} → {}", g.class_name(label), g.class_name(p)), "#188038"),
        Some(&p) => (format!("✗ {} → {}", g.class_name(label), g.class_name(p)), "#d93025"),
        None => (g.class_name(label), "#3c4043"),
    }
}

/// The canvas's text alternative: how many pictures, how many predicted right, and every mistake.
fn describe(title: &str, g: &Gallery) -> String {
    if g.predictions.is_empty() {
        return format!("{title}: {} images", g.images.len());
    }
    let wrong: Vec<String> = (0..g.images.len())
        .filter(|&i| g.predictions.get(i) != g.labels.get(i))
        .map(|i| caption(g, i).0.trim_start_matches("✗ ").to_string())
        .collect();
    let right = g.images.len() - wrong.len();
    match wrong.is_empty() {
        true => format!("{title}: all {right} predicted right"),
        false => format!("{title}: {right} of {} predicted right; wrong: {}", g.images.len(), wrong.join(", ")),
    }
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
    let description = move || gallery.with(|g| g.as_ref().map(|g| describe(title, g)).unwrap_or_default());
    view! {
        <figure class="image-grid">
            <figcaption>{title}</figcaption>
            <canvas node_ref=canvas id=id width="10" height="10" role="img" aria-label=description></canvas>
        </figure>
    }
}
