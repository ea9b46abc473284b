//! The page (Leptos, client-side rendered). [`App`] owns the reactive state and provides it to one component
//! per file; the training loop lives in [`runner`]. This is the only module that touches the DOM.
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod backend_badge;
mod controls;
mod decision_map;
mod error_banner;
mod line_chart;
mod metrics_panel;
mod runner;

use crate::train::{DecisionMap, EpochMetrics};
use backend_badge::BackendBadge;
use controls::Controls;
use decision_map::DecisionMapView;
use error_banner::ErrorBanner;
use leptos::prelude::*;
use line_chart::{LineChart, Series};
use metrics_panel::MetricsPanel;
pub use runner::Session;

/// What the page shows about the run; every field is plain data (the trainer itself lives in [`Session`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainState {
    /// The loop is running (Train pressed, not paused).
    pub running: bool,
    /// Metrics of every finished epoch.
    pub history: Vec<EpochMetrics>,
    /// Latest decision map (2-D datasets).
    pub map: Option<DecisionMap>,
    /// Training points `[x, y, class]`, drawn on the map.
    pub points: Vec<[f32; 3]>,
    /// Plotting window of the points.
    pub plane: Option<[f32; 4]>,
    /// The device of the current run, e.g. "WebGPU: ..." or "CPU".
    pub device: Option<String>,
    /// Trainable scalars of the current model.
    pub parameters: usize,
    /// Device memory held by tensors (GPU backend), after the last epoch.
    pub memory: Option<crate::tensor::MemoryStats>,
    /// The error to show, if any.
    pub error: Option<String>,
}

/// Result of probing for a WebGPU adapter at start-up: `None` while probing.
pub type AdapterProbe = Option<Result<crate::tensor::AdapterSummary, String>>;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (initial, link_error) = runner::config_from_location();
    let config = RwSignal::new(initial);
    let state = RwSignal::new(TrainState { error: link_error, ..TrainState::default() });
    let adapter = RwSignal::new(AdapterProbe::None);
    let session = StoredValue::new_local(Session::default());
    provide_context(config);
    provide_context(state);
    provide_context(adapter);
    provide_context(session);
    runner::probe_adapter(session, adapter);
    runner::show_dataset(state, &config.get_untracked());
    // Keep the address bar in sync with the config, so the URL is always a link that replays this run.
    Effect::new(move |_| runner::write_location(&config.get()));

    let loss_series = Signal::derive(move || {
        state.with(|s| {
            vec![
                Series::new("train loss", "#e8710a", s.history.iter().map(|m| m.train_loss).collect()),
                Series::new("test loss", "#1a73e8", s.history.iter().map(|m| m.test_loss).collect()),
            ]
        })
    });
    let accuracy_series = Signal::derive(move || {
        state.with(|s| {
            vec![
                Series::new("train accuracy", "#e8710a", s.history.iter().map(|m| m.train_accuracy).collect()),
                Series::new("test accuracy", "#1a73e8", s.history.iter().map(|m| m.test_accuracy).collect()),
            ]
        })
    });

    view! {
        <header>
            <h1>"bpfree"</h1>
            <p class="tagline">"Train neural networks in your browser, on your GPU — with and without backpropagation."</p>
            <BackendBadge/>
        </header>
        <ErrorBanner/>
        <main>
            <Controls/>
            <section class="view">
                <DecisionMapView/>
                <MetricsPanel/>
            </section>
            <section class="charts">
                <LineChart title="Loss" series=loss_series fixed_max=None id="loss-chart"/>
                <LineChart title="Accuracy" series=accuracy_series fixed_max=Some(1.0) id="accuracy-chart"/>
            </section>
        </main>
        <footer>
            "Data licenses: see " <a href="data/DATA.md">"data/DATA.md"</a> ". "
            "The address bar always holds a link that replays this run."
        </footer>
    }
}
