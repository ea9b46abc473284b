//! NoProp's denoising trajectory: for the first test images (rows), the class probabilities after each block
//! (DT) or at evenly spaced sampler steps (CT/FM) (columns), as small bar charts; the true class's bar is green.
//! A trained model starts from noise (flat bars) and sharpens towards the label from left to right.

use super::TrainState;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

const BAR: f64 = 3.0;
const HEIGHT: f64 = 26.0;
const GAP: f64 = 8.0;
const LEFT: f64 = 22.0;
const TOP: f64 = 16.0;

fn draw(canvas: &web_sys::HtmlCanvasElement, s: &TrainState) -> Option<()> {
    let views = s.noprop.as_ref()?;
    let steps = views.steps.len();
    let (rows, classes) = views.steps.first()?.dim();
    let cell_w = classes as f64 * BAR + GAP;
    let (width, height) = (LEFT + steps as f64 * cell_w, TOP + rows as f64 * (HEIGHT + GAP));
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_fill_style_str("white");
    ctx.fill_rect(0.0, 0.0, width, height);
    ctx.set_font("10px sans-serif");
    ctx.set_fill_style_str("#3c4043");
    for t in 0..steps {
        let _ = ctx.fill_text(&(t + 1).to_string(), LEFT + t as f64 * cell_w, TOP - 4.0);
    }
    for r in 0..rows {
        let y0 = TOP + r as f64 * (HEIGHT + GAP);
        let label = views.labels.get(r).copied().unwrap_or(0) as usize;
        ctx.set_fill_style_str("#3c4043");
        let _ = ctx.fill_text(&label.to_string(), 4.0, y0 + HEIGHT - 2.0);
        for (t, probs) in views.steps.iter().enumerate() {
            let x0 = LEFT + t as f64 * cell_w;
            ctx.set_fill_style_str("#f1f3f4");
            ctx.fill_rect(x0, y0, classes as f64 * BAR, HEIGHT);
            for k in 0..classes {
                let p = f64::from(probs[[r, k]].clamp(0.0, 1.0));
                ctx.set_fill_style_str(if k == label { "#188038" } else { "#1a73e8" });
                ctx.fill_rect(x0 + k as f64 * BAR, y0 + HEIGHT * (1.0 - p), BAR - 0.5, HEIGHT * p);
            }
        }
    }
    Some(())
}

/// The trajectory canvas, redrawn after every epoch.
#[component]
pub fn DenoisingView() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let canvas = NodeRef::<Canvas>::new();
    // redrawn when the views change (once an epoch), not on every progress update of the state
    let views = Memo::new(move |_| state.with(|s| s.noprop.clone()));
    Effect::new(move |_| {
        let s = TrainState { noprop: views.get(), ..TrainState::default() };
        if let Some(el) = canvas.get() {
            draw(&el, &s);
        }
    });
    // the text alternative: the share of the shown test images whose true class is most likely, step by step
    let description = move || {
        state.with(|s| {
            let Some(v) = &s.noprop else { return String::new() };
            let right: Vec<String> = v
                .steps
                .iter()
                .map(|p| {
                    let hits = (0..p.nrows())
                        .filter(|&r| {
                            let row = p.row(r);
                            let best = (0..row.len()).max_by(|&a, &b| row[a].total_cmp(&row[b]));
                            best == v.labels.get(r).map(|&l| l as usize)
                        })
                        .count();
                    format!("{hits}/{}", p.nrows())
                })
                .collect();
            format!(
                "Denoising trajectory: test images whose true class is the most likely, after each step: {}",
                right.join(", ")
            )
        })
    };
    view! {
        <figure class="denoising">
            <figcaption>"Denoising trajectory: the class probabilities of test images (rows, labelled on the left) after each step, from noise (left) to label (right); green = the true class"</figcaption>
            <canvas node_ref=canvas id="denoising" width="10" height="10" role="img" aria-label=description></canvas>
        </figure>
    }
}
