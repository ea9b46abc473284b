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

/// Where a value sits on the y axis: 0 at the bottom, 1 at the top; linear from 0 to `top`, or logarithmic from
/// `bottom` to `top` (both positive).
#[derive(Clone, Copy)]
struct Scale {
    bottom: f32,
    top: f32,
    log: bool,
}

impl Scale {
    fn y(&self, v: f32) -> f32 {
        let t = if self.log {
            (v.max(self.bottom).ln() - self.bottom.ln()) / (self.top.ln() - self.bottom.ln()).max(1e-6)
        } else {
            v.clamp(0.0, self.top) / self.top
        };
        HEIGHT - PAD - t.clamp(0.0, 1.0) * (HEIGHT - 2.0 * PAD)
    }
}

fn x(i: usize, points: usize) -> f32 {
    PAD + i as f32 * (WIDTH - 2.0 * PAD) / (points.max(2) - 1) as f32
}

/// Points drawn per series at most: a long run (a 2-D set trains hundreds of epochs a second) is drawn as the
/// lowest and highest value of each of `MAX_POINTS / 2` runs of epochs, which looks the same at this width.
const MAX_POINTS: usize = 600;

/// The points of `values` to draw, by index: all of them, or each bucket's lowest and highest in order.
fn decimate(values: &[f32]) -> Vec<usize> {
    let n = values.len();
    if n <= MAX_POINTS {
        return (0..n).collect();
    }
    let buckets = MAX_POINTS / 2;
    let mut out = Vec::with_capacity(MAX_POINTS);
    for b in 0..buckets {
        let (start, end) = (b * n / buckets, (b + 1) * n / buckets);
        let finite = (start..end).filter(|&i| values[i].is_finite());
        let lo = finite.clone().min_by(|&i, &j| values[i].total_cmp(&values[j]));
        let hi = finite.max_by(|&i, &j| values[i].total_cmp(&values[j]));
        if let (Some(lo), Some(hi)) = (lo, hi) {
            out.extend(if lo <= hi { [lo, hi] } else { [hi, lo] });
        }
    }
    out.dedup();
    out
}

