//! The page (Leptos, client-side rendered). [`App`] owns the reactive state and provides it to one component
//! per file; the training loop lives in [`train_loop`], the runs it drives in [`runner`] (2-D sets, images) and
//! [`graph_runner`], the session and browser helpers in [`session`]. This is the only module that touches the DOM.
//!
//! A crate of its own (the workspace's `ui/`) so that the page's code is optimised for size while the engine it
//! drives (`bpfree`) is optimised for speed. Everything here is wasm32 only.
#![cfg(target_arch = "wasm32")]
#![deny(clippy::unwrap_used, clippy::expect_used)]

mod address_bar;
mod alignment_view;
mod backend_badge;
mod chart_series;
mod compare;
mod confusion_view;
mod controls;
mod data_cache;
mod decision_map;
mod denoising_view;
mod draw_points;
mod error_banner;
mod global;
mod goal;
mod graph_controls;
mod graph_runner;
mod graph_view;
mod hand_in;
mod image_controls;
mod image_grid;
mod lessons;
mod line_chart;
mod metrics_panel;
mod page_run;
mod pixels;
mod presets_gallery;
mod progress;
pub mod protocol;
mod run_buttons;
mod runner;
mod session;
mod settings;
mod train_loop;
mod upload;
mod weights_io;
pub mod worker_host;
mod worker_link;
mod worker_port;

use alignment_view::AlignmentView;
use backend_badge::BackendBadge;
use bpfree::share::classroom::Classroom;
use bpfree::train::{CclViews, DecisionMap, DepthResult, EpochMetrics, NoPropViews};
use controls::Controls;
use decision_map::DecisionMapView;
use denoising_view::DenoisingView;
use error_banner::ErrorBanner;
use graph_view::GraphView;
use image_grid::ImageGrid;
use leptos::prelude::*;
use line_chart::{LineChart, Series};
use metrics_panel::MetricsPanel;
pub use session::Session;

/// What the page shows about the run; every field is plain data (the trainer itself lives in [`Session`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainState {
    /// The loop is running (Train pressed, not paused).
    pub running: bool,
    /// Metrics of every finished epoch.
    pub history: Vec<EpochMetrics>,
    /// The run is over: an image run spent its epoch budget, a graph run trained its last stage, or the run
    /// diverged. Train and Step are disabled until Reset or a settings change.
    pub finished: bool,
    /// Latest decision map (2-D datasets).
    pub map: Option<DecisionMap>,
    /// Training points `[x, y, class]`, drawn on the map.
    pub points: Vec<[f32; 3]>,
    /// Plotting window of the points.
    pub plane: Option<[f32; 4]>,
    /// The device of the current run, e.g. "WebGPU: ..." or "CPU".
    pub device: Option<String>,
    /// The current run's backend, `cpu` or `gpu` (for its results file).
    pub backend: Option<String>,
    /// The run diverged and is paused at its last good weights: a new learning rate continues it (no reset).
    pub diverged: bool,
    /// A handed-in results file shown beside the run ("Import results").
    pub imported: Option<hand_in::Imported>,
    /// Runs kept on the charts beside the current one ("Pin this run", "Compare with backprop"), oldest first;
    /// a Reset keeps them.
    pub pinned: Vec<compare::Pinned>,
    /// Seconds spent training the current run (wall time of its slices).
    pub seconds: f64,
    /// Optimiser steps taken so far (graphs: epochs, each one full-graph step).
    pub steps: u64,
    /// The share of the current epoch done, 0 to 1.
    pub progress: f64,
    /// "Step (1 batch)": the next slice takes one mini-batch and stops (graphs: one epoch, a full-graph step).
    pub one_batch: bool,
    /// An image classifier's test confusion counts after the last epoch (`classes x classes`, row = label).
    pub confusion: Vec<u32>,
    /// The page opened without a link and plays the opening demo (CCL, then backprop, on two moons).
    pub demo: bool,
    /// When the run stops (finished, or paused at `pause_at`), "Compare with backprop" follows by itself (the
    /// opening demo, `compare=1` in a link).
    pub compare_when_done: bool,
    /// A 2-D run (no epoch budget) pauses at this epoch: the counterpart "Compare with backprop" trains stops where
    /// the pinned run stood.
    pub pause_at: Option<usize>,
    /// Trainable scalars of the current model.
    pub parameters: usize,
    /// Device memory held by tensors (GPU backend), after the last epoch.
    pub memory: Option<bpfree::tensor::MemoryStats>,
    /// The error to show, if any.
    pub error: Option<String>,
    /// A dataset is being fetched or decoded (the message says which).
    pub loading: Option<String>,
    /// The dataset is made of images (the page shows images instead of the decision map).
    pub image: bool,
    /// Test images with their labels and (after an epoch) the model's predictions.
    pub gallery: Option<Gallery>,
    /// Names of the algorithm's local losses (`EpochMetrics::local_losses`).
    pub loss_names: Vec<String>,
    /// Counter-current learning's views after the last epoch.
    pub ccl: Option<CclViews>,
    /// NoProp's denoising trajectory and label embedding after the last epoch.
    pub noprop: Option<NoPropViews>,
    /// Which CCL pair the alignment matrix shows.
    pub alignment_layer: usize,
    /// The model reconstructs its input (the autoencoder): losses are MSE, there is no accuracy.
    pub reconstructs: bool,
    /// The autoencoder's reconstructions of the gallery's test images.
    pub reconstructions: Option<Gallery>,
    /// The graph, when the dataset is one.
    pub graph: Option<GraphPicture>,
    /// Per-depth results of a graph run so far.
    pub depths: Vec<DepthResult>,
}

