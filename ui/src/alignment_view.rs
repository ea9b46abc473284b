//! CCL's forward-vs-feedback alignment for one layer pair: the B x K matrix `a_l c_lᵀ` on the first test images
//! (rows) against the classes (columns), which the local loss pulls towards the one-hot labels. The true class
//! of each row is outlined; a trained layer lights up exactly there.

use super::{runner, Session, TrainState};
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

const CELL: f64 = 16.0;
const LEFT: f64 = 18.0;

/// Blue for positive, orange for negative similarity, white at 0; saturated at `|v| = top`.
fn color(v: f32, top: f32) -> String {
    let t = f64::from((v.abs() / top.max(1e-6)).min(1.0));
    let target = if v >= 0.0 { [26.0, 115.0, 232.0] } else { [232.0, 113.0, 10.0] };
    let c: Vec<u8> = target.iter().map(|&x| (255.0 + (x - 255.0) * t).round() as u8).collect();
    format!("rgb({},{},{})", c[0], c[1], c[2])
}

fn draw(canvas: &web_sys::HtmlCanvasElement, s: &TrainState) -> Option<()> {
    let views = s.ccl.as_ref()?;
    let m = &views.alignment;
    let (rows, cols) = m.dim();
    canvas.set_width((LEFT + cols as f64 * CELL + 2.0) as u32);
    canvas.set_height((CELL + rows as f64 * CELL + 2.0) as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_fill_style_str("white");
    ctx.fill_rect(0.0, 0.0, LEFT + cols as f64 * CELL + 2.0, CELL + rows as f64 * CELL + 2.0);
    let top = m.iter().fold(0.0f32, |a, &v| a.max(v.abs()));
    ctx.set_font("10px sans-serif");
    ctx.set_fill_style_str("#3c4043");
    for k in 0..cols {
        let _ = ctx.fill_text(&k.to_string(), LEFT + k as f64 * CELL + 4.0, CELL - 4.0);
    }
    for r in 0..rows {
        let y = CELL + r as f64 * CELL;
        let label = views.labels.get(r).copied().unwrap_or(0) as usize;
        ctx.set_fill_style_str("#3c4043");
        let _ = ctx.fill_text(&label.to_string(), 4.0, y + CELL - 4.0);
        for k in 0..cols {
            ctx.set_fill_style_str(&color(m[[r, k]], top));
            ctx.fill_rect(LEFT + k as f64 * CELL, y, CELL - 1.0, CELL - 1.0);
        }
        ctx.set_stroke_style_str("#202124");
        ctx.stroke_rect(LEFT + label as f64 * CELL, y, CELL - 1.0, CELL - 1.0);
    }
    Some(())
}

/// The matrix and the choice of layer pair.
#[component]
pub fn AlignmentView() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let canvas = NodeRef::<Canvas>::new();
    // redrawn when the views change (once an epoch), not on every progress update of the state
    let views = Memo::new(move |_| state.with(|s| s.ccl.clone()));
    Effect::new(move |_| {
        let s = TrainState { ccl: views.get(), ..TrainState::default() };
        if let Some(el) = canvas.get() {
            draw(&el, &s);
        }
    });
    // Pairs are every local loss but the last (the cross-entropy).
    let pairs = move || {
        state.with(|s| s.loss_names.iter().take(s.loss_names.len().saturating_sub(1)).cloned().collect::<Vec<_>>())
    };
    let on_change = move |ev| {
        let layer = event_target_value(&ev).parse().unwrap_or(0);
        state.update(|s| s.alignment_layer = layer);
        runner::refresh_views(session, state);
    };
    // the text alternative: for how many of the shown test images the target class is the most similar
    let description = move || {
        state.with(|s| {
            let Some(v) = &s.ccl else { return String::new() };
            let rows = v.alignment.nrows();
            let hits = (0..rows)
                .filter(|&r| {
                    let row = v.alignment.row(r);
                    let best = (0..row.len()).max_by(|&a, &b| row[a].total_cmp(&row[b]));
                    best == v.labels.get(r).map(|&l| l as usize)
                })
                .count();
            format!(
                "Forward-feedback similarity matrix: for {hits} of {rows} test images the most similar feedback class is \
                 the image's label"
            )
        })
    };
    view! {
        <figure class="alignment">
            <figcaption>
                "Forward · feedback similarity "
                <select id="alignment-layer" aria-label="Layer pair shown" on:change=on_change>
                    {move || pairs().into_iter().enumerate().map(|(i, name)| {
                        view! { <option value=i.to_string() selected=move || state.with(|s| s.alignment_layer == i)>{name}</option> }
                    }).collect_view()}
                </select>
                " (rows: test images by label; columns: classes; outlined: the target)"
            </figcaption>
            <canvas node_ref=canvas id="alignment-matrix" width="10" height="10" role="img" aria-label=description></canvas>
        </figure>
    }
}
