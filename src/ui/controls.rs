//! Train / Pause / Step / Reset and the run's settings. Changing a setting resets the run; the address bar
//! always holds the settings (see `share.rs`).

use super::graph_controls::GraphControls;
use super::settings::{algorithm_for, switch, task_of, use_change};
use super::{train_loop, AdapterProbe, Session, TrainState};
use crate::algorithms::noprop::{embedding_name, parse_embedding};
use crate::algorithms::{algorithm_info, ALGORITHMS};
use crate::config::{Architecture, EmbeddingKind, RunConfig, Selection};
use crate::data::{dataset_info, DatasetKind, DATASETS};
use crate::nn::OptimizerConfig;
use crate::tensor::{Activation, BackendChoice};
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
/// NoProp's block widths offered (1 = the paper's blocks).
const WIDTHS: &[(f32, &str)] = &[(0.25, "light (×0.25)"), (0.5, "half (×0.5)"), (1.0, "paper (×1)")];
/// Sampler steps offered for NoProp-CT/FM (1000 in the paper).
const SAMPLER_STEPS: &[usize] = &[20, 100, 1000];
/// Epoch budgets offered for image runs (the current one is added when it is not among them).
const EPOCHS: &[usize] = &[1, 2, 5, 10, 20, 50, 100, 150, 500];