/// A graph to draw and describe, with the model's latest predictions.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GraphPicture {
    /// Nodes.
    pub nodes: usize,
    /// Undirected edges.
    pub undirected_edges: usize,
    /// Classes.
    pub classes: usize,
    /// Feature columns.
    pub features: usize,
    /// Layout in `[0, 1]²` (empty when the graph is too large to draw).
    pub positions: Vec<[f32; 2]>,
    /// Undirected edges to draw (empty when not drawn).
    pub edges: Vec<(u32, u32)>,
    /// True class per node.
    pub labels: Vec<u32>,
    /// 1 train, 2 validation, 3 test, 0 none.
    pub split: Vec<u8>,
    /// Which split: `forwardgnn`, `geomgcn`, `planetoid` or `kfold`.
    pub split_source: String,
    /// Predicted class per node after the last validation (empty before).
    pub predictions: Vec<u32>,
    /// Class names.
    pub class_names: Vec<String>,
    /// The run predicts links (scores are ROC-AUC; nodes get no predicted class).
    pub link: bool,
}

impl GraphPicture {
    /// The name of class `c` (or its number).
    pub fn class_name(&self, c: u32) -> String {
        self.class_names.get(c as usize).cloned().unwrap_or_else(|| c.to_string())
    }
}

/// Images to draw, each scaled to `[0, 1]`, with labels and optional predictions.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gallery {
    /// `[channels, height, width]`.
    pub shape: [usize; 3],
    /// One `C*H*W` vector per image, C-major, values in `[0, 1]`.
    pub images: Vec<Vec<f32>>,
    /// True class of each image.
    pub labels: Vec<u32>,
    /// Predicted class of each image (empty before training).
    pub predictions: Vec<u32>,
    /// Class names (may be empty).
    pub class_names: Vec<String>,
}

impl Gallery {
    /// Rows of `x` (normalised inputs) as images, each stretched to `[0, 1]` on its own range.
    pub fn new(shape: [usize; 3], x: &ndarray::Array2<f32>, labels: Vec<u32>, class_names: Vec<String>) -> Self {
        let images = x
            .rows()
            .into_iter()
            .map(|r| {
                let (lo, hi) = r.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
                let span = if hi > lo { hi - lo } else { 1.0 };
                r.iter().map(|&v| (v - lo) / span).collect()
            })
            .collect();
        Gallery { shape, images, labels, predictions: Vec::new(), class_names }
    }

    /// The name of class `c` (or its number).
    pub fn class_name(&self, c: u32) -> String {
        self.class_names.get(c as usize).cloned().unwrap_or_else(|| c.to_string())
    }
}

