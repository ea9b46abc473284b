//! The decision map: the model's class-1 probability over the plane as a heat map, with the training points
//! on top (orange = class 0, blue = class 1, as in TensorFlow Playground).

use super::pixels::Pixels;
use super::TrainState;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

const SIZE: f64 = 360.0;
const ORANGE: [f64; 3] = [245.0, 147.0, 34.0];
const BLUE: [f64; 3] = [8.0, 119.0, 189.0];
const WHITE: [f64; 3] = [246.0, 246.0, 246.0];

/// Colour of probability `p` of class 1: orange at 0, white at 0.5, blue at 1 (washed out, so points stand out).
fn cell_color(p: f32) -> [u8; 3] {
    let t = f64::from((p - 0.5).abs() * 2.0) * 0.55;
    let target = if p >= 0.5 { BLUE } else { ORANGE };
    [0, 1, 2].map(|i| (WHITE[i] + (target[i] - WHITE[i]) * t).round() as u8)
}

fn draw(canvas: &web_sys::HtmlCanvasElement, s: &TrainState) -> Option<()> {
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let size = SIZE as usize;
    let mut frame = Pixels::new(size, size, [246, 246, 246]);
    if let Some(map) = &s.map {
        let n = map.resolution.max(1);
        for (i, &p) in map.probability.iter().enumerate() {
            // cell edges rounded to whole pixels, so neighbouring cells meet without seams
            let (c0, c1) = ((i % n) * size / n, (i % n + 1) * size / n);
            let (r0, r1) = ((i / n) * size / n, (i / n + 1) * size / n);
            frame.rect(c0, r0, c1 - c0, r1 - r0, cell_color(p));
        }
    }
    frame.put(&ctx)?;
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
    // the canvas's text alternative: what the picture shows, in numbers
    let description = move || {
        state.with(|s| {
            let points = s.points.len();
            let blue = s.points.iter().filter(|p| p[2] >= 0.5).count();
            match (&s.map, s.history.last()) {
                (Some(map), Some(m)) => {
                    let share = map.probability.iter().filter(|&&p| p >= 0.5).count() as f32
                        / map.probability.len().max(1) as f32;
                    format!(
                        "Decision map after epoch {}: the model calls {:.0} % of the plane blue (class 1) and the \
                         rest orange (class 0); {points} training points, {blue} blue; test accuracy {:.3}",
                        m.epoch,
                        100.0 * share,
                        m.test_accuracy
                    )
                }
                _ => format!("The training points before any training: {points} points, {blue} blue (class 1)"),
            }
        })
    };
    view! {
        <figure class="decision-map">
            <canvas node_ref=canvas id="decision-map" width=SIZE height=SIZE role="img" aria-label=description></canvas>
            <figcaption>"Decision map: colour = the model's class, dots = training points"</figcaption>
        </figure>
    }
}
