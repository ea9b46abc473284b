//! The control panel: the run buttons, the settings every run has (dataset, algorithm, backend, learning rate,
//! network, batch, noise, seed), and the image, NoProp and graph settings in their own components. Changing a
//! setting resets the run; the address bar always holds the settings (see `share.rs`).

use super::graph_controls::GraphControls;
use super::image_controls::ImageControls;
use super::run_buttons::RunButtons;
use super::settings::{switch, use_change};
use super::TrainState;
use bpfree::algorithms::{Task, ALGORITHMS};
use bpfree::config::{Architecture, RunConfig};
use bpfree::data::{dataset_info, DatasetKind, DATASETS};
use bpfree::nn::OptimizerConfig;
use bpfree::tensor::{Activation, BackendChoice};
use leptos::prelude::*;

const LEARNING_RATES: &[f32] = &[0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0];
const BATCHES: &[usize] = &[1, 8, 16, 32, 64, 128, 256];
const HIDDEN: &[&str] = &[
    "",
    "8",
    "16",
    "16,16",
    "32,32",
    "8,8,8",
    "64,64,64",
    "128,128",
    "256,256,256",
    "256,256,256,256,256",
    "1024,1024,1024",
];

/// `cfg` with learning rate `lr`, keeping the optimiser (Adam or SGD) and its other settings.
fn with_lr(cfg: &mut RunConfig, lr: f32) {
    cfg.optimizer = match cfg.optimizer.clone() {
        OptimizerConfig::Adam { beta1, beta2, eps, weight_decay, decoupled, .. } => {
            OptimizerConfig::Adam { lr, beta1, beta2, eps, weight_decay, decoupled }
        }
        OptimizerConfig::Sgd { momentum, weight_decay, .. } => OptimizerConfig::Sgd { lr, momentum, weight_decay },
    };
    cfg.ccl.feedback_lr = lr;
}

/// The control panel.
#[component]
pub fn Controls() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let locked = super::use_locks();
    let state = expect_context::<RwSignal<TrainState>>();
    let change = use_change();
    let graph =
        move || config.with(|c| dataset_info(&c.dataset).map(|d| d.kind == DatasetKind::Graph).unwrap_or(false));
    let kind = move || config.with(|c| dataset_info(&c.dataset).map(|d| d.kind).unwrap_or(DatasetKind::Plane));
    view! {
        <section class="controls">
            <RunButtons/>
            <label>"Dataset"
                <select id="dataset-select" prop:disabled=move || locked("dataset") on:change=move |ev| { let v = event_target_value(&ev); change(Box::new(move |c| { let a = c.algorithm.clone(); switch(c, &a, &v, Architecture::Mlp) })) }>
                    {DATASETS.iter().map(|d| view! { <option value=d.id selected=move || config.with(|c| c.dataset == d.id)>{d.label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Algorithm"
                <select id="algorithm-select" prop:disabled=move || locked("algo") on:change=move |ev| { let v = event_target_value(&ev); change(Box::new(move |c| { let d = c.dataset.clone(); let m = c.arch; switch(c, &v, &d, m) })) }>
                    {move || ALGORITHMS.iter().filter(|a| a.does(Task::of(kind(), config.with(|c| c.graph.link)))).map(|a| view! { <option value=a.id title=a.description selected=move || config.with(|c| c.algorithm == a.id)>{a.label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Backend"
                <select id="backend-select" prop:disabled=move || locked("backend") on:change=move |ev| {
                    let v = BackendChoice::parse(&event_target_value(&ev)).unwrap_or_default();
                    change(Box::new(move |c| c.backend = v))
                }>
                    {[(BackendChoice::Auto, "auto", "Auto (WebGPU if available)"), (BackendChoice::Gpu, "gpu", "WebGPU"), (BackendChoice::Cpu, "cpu", "CPU (wasm)")]
                        .into_iter()
                        .map(|(b, id, label)| view! { <option value=id selected=move || config.with(|c| c.backend == b)>{label}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>"Learning rate"
                <select id="lr-select" prop:disabled=move || locked("lr") on:change=move |ev| {
                    let lr = event_target_value(&ev).parse().unwrap_or(0.01);
                    change(Box::new(move |c| with_lr(c, lr)))
                }>
                    {LEARNING_RATES.iter().map(|&lr| view! { <option value=lr.to_string() selected=move || config.with(|c| c.optimizer.lr() == lr)>{lr.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label class:hidden=move || graph() || config.with(|c| c.arch == Architecture::NoProp)>"Hidden layers"
                <select id="hidden-select" prop:disabled=move || locked("hidden") on:change=move |ev| {
                    let hidden: Vec<usize> = event_target_value(&ev).split(',').filter_map(|s| s.parse().ok()).collect();
                    change(Box::new(move |c| c.model.hidden = hidden))
                }>
                    {HIDDEN.iter().map(|&h| {
                        let widths: Vec<usize> = h.split(',').filter_map(|s| s.parse().ok()).collect();
                        let label = if h.is_empty() { "none (linear)".to_string() } else { h.replace(',', " × ") };
                        view! { <option value=h selected=move || config.with(|c| c.model.hidden == widths)>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class:hidden=move || graph() || config.with(|c| c.arch == Architecture::NoProp)>"Activation"
                <select id="activation-select" prop:disabled=move || locked("activation") on:change=move |ev| {
                    let f = match event_target_value(&ev).as_str() {
                        "tanh" => Activation::Tanh,
                        "sigmoid" => Activation::Sigmoid,
                        "elu" => Activation::Elu,
                        "gelu" => Activation::Gelu,
                        "identity" => Activation::Identity,
                        _ => Activation::Relu,
                    };
                    change(Box::new(move |c| c.model.activation = f))
                }>
                    {[(Activation::Relu, "relu", "ReLU"), (Activation::Tanh, "tanh", "tanh"), (Activation::Sigmoid, "sigmoid", "sigmoid"), (Activation::Elu, "elu", "ELU"), (Activation::Gelu, "gelu", "GELU"), (Activation::Identity, "identity", "linear")]
                        .into_iter()
                        .map(|(f, id, label)| view! { <option value=id selected=move || config.with(|c| c.model.activation == f)>{label}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class:hidden=graph>"Batch size"
                <select id="batch-select" prop:disabled=move || locked("batch") on:change=move |ev| {
                    let b = event_target_value(&ev).parse().unwrap_or(32);
                    change(Box::new(move |c| c.batch_size = b))
                }>
                    {BATCHES.iter().map(|&b| view! { <option value=b.to_string() selected=move || config.with(|c| c.batch_size == b)>{b.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <ImageControls/>
            <GraphControls/>
            <label class:hidden=move || state.with(|s| s.image) || graph()>"Noise"
                <input id="noise-input" prop:disabled=move || locked("noise") type="range" min="0" max="0.5" step="0.05"
                    prop:value=move || config.with(|c| c.data.noise.to_string())
                    on:change=move |ev| {
                        let n = event_target_value(&ev).parse().unwrap_or(0.1);
                        change(Box::new(move |c| c.data.noise = n))
                    }/>
            </label>
            <label>"Seed"
                <input id="seed-input" prop:disabled=move || locked("seed") type="number" min="0"
                    prop:value=move || config.with(|c| c.seed.to_string())
                    on:change=move |ev| {
                        match event_target_value(&ev).parse::<u64>() {
                            Ok(seed) => change(Box::new(move |c| c.seed = seed)),
                            Err(_) => state.update(|s| s.error = Some("The seed must be a whole number ≥ 0.".into())),
                        }
                    }/>
            </label>
            <super::upload::UploadPanel/>
        </section>
    }
}
