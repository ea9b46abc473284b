//! Changing a run's settings from the page: every change starts a fresh run, and choosing an algorithm, a dataset,
//! an architecture or a graph task loads that combination's preset from the registry (with the algorithm's
//! page presets), keeping the seed, the backend and the graph layer kind the user chose.

use super::{train_loop, Session, TrainState};
use bpfree::algorithms::{algorithm_info, backprop_baseline, fallback, preset_for, Task};
use bpfree::config::{Architecture, RunConfig};
use bpfree::data::{dataset_info, DatasetKind};
use leptos::prelude::*;

/// One edit of the run's settings.
pub(super) type Edit = Box<dyn FnOnce(&mut RunConfig)>;

/// The settings editor: `change(edit)` applies `edit` to the run's settings and starts a fresh run (every
/// settings change does).
pub(super) fn use_change() -> impl Fn(Edit) + Copy + 'static {
    let config = expect_context::<RwSignal<RunConfig>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    move |edit| {
        let before = config.get_untracked();
        config.update(|c| edit(c));
        let after = config.get_untracked();
        // after a divergence, a new learning rate (or clip) continues the run from its kept weights
        if state.with_untracked(|s| s.diverged) && only_optimizer_changed(&before, &after) {
            state.update(|s| s.error = None);
            return;
        }
        train_loop::reset(session, state, &after);
    }
}

/// `after` differs from `before` only in the optimiser, the learning rates or the clipping.
fn only_optimizer_changed(before: &RunConfig, after: &RunConfig) -> bool {
    let mut a = after.clone();
    a.optimizer = before.optimizer.clone();
    a.grad_clip = before.grad_clip;
    a.ccl.feedback_lr = before.ccl.feedback_lr;
    a.ccl.feedback_clip = before.ccl.feedback_clip;
    a == *before
}

/// The preset of `algorithm` on `dataset` with `arch`, keeping the seed, the backend and the graph layer kind
/// the user chose. An algorithm that does not train on the dataset's kind is swapped for the registry's
/// fallback (ForwardGNN-SF on graphs, backprop elsewhere), and an architecture the algorithm does not train
/// for the MLP; the algorithm's page presets that apply whenever it is chosen (NoProp's light blocks) are applied.
pub(super) fn switch(cfg: &mut RunConfig, algorithm: &str, dataset: &str, arch: Architecture) {
    let kind = dataset_info(dataset).map(|d| d.kind).unwrap_or(DatasetKind::Plane);
    let info = match algorithm_info(algorithm) {
        Ok(a) if a.supports(kind) => a,
        _ if kind == DatasetKind::Graph => fallback(Task::Nodes, Architecture::Mlp),
        _ => backprop_baseline(),
    };
    let arch = if kind == DatasetKind::Graph || info.trains(arch) { arch } else { Architecture::Mlp };
    let (model, link) = (cfg.graph.model, cfg.graph.link);
    *cfg = RunConfig { seed: cfg.seed, backend: cfg.backend, ..preset_for(info.id, dataset, arch) };
    cfg.graph.model = model;
    for p in info.presets.iter().filter(|p| p.on_choose) {
        if (p.applies)(cfg) {
            (p.apply)(cfg);
        }
    }
    // an algorithm that does both graph tasks keeps the task; the others imply theirs
    if info.does(Task::Nodes) && info.does(Task::Links) {
        cfg.graph.link = link && kind == DatasetKind::Graph;
    }
}

/// Node classification or link prediction: the ForwardGNN variants do one (another task switches to the
/// registry's fallback for it); backprop does either.
pub(super) fn set_task(cfg: &mut RunConfig, link: bool) {
    let task = if link { Task::Links } else { Task::Nodes };
    let algorithm = match algorithm_info(&cfg.algorithm) {
        Ok(a) if a.does(task) => a.id,
        _ => fallback(task, Architecture::Mlp).id,
    };
    let dataset = cfg.dataset.clone();
    switch(cfg, algorithm, &dataset, Architecture::Mlp);
    cfg.graph.link = link;
}

/// The algorithm to run on images with `arch` when `algorithm` does not train it (NoProp's blocks pick NoProp-DT,
/// NoProp's variants leaving their blocks pick backprop).
pub(super) fn algorithm_for(algorithm: &str, arch: Architecture) -> &'static str {
    match algorithm_info(algorithm) {
        Ok(a) if a.trains(arch) => a.id,
        _ => fallback(Task::Image, arch).id,
    }
}