/// SVG `points` of `values` on `scale`.
fn polyline(values: &[f32], points: usize, scale: Scale) -> String {
    decimate(values)
        .into_iter()
        .map(|i| (i, values[i]))
        .filter(|(_, v)| v.is_finite() && (!scale.log || *v > 0.0)) // missing points (a layer not trained yet) are skipped
        .map(|(i, v)| format!("{:.1},{:.1}", x(i, points), scale.y(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn short(v: f32) -> String {
    if !v.is_finite() {
        "–".into()
    } else if v != 0.0 && (v.abs() < 0.01 || v.abs() >= 1000.0) {
        format!("{v:.2e}")
    } else {
        format!("{v:.3}")
    }
}

/// A line chart of `series` against epochs (`epochs[i]` is point `i`'s epoch). The y axis runs from 0 to
/// `fixed_max` or the largest value, or — when `log_option` and the reader ticks "log scale" — logarithmically over
/// the positive values. The newest point of each live series is marked; hovering (or touching) the chart reads
/// out every series at that point.
#[component]
pub fn LineChart(
    /// Heading above the chart.
    title: &'static str,
    /// The lines to draw.
    series: Signal<Vec<Series>>,
    /// The epoch of each point.
    epochs: Signal<Vec<usize>>,
    /// Top of the y axis (None = fit the data).
    fixed_max: Option<f32>,
    /// Offer a logarithmic y axis (losses).
    #[prop(optional)]
    log_option: bool,
    /// DOM id of the chart.
    id: &'static str,
) -> impl IntoView {
    let log = RwSignal::new(false);
    let hover = RwSignal::new(None::<usize>);
    let scale = move || {
        let finite = move |all: &Vec<Series>| -> Vec<f32> {
            all.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite()).collect()
        };
        let values = series.with(finite);
        let top = fixed_max.unwrap_or_else(|| values.iter().copied().fold(1e-6, f32::max));
        if log.get() {
            let bottom = values.iter().copied().filter(|v| *v > 0.0).fold(f32::INFINITY, f32::min);
            let bottom = if bottom.is_finite() { bottom.min(top / 10.0) } else { top / 1e3 };
            Scale { bottom, top, log: true }
        } else {
            Scale { bottom: 0.0, top, log: false }
        }
    };
    let points = move || series.with(|all| all.iter().map(|s| s.values.len()).max().unwrap_or(0));
    let last_epoch = move || epochs.with(|e| e.last().copied().unwrap_or(0));
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let Some(target) = ev.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        else {
            return;
        };
        let rect = target.get_bounding_client_rect();
        let n = points();
        if n == 0 || rect.width() <= 0.0 {
            return;
        }
        let fx = (ev.client_x() as f64 - rect.left()) / rect.width() * WIDTH as f64;
        let step = (WIDTH - 2.0 * PAD) as f64 / (n.max(2) - 1) as f64;
        let i = ((fx - PAD as f64) / step).round().clamp(0.0, (n - 1) as f64) as usize;
        hover.set(Some(i));
    };
    let readout = move || {
        let i = hover.get()?;
        let epoch = epochs.with(|e| e.get(i).copied()).unwrap_or(i + 1);
        let values: Vec<String> = series.with(|all| {
            all.iter().filter_map(|s| s.values.get(i).map(|v| format!("{} {}", s.name, short(*v)))).collect()
        });
        Some(format!("epoch {epoch}: {}", values.join(" · ")))
    };
    view! {
        <figure class="chart" id=id>
            <figcaption>
                {title}
                <Show when=move || log_option>
                    <label class="log-toggle">
                        <input type="checkbox" prop:checked=move || log.get() on:change=move |ev| log.set(event_target_checked(&ev))/>
                        " log scale"
                    </label>
                </Show>
            </figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title on:pointermove=on_move
                on:pointerleave=move |_| hover.set(None)>
                <line x1=PAD y1=HEIGHT - PAD x2=WIDTH - PAD y2=HEIGHT - PAD class="axis"/>
                <line x1=PAD y1=PAD x2=PAD y2=HEIGHT - PAD class="axis"/>
                <text x=2 y=PAD + 4.0 class="tick">{move || if points() == 0 { String::new() } else { short(scale().top) }}</text>
                <text x=2 y=HEIGHT - PAD class="tick">{move || { let s = scale(); if s.log { short(s.bottom) } else { "0".into() } }}</text>
                <text x=WIDTH - PAD y=HEIGHT - 6.0 class="tick" text-anchor="end">
                    {move || format!("epoch {}", last_epoch())}
                </text>
                {move || {
                    let (sc, n) = (scale(), points());
                    series
                        .get()
                        .into_iter()
                        .map(|s| {
                            let dash = s.overlay.then_some("5 3");
                            let opacity = if s.overlay { "0.6" } else { "1" };
                            // the current epoch: a dot on the newest point of each live series
                            let newest = (!s.overlay)
                                .then(|| s.values.iter().enumerate().rev().find(|(_, v)| v.is_finite() && (!sc.log || **v > 0.0)))
                                .flatten()
                                .map(|(i, v)| view! { <circle cx=x(i, n) cy=sc.y(*v) r="3" fill=s.color class="current"/> });
                            view! {
                                <polyline points=polyline(&s.values, n, sc) stroke=s.color fill="none" stroke-width="2"
                                    stroke-dasharray=dash stroke-opacity=opacity/>
                                {newest}
                            }
                        })
                        .collect_view()
                }}
                {move || hover.get().map(|i| {
                    let cx = x(i, points());
                    view! { <line x1=cx y1=PAD x2=cx y2=HEIGHT - PAD class="hover-line"/> }
                })}
            </svg>
            <p class="readout" aria-live="off">{move || readout().unwrap_or_default()}</p>
            <div class="legend">
                {move || {
                    series
                        .get()
                        .into_iter()
                        .map(|s| {
                            let mark = if s.overlay { "┅ " } else { "● " };
                            // the mark carries the colour; the name stays in the text colour (contrast ≥ 4.5:1)
                            view! { <span><span class="mark" style:color=s.color>{mark}</span>{s.name}</span> }
                        })
                        .collect_view()
                }}
            </div>
        </figure>
    }
}
