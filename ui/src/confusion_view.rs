//! The confusion matrix of an image run's test split after the last epoch: a row per true class, a column per
//! predicted class, each cell shaded by its share of the row (the diagonal blue, mistakes red) and labelled with
//! its count; the text alternative names the most frequent mistakes.

use super::TrainState;
use leptos::prelude::*;

const CELL: f64 = 26.0;
const LEFT: f64 = 70.0;
const TOP: f64 = 18.0;

/// The three most frequent mistakes, "4 taken for 9 (23 times)".
fn worst(counts: &[u32], k: usize, name: &dyn Fn(usize) -> String) -> Vec<String> {
    let mut off: Vec<(u32, usize, usize)> =
        (0..k * k).filter(|i| i / k != i % k && counts[*i] > 0).map(|i| (counts[i], i / k, i % k)).collect();
    off.sort_by_key(|c| std::cmp::Reverse(c.0));
    off.iter().take(3).map(|(n, t, p)| format!("{} taken for {} ({n} times)", name(*t), name(*p))).collect()
}

/// The matrix, shown for image classifiers once an epoch has been evaluated.
#[component]
pub fn ConfusionView() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let view_of = move || {
        state.with(|s| {
            let k = (s.confusion.len() as f64).sqrt() as usize;
            if k < 2 || k * k != s.confusion.len() || s.reconstructs || s.confusion.iter().all(|&c| c == 0) {
                return None;
            }
            let names: Vec<String> = (0..k)
                .map(|c| s.gallery.as_ref().map_or_else(|| c.to_string(), |g| g.class_name(c as u32)))
                .collect();
            let name = |c: usize| names.get(c).cloned().unwrap_or_else(|| c.to_string());
            let counts = s.confusion.clone();
            let label = {
                let mistakes = worst(&counts, k, &name);
                let right: u32 = (0..k).map(|c| counts[c * k + c]).sum();
                let total: u32 = counts.iter().sum();
                format!(
                    "Confusion matrix of the test set: {right} of {total} right; most frequent mistakes: {}",
                    if mistakes.is_empty() { "none".to_string() } else { mistakes.join("; ") }
                )
            };
            let size = (LEFT + CELL * k as f64 + 4.0, TOP + CELL * k as f64 + 4.0);
            let cells = (0..k * k)
                .map(|i| {
                    let (t, p) = (i / k, i % k);
                    let row: u32 = counts[t * k..(t + 1) * k].iter().sum();
                    let share = f64::from(counts[i]) / f64::from(row.max(1));
                    let (r, g, b) = if t == p { (8.0, 119.0, 189.0) } else { (217.0, 48.0, 37.0) };
                    let fill = format!("rgba({r},{g},{b},{:.2})", share.sqrt() * 0.9);
                    let (x, y) = (LEFT + p as f64 * CELL, TOP + t as f64 * CELL);
                    let text = (counts[i] > 0).then(|| counts[i].to_string());
                    view! {
                        <rect x=x y=y width=CELL - 1.0 height=CELL - 1.0 fill=fill/>
                        <text x=x + CELL / 2.0 y=y + CELL / 2.0 + 4.0 font-size="9" text-anchor="middle" fill="currentColor">{text}</text>
                    }
                })
                .collect_view();
            let rows = (0..k)
                .map(|c| {
                    let short: String = name(c).chars().take(10).collect();
                    view! {
                        <text x=LEFT - 4.0 y=TOP + c as f64 * CELL + CELL / 2.0 + 4.0 font-size="10" text-anchor="end" fill="currentColor">{short}</text>
                        <text x=LEFT + c as f64 * CELL + CELL / 2.0 y=TOP - 5.0 font-size="10" text-anchor="middle" fill="currentColor">{c}</text>
                    }
                })
                .collect_view();
            Some(view! {
                <figure class="confusion" id="confusion">
                    <figcaption>"Confusion matrix, test set: rows = true class, columns = predicted class (by number)"</figcaption>
                    <svg viewBox=format!("0 0 {} {}", size.0, size.1) width=size.0 height=size.1 role="img" aria-label=label>
                        {cells}
                        {rows}
                    </svg>
                </figure>
            })
        })
    };
    view! { {view_of} }
}
