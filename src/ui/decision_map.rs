//! The decision map: the model's class-1 probability over the plane as a heat map, with the training points
//! on top (orange = class 0, blue = class 1, as in TensorFlow Playground).

use super::TrainState;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

const SIZE: f64 = 360.0;
const ORANGE: [f64; 3] = [245.0, 147.0, 34.0];
const BLUE: [f64; 3] = [8.0, 119.0, 189.0];
const WHITE: [f64; 3] = [246.0, 246.0, 246.0];

/// Colour of probability `p` of class 1: orange at 0, white at 0.5, blue at 1 (washed out, so points stand out).
fn cell_color(p: f32) -> String {
    let t = f64::from((p - 0.5).abs() * 2.0) * 0.55;
    let target = if p >= 0.5 { BLUE } else { ORANGE };
    let c: Vec<u8> = (0..3).map(|i| (WHITE[i] + (target[i] - WHITE[i]) * t).round() as u8).collect();
    format!("rgb({},{},{})", c[0], c[1], c[2])
}

fn draw(canvas: &web_sys::HtmlCanvasElement, s: &TrainState) -> Option<()> {
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_fill_style_str("rgb(246,246,246)");
    ctx.fill_rect(0.0, 0.0, SIZE, SIZE);
    if let Some(map) = &s.map {
        let n = map.resolution;
        let cell = SIZE / n as f64;
        for (i, &p) in map.probability.iter().enumerate() {
            ctx.set_fill_style_str(&cell_color(p));
            // +0.5 px overlap hides seams between cells
            ctx.fill_rect((i % n) as f64 * cell, (i / n) as f64 * cell, cell + 0.5, cell + 0.5);
        }
    }
    let [x0, x1, y0, y1] = s.plane?;
    ctx.set_stroke_style_str("white");
    ctx.set_line_width(1.0);
    for &[x, y, class] in &s.points {
        let px = f64::from((x - x0) / (x1 - x0)) * SIZE;
        let py = f64::from((y1 - y) / (y1 - y0)) * SIZE;
        let c = if class >= 0.5 { BLUE } else { ORANGE };
        ctx.set_fill_style_str(&format!("rgb({},{},{})", c[0], c[1], c[2]));
        ctx.begin_path();
        let _ = ctx.arc(px, py, 3.0, 0.0, std::f64::consts::TAU);
        ctx.fill();
        ctx.stroke();
    }
    Some(())
}

/// The canvas, redrawn whenever the map or the points change.
#[component]
pub fn DecisionMapView() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let s = state.with(|s| TrainState { history: Vec::new(), ..s.clone() });
        if let Some(el) = canvas.get() {
            draw(&el, &s);
        }
    });
    view! {
        <figure class="decision-map">
            <canvas node_ref=canvas id="decision-map" width=SIZE height=SIZE aria-label="decision boundary"></canvas>
            <figcaption>"Decision map: colour = the model's class, dots = training points"</figcaption>
        </figure>
    }
}