/// Result of probing for a WebGPU adapter at start-up: `None` while probing.
pub type AdapterProbe = Option<Result<bpfree::tensor::AdapterSummary, String>>;

/// The link's locks, for the controls: `locked("lr")` (`bpfree::share::classroom`).
pub(crate) fn use_locks() -> impl Fn(&'static str) -> bool + Copy + 'static {
    let classroom = expect_context::<StoredValue<Classroom>>();
    move |part| classroom.with_value(|c| c.locks(part))
}

/// `hide-lr hide-seed …`: the classes by which www/style.css hides the parts a link hides.
fn hidden_classes(c: &Classroom) -> String {
    let mut parts: Vec<String> = bpfree::share::classroom::PAGE_PARTS
        .iter()
        .filter(|(p, _)| c.hides(p))
        .map(|(p, _)| format!("hide-{p}"))
        .collect();
    if c.embed {
        parts.push("embed".into());
    }
    parts.join(" ")
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let demo = address_bar::opening_demo();
    let (mut initial, mut link_error) = address_bar::config_from_location();
    if demo {
        initial = compare::demo_config();
    }
    let (classroom, classroom_notes) = address_bar::classroom_from_location();
    if !classroom_notes.is_empty() {
        let notes = classroom_notes.join("; ");
        link_error = Some(match link_error {
            Some(e) => format!("{e} Also: {notes}."),
            None => format!("This link was loaded, but not all of it: {notes}."),
        });
    }
    let page_classes = hidden_classes(&classroom);
    let classroom = StoredValue::new(classroom);
    provide_context(classroom);
    // the opening demo and `compare=1` compare the run when it stops; a 2-D run stops at its epochs then
    let compare_when_done = demo || address_bar::compare_requested();
    let plane = bpfree::data::dataset_info(&initial.dataset).is_ok_and(|d| d.kind == bpfree::data::DatasetKind::Plane);
    let pause_at = match (demo, compare_when_done && plane) {
        (true, _) => Some(compare::DEMO_EPOCHS),
        (false, true) => Some(initial.epochs),
        _ => None,
    };
    let config = RwSignal::new(initial);
    let state =
        RwSignal::new(TrainState { error: link_error, demo, compare_when_done, pause_at, ..TrainState::default() });
    let adapter = RwSignal::new(AdapterProbe::None);
    let session = StoredValue::new_local(Session::default());
    let tested: session::SelfTestResult = RwSignal::new(None);
    provide_context(tested);
    provide_context(config);
    provide_context(state);
    provide_context(adapter);
    provide_context(session);
    // training runs in a worker when one starts (the worker probes the adapter); else on this thread
    if !worker_link::start(session, state, adapter, tested, config) {
        session::probe_adapter(session, adapter, tested);
    }
    train_loop::show_dataset(session, state, &config.get_untracked());
    // Keep the address bar in sync with the config, so the URL is always a link that replays this run.
    Effect::new(move |_| address_bar::write_location(&config.get(), &classroom.get_value()));

    // Memos: a view redraws when its own data changes (once an epoch), not on every progress update of the state.
    let loss_series = memo(move || state.with(chart_series::losses));
    let accuracy_series = memo(move || state.with(chart_series::accuracies));
    let chart_epochs = memo(move || state.with(|s| s.history.iter().map(|m| m.epoch).collect::<Vec<_>>()));

    const COLORS: [&str; 8] = ["#1a73e8", "#e8710a", "#188038", "#d93025", "#9334e6", "#12b5cb", "#f9ab00", "#5f6368"];
    let local_series = memo(move || {
        state.with(|s| {
            s.loss_names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let values = s.history.iter().filter_map(|m| m.local_losses.get(i).copied()).collect();
                    Series::new(name, COLORS[i % COLORS.len()], values)
                })
                .collect::<Vec<_>>()
        })
    });
    let has_local = move || state.with(|s| !s.loss_names.is_empty());
    let is_graph = move || state.with(|s| s.graph.is_some());
    let is_image = move || state.with(|s| s.image);
    let samples = memo(move || state.with(|s| s.gallery.clone()));
    let prototypes = memo(move || {
        state.with(|s| {
            let shape = s.gallery.as_ref().map(|g| g.shape)?;
            let views = s.ccl.as_ref()?;
            let classes = views.prototypes.nrows() as u32;
            let names = s.gallery.as_ref().map(|g| g.class_names.clone()).unwrap_or_default();
            Some(Gallery::new(shape, &views.prototypes, (0..classes).collect(), names))
        })
    });
    let has_ccl = move || state.with(|s| s.ccl.is_some());
    let has_noprop = move || state.with(|s| s.noprop.is_some());
    let embeddings = memo(move || {
        state.with(|s| {
            let views = s.noprop.as_ref()?;
            let image = s.gallery.as_ref().map(|g| g.shape)?;
            let (classes, d) = views.embedding.dim();
            // Image-sized (prototype) embeddings are drawn as images, the others as a strip per class.
            let shape = if d == image.iter().product::<usize>() { image } else { [1, 1, d] };
            let names = s.gallery.as_ref().map(|g| g.class_names.clone()).unwrap_or_default();
            Some(Gallery::new(shape, &views.embedding, (0..classes as u32).collect(), names))
        })
    });
    let reconstructions = memo(move || state.with(|s| s.reconstructions.clone()));
    let has_reconstructions = move || state.with(|s| s.reconstructions.is_some());
    let loading = move || state.with(|s| s.loading.clone());

    view! {
        <div class=page_classes>
        <header>
            <h1>"bpfree"</h1>
            <p class="tagline">"Train neural networks in your browser, on your GPU — with and without backpropagation."</p>
            <BackendBadge/>
        </header>
        <ErrorBanner/>
        <main>
            <Controls/>
            <section class="view">
                <Show when=move || loading().is_some()>
                    <p class="loading" id="loading">{loading}</p>
                </Show>
                <Show when=is_graph>
                    <GraphView/>
                </Show>
                <Show when=move || !is_image() && !is_graph()>
                    <DecisionMapView/>
                </Show>
                <Show when=is_image>
                    <ImageGrid title="Test images: label → prediction" gallery=samples id="samples" columns=8 scale=2.0/>
                </Show>
                <Show when=has_reconstructions>
                    <ImageGrid title="Reconstructions (the forward network's output)" gallery=reconstructions id="reconstructions" columns=8 scale=2.0/>
                </Show>
                <goal::GoalPanel/>
                <progress::ProgressPanel/>
                <MetricsPanel/>
                <confusion_view::ConfusionView/>
                <lessons::LessonPanel/>
                <Show when=has_noprop>
                    <DenoisingView/>
                    <ImageGrid title="Label embeddings W_Embed, one row per class (fixed for one-hot)" gallery=embeddings id="embeddings" columns=5 scale=4.0/>
                </Show>
                <Show when=has_ccl>
                    <AlignmentView/>
                    <ImageGrid title="Feedback prototypes c₀: G's input-shaped output for each class" gallery=prototypes id="prototypes" columns=5 scale=2.0/>
                </Show>
            </section>
            <section class="charts">
                <LineChart title="Loss" series=loss_series epochs=chart_epochs fixed_max=None log_option=true id="loss-chart"/>
                <LineChart title="Accuracy" series=accuracy_series epochs=chart_epochs fixed_max=Some(1.0) id="accuracy-chart"/>
                <Show when=has_local>
                    <LineChart title="Local losses (per layer pair; NoProp: each block's ‖û − u‖²)" series=local_series epochs=chart_epochs fixed_max=None log_option=true id="local-loss-chart"/>
                </Show>
                <compare::ComparePanel/>
                <hand_in::HandIn/>
            </section>
        </main>
        <presets_gallery::PresetsGallery/>
        <footer>
            "Data licenses: see " <a href="data/DATA.md">"data/DATA.md"</a> ". "
            "The address bar always holds a link that replays this run."
            <data_cache::DataCacheNote/>
        </footer>
        </div>
    }
}

/// A derived signal that notifies only when its value changes (a `Memo`), as a `Signal` for the components.
fn memo<T: Clone + PartialEq + Send + Sync + 'static>(f: impl Fn() -> T + Send + Sync + 'static) -> Signal<T> {
    Memo::new(move |_| f()).into()
}
