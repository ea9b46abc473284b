//! The decision map: the model's class-1 probability over the plane as a heat map, with the training points
//! on top (orange = class 0, blue = class 1, as in TensorFlow Playground). Clicking it adds a point of the chosen
//! class ([`super::draw_points`]); the user's own points are drawn larger, ringed in black.

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

fn draw(canvas: &web_sys::HtmlCanvasElement, s: &TrainState, drawn: &[[f32; 3]]) -> Option<()> {
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
    // the user's points: larger, with a dark ring (told apart by shape, not colour alone)
    ctx.set_stroke_style_str("#202124");
    ctx.set_line_width(2.0);
    for &[x, y, class] in drawn {
        let px = f64::from((x - x0) / (x1 - x0)) * SIZE;
        let py = f64::from((y1 - y) / (y1 - y0)) * SIZE;
        let c = if class >= 0.5 { BLUE } else { ORANGE };
        ctx.set_fill_style_str(&format!("rgb({},{},{})", c[0], c[1], c[2]));
        ctx.begin_path();
        let _ = ctx.arc(px, py, 5.0, 0.0, std::f64::consts::TAU);
        ctx.fill();
        ctx.stroke();
    }
    Some(())
}

/// The point of the plane under a click at `(px, py)` CSS pixels on a canvas shown `shown` pixels wide,
/// rounded to 0.01 (so that the link stays short and replays the very point).
pub(super) fn plane_point(plane: [f32; 4], px: f64, py: f64, shown: f64) -> [f32; 2] {
    let [x0, x1, y0, y1] = plane;
    let (u, v) = ((px / shown.max(1.0)) as f32, (py / shown.max(1.0)) as f32);
    let round = |z: f32| (z * 100.0).round() / 100.0;
    [round(x0 + u * (x1 - x0)), round(y1 - v * (y1 - y0))]
}

/// The canvas, redrawn whenever the map or the points change.
#[component]
pub fn DecisionMapView() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let config = expect_context::<RwSignal<bpfree::config::RunConfig>>();
    let canvas = NodeRef::<Canvas>::new();
    // redrawn when the map or the points change (once an epoch), not on every progress update of the state
    let shown = Memo::new(move |_| state.with(|s| (s.map.clone(), s.points.clone(), s.plane)));
    Effect::new(move |_| {
        let (map, points, plane) = shown.get();
        let s = TrainState { map, points, plane, ..TrainState::default() };
        let drawn = config.with(|c| c.data.drawn.clone());
        if let Some(el) = canvas.get() {
            draw(&el, &s, &drawn);
        }
    });
    let add = super::draw_points::use_add_point();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let (Some(el), Some(plane)) = (canvas.get_untracked(), state.with_untracked(|s| s.plane)) else { return };
        let [x, y] =
            plane_point(plane, f64::from(ev.offset_x()), f64::from(ev.offset_y()), f64::from(el.client_width()));
        add(x, y, ev.shift_key());
    };
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
            <canvas node_ref=canvas id="decision-map" class="drawable" width=SIZE height=SIZE role="img" aria-label=description on:click=on_click></canvas>
            <figcaption>"Decision map: colour = the model's class, dots = training points (ringed: yours)"</figcaption>
            <super::draw_points::DrawTools/>
        </figure>
    }
}
