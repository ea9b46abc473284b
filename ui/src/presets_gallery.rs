//! The presets gallery under the playground: a card per demo of [`bpfree::share::gallery::DEMOS`] — a thumbnail
//! drawn here as a small SVG (the data it trains on; two curves, one dashed, for a "versus" demo), the title and a
//! paragraph — and each card is the demo's link: opening it loads the run and trains.

use bpfree::share::gallery::{Thumb, DEMOS};
use leptos::prelude::*;

const W: f64 = 120.0;
const H: f64 = 72.0;
const ORANGE: &str = "#f59322";
const BLUE: &str = "#0877bd";

/// A point of the thumbnail: `[x, y]` in `[0, 1]²` and whether it is the blue class.
type Dot = (f64, f64, bool);

/// A small deterministic jitter (the thumbnails look the same on every visit).
fn jitter(i: usize) -> f64 {
    ((i as f64 * 12.9898).sin() * 43758.5453).fract() * 0.06
}

fn dots(thumb: Thumb) -> Vec<Dot> {
    use std::f64::consts::PI;
    let n = 14;
    let mut out = Vec::new();
    for i in 0..n {
        let t = i as f64 / (n - 1) as f64;
        let j = jitter(i);
        match thumb {
            Thumb::Moons => {
                let a = PI * t;
                out.push((0.3 + 0.3 * a.cos() + j, 0.35 - 0.3 * a.sin() + j, false));
                out.push((0.6 - 0.3 * a.cos() - j, 0.55 + 0.3 * a.sin() - j, true));
            }
            Thumb::Spiral => {
                let (r, a) = (0.05 + 0.4 * t, 3.5 * PI * t);
                out.push((0.5 + r * a.cos(), 0.5 + r * a.sin(), false));
                out.push((0.5 - r * a.cos(), 0.5 - r * a.sin(), true));
            }
            Thumb::Xor => {
                let (q, k) = (i % 4, (i / 4) as f64 * 0.05);
                let (x, y) = [(0.25, 0.25), (0.75, 0.75), (0.25, 0.75), (0.75, 0.25)][q];
                out.push((x + k - 0.05 + j, y - k + 0.05 - j, q >= 2));
            }
            Thumb::Circles => {
                let a = 2.0 * PI * t;
                out.push((0.5 + 0.4 * a.cos() + j, 0.5 + 0.4 * a.sin(), false));
                out.push((0.5 + 0.12 * (3.0 * a).cos() + j, 0.5 + 0.12 * (5.0 * a).sin(), true));
            }
            _ => {}
        }
    }
    out
}

/// The thumbnail of a demo: its data, and for a "versus" demo two curves in the corner (solid: this run,
/// dashed: its counterpart).
fn thumbnail(thumb: Thumb, compares: bool) -> impl IntoView {
    let (label, body) = match thumb {
        Thumb::Digits => (
            "handwritten digits",
            view! {
                <rect width=W height=H rx="6" fill="#202124"/>
                <text x="12" y="46" fill="white" font-size="24" font-family="serif" font-style="italic">"7 2 1 0 4"</text>
            }
            .into_any(),
        ),
        Thumb::Clothes => (
            "clothes: a shirt and a boot",
            view! {
                <rect width=W height=H rx="6" fill="#202124"/>
                <path d="M14 22 L28 14 L34 19 L40 14 L54 22 L50 32 L45 30 L45 60 L23 60 L23 30 L18 32 Z" fill="#e8eaed"/>
                <path d="M68 18 L80 18 L80 44 L104 50 L106 60 L68 60 Z" fill="#bdc1c6"/>
            }
            .into_any(),
        ),
        Thumb::Graph => {
            let nodes = [(18.0, 20.0, 0), (40.0, 12.0, 0), (30.0, 44.0, 0), (58.0, 34.0, 1), (80.0, 16.0, 1)];
            let more = [(84.0, 52.0, 2), (104.0, 34.0, 2), (60.0, 60.0, 1), (100.0, 62.0, 2)];
            let all: Vec<(f64, f64, usize)> = nodes.into_iter().chain(more).collect();
            let edges = [(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (3, 7), (4, 6), (5, 6), (5, 7), (6, 8), (5, 8), (1, 4)];
            let colors = [ORANGE, BLUE, "#188038"];
            (
                "a graph, nodes coloured by class",
                view! {
                    <rect width=W height=H rx="6" fill="white" stroke="#dadce0"/>
                    {edges.map(|(a, b)| view! { <line x1=all[a].0 y1=all[a].1 x2=all[b].0 y2=all[b].1 stroke="#9aa0a6"/> }).collect_view()}
                    {all.iter().map(|&(x, y, c)| view! { <circle cx=x cy=y r="5" fill=colors[c]/> }).collect_view()}
                }
                .into_any(),
            )
        }
        _ => (
            "two classes of points in the plane",
            view! {
                <rect width=W height=H rx="6" fill="#f6f6f6" stroke="#dadce0"/>
                {dots(thumb).into_iter().map(|(x, y, blue)| {
                    view! { <circle cx=10.0 + x * (W - 20.0) cy=6.0 + y * (H - 12.0) r="2.6" fill=if blue { BLUE } else { ORANGE }/> }
                }).collect_view()}
            }
            .into_any(),
        ),
    };
    let curves = compares.then(|| {
        view! {
            <rect x="72" y="38" width="44" height="30" rx="3" fill="white" stroke="#dadce0"/>
            <polyline points="75,62 82,50 90,45 100,43 113,42" fill="none" stroke=BLUE stroke-width="2"/>
            <polyline points="75,64 82,58 90,53 100,50 113,49" fill="none" stroke="#9334e6" stroke-width="2" stroke-dasharray="3 2"/>
        }
    });
    let label = if compares { format!("{label}, and two learning curves") } else { label.to_string() };
    view! {
        <svg class="thumb" viewBox=format!("0 0 {W} {H}") width=W height=H role="img" aria-label=label>
            {body}
            {curves}
        </svg>
    }
}

/// The gallery: a link per demo.
#[component]
pub fn PresetsGallery() -> impl IntoView {
    view! {
        <section class="gallery" id="gallery" aria-labelledby="gallery-title">
            <h2 id="gallery-title">"Try these"</h2>
            <div class="cards">
                {DEMOS.iter().map(|d| view! {
                    <a class="card" id=format!("demo-{}", d.id) href=format!("?{}", d.query)>
                        {thumbnail(d.thumb, d.compares())}
                        <span class="card-title">{d.title}</span>
                        <span class="card-text">{d.text}</span>
                    </a>
                }).collect_view()}
            </div>
        </section>
    }
}