/// Training-set sizes offered for image datasets (0 = all).
const LIMITS: &[(usize, &str)] = &[(0, "all"), (10_000, "10,000"), (2_000, "2,000"), (256, "256")];

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
    let state = expect_context::<RwSignal<TrainState>>();
    let adapter = expect_context::<RwSignal<AdapterProbe>>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let change = use_change();
    let running = move || state.with(|s| s.running);
    let graph =
        move || config.with(|c| dataset_info(&c.dataset).map(|d| d.kind == DatasetKind::Graph).unwrap_or(false));
    let kind = move || config.with(|c| dataset_info(&c.dataset).map(|d| d.kind).unwrap_or(DatasetKind::Plane));
    let ready = move || adapter.with(Option::is_some);
    // The run is over (budget spent, last stage trained, or diverged); Reset (or new settings) starts over.
    let spent = move || state.with(|s| s.finished);
    let on_train = move |_| {
        if running() {
            state.update(|s| s.running = false);
        } else {
            train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), false);
        }
    };
    let on_step = move |_| train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), true);
    let on_reset = move |_| train_loop::reset(session, state, &config.get_untracked());

    view! {
        <section class="controls">
            <div class="buttons">
                <button id="train-button" class="primary" on:click=on_train disabled=move || !ready() || spent()>
                    {move || match (running(), spent()) { (true, _) => "Pause", (false, true) => "Done", _ => "Train" }}
                </button>
                <button id="step-button" on:click=on_step disabled=move || running() || !ready() || spent()>"Step (1 epoch)"</button>
                <button id="reset-button" on:click=on_reset>"Reset"</button>
            </div>
            <label>"Dataset"
                <select id="dataset-select" on:change=move |ev| { let v = event_target_value(&ev); change(Box::new(move |c| { let a = c.algorithm.clone(); switch(c, &a, &v, Architecture::Mlp) })) }>
                    {DATASETS.iter().map(|d| view! { <option value=d.id selected=move || config.with(|c| c.dataset == d.id)>{d.label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Algorithm"
                <select id="algorithm-select" on:change=move |ev| { let v = event_target_value(&ev); change(Box::new(move |c| { let d = c.dataset.clone(); let m = c.arch; switch(c, &v, &d, m) })) }>
                    {move || ALGORITHMS.iter().filter(|a| a.does(task_of(kind(), config.with(|c| c.graph.link)))).map(|a| view! { <option value=a.id title=a.description selected=move || config.with(|c| c.algorithm == a.id)>{a.label}</option> }).collect_view()}
                </select>
            </label>
            <label>"Backend"
                <select id="backend-select" on:change=move |ev| {
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
                <select id="lr-select" on:change=move |ev| {
                    let lr = event_target_value(&ev).parse().unwrap_or(0.01);
                    change(Box::new(move |c| with_lr(c, lr)))
                }>
                    {LEARNING_RATES.iter().map(|&lr| view! { <option value=lr.to_string() selected=move || config.with(|c| c.optimizer.lr() == lr)>{lr.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label class:hidden=move || graph() || config.with(|c| c.arch == Architecture::NoProp)>"Hidden layers"
                <select id="hidden-select" on:change=move |ev| {
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
                <select id="activation-select" on:change=move |ev| {
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
                <select id="batch-select" on:change=move |ev| {
                    let b = event_target_value(&ev).parse().unwrap_or(32);
                    change(Box::new(move |c| c.batch_size = b))
                }>
                    {BATCHES.iter().map(|&b| view! { <option value=b.to_string() selected=move || config.with(|c| c.batch_size == b)>{b.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <Show when=move || state.with(|s| s.image)>
                <label>"Model"
                    <select id="model-select" on:change=move |ev| {
                        let m = Architecture::parse(&event_target_value(&ev)).unwrap_or_default();
                        change(Box::new(move |c| {
                            // NoProp's blocks train with NoProp (or backprop): picking them picks NoProp-DT,
                            // and NoProp trains only its own blocks
                            let (a, d) = (algorithm_for(&c.algorithm, m), c.dataset.clone());
                            switch(c, a, &d, m)
                        }))
                    }>
                        {[(Architecture::Mlp, "MLP"), (Architecture::Cnn, "CNN (cnn_pool, CIFAR-10)"), (Architecture::Autoencoder, "Conv. autoencoder"), (Architecture::NoProp, "NoProp blocks")]
                            .into_iter()
                            // cnn_pool takes 32x32 colour images: offered on CIFAR-10 only
                            .map(|(m, label)| view! { <option value=m.name() disabled=move || m == Architecture::Cnn && config.with(|c| !c.dataset.starts_with("cifar")) selected=move || config.with(|c| c.arch == m)>{label}</option> })
                            .collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=move || config.with(|c| c.arch == Architecture::NoProp)>
                <label>"Label embedding"
                    <select id="embedding-select" on:change=move |ev| {
                        let e = parse_embedding(&event_target_value(&ev)).unwrap_or_default();
                        change(Box::new(move |c| c.noprop.embedding = e))
                    }>
                        {[(EmbeddingKind::OneHot, "one-hot (fixed)"), (EmbeddingKind::Learned, "learned, 20-d"), (EmbeddingKind::Prototype, "prototype images")]
                            .into_iter()
                            .map(|(e, label)| view! { <option value=embedding_name(e) selected=move || config.with(|c| c.noprop.embedding == e)>{label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label>"Block width"
                    <select id="width-select" on:change=move |ev| {
                        let w = event_target_value(&ev).parse().unwrap_or(0.25);
                        change(Box::new(move |c| c.noprop.width = w))
                    }>
                        {WIDTHS.iter().map(|&(w, label)| view! { <option value=w.to_string() selected=move || config.with(|c| c.noprop.width == w)>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label class:hidden=move || config.with(|c| !algorithm_info(&c.algorithm).is_ok_and(|a| a.sampler))>"Sampler steps"
                    <select id="sampler-select" on:change=move |ev| {
                        let n = event_target_value(&ev).parse().unwrap_or(100);
                        change(Box::new(move |c| c.noprop.inference_steps = n))
                    }>
                        {SAMPLER_STEPS.iter().map(|&n| view! { <option value=n.to_string() selected=move || config.with(|c| c.noprop.inference_steps == n)>{n.to_string()}</option> }).collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=move || state.with(|s| s.image)>
                <label>"Training images"
                    <select id="limit-select" on:change=move |ev| {
                        let n = event_target_value(&ev).parse().unwrap_or(0);
                        change(Box::new(move |c| c.train_limit = n))
                    }>
                        {LIMITS.iter().map(|&(n, label)| view! { <option value=n.to_string() selected=move || config.with(|c| c.train_limit == n)>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Epochs"
                    <select id="image-epochs-select" on:change=move |ev| {
                        let e = event_target_value(&ev).parse().unwrap_or(1);
                        change(Box::new(move |c| c.epochs = e))
                    }>
                        {move || {
                            let current = config.with(|c| c.epochs);
                            let mut offered = EPOCHS.to_vec();
                            if !offered.contains(&current) {
                                offered.push(current);
                                offered.sort_unstable();
                            }
                            offered.into_iter().map(|e| view! { <option value=e.to_string() selected=move || config.with(|c| c.epochs == e)>{e.to_string()}</option> }).collect_view()
                        }}
                    </select>
                </label>
                // Which epoch the run reports. It does not change the training, so it does not reset the run:
                // flipping it after training shows the other rule's pick.
                <label class:hidden=move || config.with(|c| !c.validation || c.arch == Architecture::Autoencoder)
                    title="Which epoch's test accuracy is the run's result: CCL's code picks the lowest validation loss, the CCL paper picked its backprop baselines by validation accuracy">"Model selection"
                    <select id="selection-select" on:change=move |ev| {
                        let rule = Selection::parse(&event_target_value(&ev)).unwrap_or_default();
                        config.update(|c| c.selection = rule);
                    }>
                        {[(Selection::ValLoss, "lowest validation loss"), (Selection::ValAccuracy, "highest validation accuracy")]
                            .into_iter()
                            .map(|(r, label)| view! { <option value=r.name() selected=move || config.with(|c| c.selection == r)>{label}</option> })
                            .collect_view()}
                    </select>
                </label>
                {move || config.with(|c| algorithm_info(&c.algorithm).map(|a| a.presets).unwrap_or_default())
                    .iter()
                    .filter(|p| !p.on_choose)
                    .map(|p| view! {
                        <button id=format!("{}-button", p.id) title=p.description
                            class:hidden=move || config.with(|c| !(p.applies)(c))
                            on:click=move |_| change(Box::new(p.apply))>{p.label}</button>
                    })
                    .collect_view()}
            </Show>
            <GraphControls/>
            <label class:hidden=move || state.with(|s| s.image) || graph()>"Noise"
                <input id="noise-input" type="range" min="0" max="0.5" step="0.05"
                    prop:value=move || config.with(|c| c.data.noise.to_string())
                    on:change=move |ev| {
                        let n = event_target_value(&ev).parse().unwrap_or(0.1);
                        change(Box::new(move |c| c.data.noise = n))
                    }/>
            </label>
            <label>"Seed"
                <input id="seed-input" type="number" min="0"
                    prop:value=move || config.with(|c| c.seed.to_string())
                    on:change=move |ev| {
                        match event_target_value(&ev).parse::<u64>() {
                            Ok(seed) => change(Box::new(move |c| c.seed = seed)),
                            Err(_) => state.update(|s| s.error = Some("The seed must be a whole number ≥ 0.".into())),
                        }
                    }/>
            </label>
        </section>
    }
}
