//! A small SVG line chart (loss or accuracy per epoch), redrawn from a signal.

use leptos::prelude::*;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// CSS colour.
    pub color: &'static str,
    /// One value per epoch.
    pub values: Vec<f32>,
    /// Drawn dashed and faded: a handed-in or pinned run beside the current one.
    pub overlay: bool,
}

impl Series {
    /// A named, coloured series.
    pub fn new(name: impl Into<String>, color: &'static str, values: Vec<f32>) -> Self {
        Series { name: name.into(), color, values, overlay: false }
    }

    /// The same series drawn dashed and faded, as another run's.
    pub fn overlay(mut self) -> Self {
        self.overlay = true;
        self
    }
}

const WIDTH: f32 = 320.0;
const HEIGHT: f32 = 150.0;
const PAD: f32 = 24.0;

/// SVG `points` of `values` scaled to the plot area with `y_max` at the top.
fn polyline(values: &[f32], epochs: usize, y_max: f32) -> String {
    let dx = (WIDTH - 2.0 * PAD) / (epochs.max(2) - 1) as f32;
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite()) // missing points (a layer not trained yet) are skipped
        .map(|(i, v)| {
            let y = HEIGHT - PAD - (v.clamp(0.0, y_max) / y_max) * (HEIGHT - 2.0 * PAD);
            format!("{:.1},{:.1}", PAD + i as f32 * dx, y)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A line chart of `series` against epochs; the y axis runs from 0 to `fixed_max` or the largest value.
#[component]
pub fn LineChart(
    /// Heading above the chart.
    title: &'static str,
    /// The lines to draw.
    series: Signal<Vec<Series>>,
    /// Top of the y axis (None = fit the data).
    fixed_max: Option<f32>,
    /// DOM id of the chart.
    id: &'static str,
) -> impl IntoView {
    let y_max = move || {
        fixed_max.unwrap_or_else(|| {
            series.with(|all| {
                all.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite()).fold(1e-6, f32::max)
            })
        })
    };
    let epochs = move || series.with(|all| all.iter().map(|s| s.values.len()).max().unwrap_or(0));
    view! {
        <figure class="chart" id=id>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title>
                <line x1=PAD y1=HEIGHT - PAD x2=WIDTH - PAD y2=HEIGHT - PAD class="axis"/>
                <line x1=PAD y1=PAD x2=PAD y2=HEIGHT - PAD class="axis"/>
                <text x=2 y=PAD + 4.0 class="tick">{move || format!("{:.2}", y_max())}</text>
                <text x=2 y=HEIGHT - PAD class="tick">"0"</text>
                <text x=WIDTH - PAD y=HEIGHT - 6.0 class="tick" text-anchor="end">
                    {move || format!("epoch {}", epochs())}
                </text>
                {move || {
                    let (top, n) = (y_max(), epochs());
                    series
                        .get()
                        .into_iter()
                        .map(|s| {
                            let dash = s.overlay.then_some("5 3");
                            let opacity = if s.overlay { "0.6" } else { "1" };
                            view! {
                                <polyline points=polyline(&s.values, n, top) stroke=s.color fill="none" stroke-width="2"
                                    stroke-dasharray=dash stroke-opacity=opacity/>
                            }
                        })
                        .collect_view()
                }}
            </svg>
            <div class="legend">
                {move || {
                    series
                        .get()
                        .into_iter()
                        .map(|s| {
                            let mark = if s.overlay { "┅ " } else { "● " };
                            view! { <span style:color=s.color>{mark} {s.name}</span> }
                        })
                        .collect_view()
                }}
            </div>
        </figure>
    }
}
