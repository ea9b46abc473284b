//! Backprop beside backprop-free, the question the page exists to answer. "Pin this run" keeps a finished or paused
//! run on the charts, dashed, with its label, while the next one trains; "Compare with backprop" pins the run and
//! trains its counterpart from the registry (`bpfree::algorithms::counterpart`: the backprop baseline of the same
//! model, data and seed, or a backprop-free algorithm when the run is backprop). The runs table lists the pinned
//! runs of this visit with what they reached, how long they took and a button that restores any run's settings.

use super::{train_loop, AdapterProbe, Session, TrainState};
use bpfree::algorithms::{algorithm_info, counterpart, counterpart_algorithm};
use bpfree::config::RunConfig;
use bpfree::data::{dataset_info, DatasetKind};
use bpfree::train::select_epoch;
use leptos::prelude::*;

/// Epochs of each run of the opening demo.
pub const DEMO_EPOCHS: usize = 20;

/// The opening demo's first run: counter-current learning (no backpropagation) on two moons; after
/// [`DEMO_EPOCHS`] epochs the page compares it with backprop on the same network, data and seed.
pub fn demo_config() -> RunConfig {
    bpfree::algorithms::preset_for("ccl", "moons", bpfree::config::Architecture::Mlp)
}

/// At most this many pinned runs (the oldest goes first), so the charts stay readable.
const MAX_PINNED: usize = 6;
/// One colour per pinned run, none of them the current run's orange or blue.
const COLORS: [&str; MAX_PINNED] = ["#9334e6", "#188038", "#d93025", "#12b5cb", "#f9ab00", "#5f6368"];

/// A run kept on the charts.
#[derive(Clone, Debug, PartialEq)]
pub struct Pinned {
    /// "CCL · Two moons · seed 1".
    pub label: String,
    /// Its colour on the charts and in the table.
    pub color: &'static str,
    /// Its settings (Restore loads them).
    pub cfg: RunConfig,
    /// Training loss per chart point.
    pub train_loss: Vec<f32>,
    /// Test accuracy (graphs: test accuracy or ROC-AUC) per chart point.
    pub metric: Vec<f32>,
    /// What [`Pinned::metric`] is.
    pub metric_name: &'static str,
    /// The run's result: its selected epoch's test accuracy, or a graph run's deepest finished model's.
    pub result: String,
    /// Epochs trained.
    pub epochs: usize,
    /// Wall time of its training, seconds.
    pub seconds: f64,
    /// Optimiser steps per second (graphs: epochs per second, an epoch is one full-graph step).
    pub steps_per_second: f64,
    /// Peak device memory held by tensors, bytes (GPU runs).
    pub peak_memory: Option<u64>,
    /// "CPU", "WebGPU: …".
    pub device: String,
}

/// "CCL · Two moons · seed 1".
fn label(cfg: &RunConfig) -> String {
    let algorithm = algorithm_info(&cfg.algorithm).map_or(cfg.algorithm.as_str(), |a| a.label);
    let dataset = dataset_info(&cfg.dataset).map_or(cfg.dataset.as_str(), |d| d.label);
    format!("{algorithm} · {dataset} · seed {}", cfg.seed)
}

/// The run's result as the page reports it elsewhere (the metrics panel's "Selected", a graph run's depths).
fn result(s: &TrainState, cfg: &RunConfig) -> String {
    if let Some(g) = &s.graph {
        let metric = if g.link { "test ROC-AUC" } else { "test accuracy" };
        return match s.depths.last() {
            Some(d) => format!("{metric} {:.3} ({} layers, best of {} epochs)", d.test_accuracy, d.layers, d.epochs),
            None => {
                s.history.last().map_or("–".into(), |m| format!("{metric} {:.3} (not finished)", m.test_accuracy))
            }
        };
    }
    match select_epoch(&s.history, cfg.selection) {
        Some(m) if s.reconstructs => format!("test MSE {:.4} (epoch {})", m.test_loss, m.epoch),
        Some(m) => format!("test accuracy {:.3} (epoch {})", m.test_accuracy, m.epoch),
        None => "–".into(),
    }
}

/// Pins the current run unless it has no epoch yet or is already the newest pin.
fn pin(s: &mut TrainState, cfg: &RunConfig) {
    let Some(last) = s.history.last() else { return };
    if s.pinned.last().is_some_and(|p| p.cfg == *cfg && p.train_loss.len() == s.history.len()) {
        return;
    }
    if s.pinned.len() == MAX_PINNED {
        s.pinned.remove(0);
    }
    let color = COLORS.iter().copied().find(|c| !s.pinned.iter().any(|p| p.color == *c)).unwrap_or(COLORS[0]);
    let pinned = Pinned {
        label: label(cfg),
        color,
        cfg: cfg.clone(),
        train_loss: s.history.iter().map(|m| m.train_loss).collect(),
        metric: s.history.iter().map(|m| m.test_accuracy).collect(),
        metric_name: if s.graph.as_ref().is_some_and(|g| g.link) { "test ROC-AUC" } else { "test accuracy" },
        result: result(s, cfg),
        epochs: last.epoch,
        seconds: s.seconds,
        steps_per_second: if s.seconds > 0.0 { last.steps as f64 / s.seconds } else { 0.0 },
        peak_memory: s.memory.map(|m| m.peak_live_bytes),
        device: s.device.clone().unwrap_or_default(),
    };
    s.pinned.push(pinned);
}

/// The pin and compare buttons and the runs table.
#[component]
pub fn ComparePanel() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let adapter = expect_context::<RwSignal<AdapterProbe>>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let running = move || state.with(|s| s.running);
    // a classroom link that locks the algorithm or the dataset keeps them: no switching to another run
    let locked = super::use_locks();
    let switch_locked = move || locked("algo") || locked("dataset");
    let trained = move || state.with(|s| !s.history.is_empty());
    let on_pin = move |_| {
        let cfg = config.get_untracked();
        state.update(|s| pin(s, &cfg));
    };
    let compare_now = move || {
        let cfg = config.get_untracked();
        state.update(|s| pin(s, &cfg));
        // a 2-D run has no epoch budget: its counterpart pauses where this run stood
        let (epochs, demo) = state.with_untracked(|s| {
            ((!s.image && s.graph.is_none()).then(|| s.history.last().map(|m| m.epoch)).flatten(), s.demo)
        });
        let next = counterpart(&cfg);
        config.set(next.clone());
        train_loop::reset(session, state, &next);
        state.update(|s| {
            s.pause_at = epochs;
            s.demo = demo;
            s.compare_when_done = false;
        });
        train_loop::run(session, state, next, adapter.get_untracked(), false);
    };
    let on_compare = move |_| compare_now();
    // the opening demo and `compare=1`: once the run stops by itself, its counterpart trains beside it
    Effect::new(move |_| {
        let due = state.with(|s| {
            // an image or graph run stops at its budget; a 2-D run when it reached `pause_at` (not a manual pause)
            let plane = !s.image && s.graph.is_none();
            let stopped = s.finished || (plane && s.pause_at.is_none() && s.history.last().is_some());
            s.compare_when_done && !s.running && s.pinned.is_empty() && stopped && s.error.is_none()
        });
        if due {
            compare_now();
        }
    });
    let restore = move |cfg: RunConfig| {
        config.set(cfg.clone());
        train_loop::reset(session, state, &cfg);
    };
    let unpin = move |i: usize| state.update(|s| drop(s.pinned.remove(i)));
    let compare_label = move || format!("Compare with {}", config.with(|c| counterpart_algorithm(c).label));
    let rows = move || {
        state.with(|s| {
            s.pinned
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let cfg = p.cfg.clone();
                    let memory = p.peak_memory.map(|b| format!(" · peak {:.1} MiB", b as f64 / 1048576.0)).unwrap_or_default();
                    let graph = dataset_info(&p.cfg.dataset).is_ok_and(|d| d.kind == DatasetKind::Graph);
                    let unit = if graph { "epochs/s" } else { "steps/s" };
                    let meta = format!(
                        "{} epochs · {:.1} s · {:.0} {unit} · {}{memory}",
                        p.epochs, p.seconds, p.steps_per_second, p.device
                    );
                    view! {
                        <tr class="pinned-run" data-epochs=p.epochs>
                            <td>
                                <span class="swatch" style:background-color=p.color></span>{p.label.clone()}
                                <div class="run-meta">{meta}</div>
                            </td>
                            <td>{p.result.clone()}</td>
                            <td class="run-actions">
                                <button class="restore-run" disabled=switch_locked title="Load this run's settings" on:click=move |_| restore(cfg.clone())>"Restore"</button>
                                <button class="unpin-run" title="Take this run off the charts" aria-label="Unpin" on:click=move |_| unpin(i)>"✕"</button>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="compare" id="compare">
            <div class="buttons">
                <button id="pin-run" on:click=on_pin disabled=move || running() || !trained()
                    title="Keep this run on the charts while the next one trains">"Pin this run"</button>
                <button id="compare-run" on:click=on_compare disabled=move || running() || switch_locked() || adapter.with(Option::is_none)
                    title="Pin this run and train the same model, data and seed the other way">{compare_label}</button>
            </div>
            <Show when=move || state.with(|s| s.demo)>
                <p id="demo-note" class="demo-note">
                    "Opening demo: counter-current learning — no backpropagation — trains a small network on two moons for "
                    {DEMO_EPOCHS} " epochs; then the same network, data and seed train with backprop. The dashed curves are the \
                    pinned run. Pick any algorithm or dataset to try your own, or press Compare again."
                </p>
            </Show>
            <Show when=move || state.with(|s| !s.pinned.is_empty())>
                <table id="runs-table">
                    <caption>"Pinned runs (dashed on the charts)"</caption>
                    <thead><tr>
                        <th scope="col">"Run (epochs · wall time · speed · device)"</th><th scope="col">"Result"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </Show>
        </section>
    }
}
