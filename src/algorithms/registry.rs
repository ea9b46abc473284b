//! The registry: every algorithm bpfree knows, what it trains on, how it is built, its settings and presets, and
//! which views the page offers for it. The command line's `list`, the page's menus, the share link's `algo=`
//! values and the presets all read [`ALGORITHMS`]; no other module matches algorithm ids by string.
//!
//! Adding an algorithm is one file plus one entry here: see `docs/adding-an-algorithm.md`.

pub use super::info::{AlgorithmInfo, Family, Preset, Task, View};

use super::forwardgnn::build as gnn;
use super::{backprop, ccl, feedback_alignment, noprop};
use crate::config::{Architecture, RunConfig};
use crate::data::DatasetKind;
use crate::error::{Error, Result};

const ALL_ARCHS: &[Architecture] =
    &[Architecture::Mlp, Architecture::Cnn, Architecture::Autoencoder, Architecture::NoProp];
const NOPROP_ARCH: &[Architecture] = &[Architecture::NoProp];
const NOPROP_VIEWS: &[View] = &[View::LocalLosses, View::Denoising];
const GNN_VIEWS: &[View] = &[View::LocalLosses, View::Depths];

fn nothing(_: &mut RunConfig) {}

/// NoProp's light preset, applied whenever NoProp's blocks are chosen in the page.
const NOPROP_LIGHT: Preset = Preset {
    id: "noprop-light",
    label: "Light blocks",
    description: "Blocks a quarter as wide, 10,000 training images, 100 sampler steps: 95 % on MNIST in 4 epochs.",
    applies: |c| c.arch == Architecture::NoProp,
    apply: noprop::light,
    on_choose: true,
};

/// The template of a NoProp variant.
const NOPROP: AlgorithmInfo = AlgorithmInfo {
    id: "",
    label: "",
    paper_name: "",
    description: "",
    family: Family::NoProp,
    tasks: &[Task::Image],
    archs: NOPROP_ARCH,
    build: None,
    nodes: None,
    links: None,
    greedy: false,
    defaults: nothing,
    presets: &[NOPROP_LIGHT],
    views: NOPROP_VIEWS,
    sampler: false,
    reads_back_in_step: false,
};

/// The template of a ForwardGNN node classifier.
const FORWARDGNN: AlgorithmInfo = AlgorithmInfo {
    family: Family::ForwardGnn,
    tasks: &[Task::Nodes],
    archs: &[],
    defaults: gnn::node_defaults,
    presets: &[],
    views: GNN_VIEWS,
    ..NOPROP
};

/// The template of a ForwardGNN link predictor.
const FORWARDGNN_LINKS: AlgorithmInfo =
    AlgorithmInfo { tasks: &[Task::Links], defaults: gnn::link_defaults, ..FORWARDGNN };

/// Every algorithm bpfree knows, in display order.
pub const ALGORITHMS: &[AlgorithmInfo] = &[
    AlgorithmInfo {
        id: "backprop",
        label: "Backprop (baseline)",
        paper_name: "Backprop",
        description: "End-to-end backpropagation through the whole network: the control group.",
        family: Family::Backprop,
        tasks: &[Task::Plane, Task::Image, Task::Nodes, Task::Links],
        archs: ALL_ARCHS,
        build: Some(backprop::build),
        nodes: Some(gnn::backprop_nodes),
        links: Some(gnn::backprop_links),
        defaults: backprop::defaults,
        presets: &[NOPROP_LIGHT],
        views: &[View::Depths],
        ..NOPROP
    },
    AlgorithmInfo {
        id: "ccl",
        label: "Counter-current learning",
        paper_name: "CCL",
        description: "A forward and a feedback network teach each other layer by layer; no gradient crosses a layer \
                      (Kao & Hariharan, NeurIPS 2024).",
        family: Family::CounterCurrent,
        tasks: &[Task::Plane, Task::Image],
        archs: &[Architecture::Mlp, Architecture::Cnn, Architecture::Autoencoder],
        build: Some(ccl::build),
        defaults: ccl::defaults,
        presets: &[Preset {
            id: "ccl-quick",
            label: "Quick: 5 epochs × batch 64",
            description: "The quick configuration: the paper's MLP for 5 epochs at batch 64 (≈ 96 % test accuracy \
                          on MNIST)",
            applies: |c| c.arch == Architecture::Mlp && c.is_image() && (c.epochs, c.batch_size) != (5, 64),
            apply: ccl::quick,
            on_choose: false,
        }],
        views: &[View::LocalLosses, View::Alignment],
        ..NOPROP
    },
    AlgorithmInfo {
        id: "feedback-alignment",
        label: "Feedback alignment",
        paper_name: "FA",
        description: "Backprop's loss and layers, but the error travels down through fixed random matrices instead \
                      of the transposed weights (Lillicrap et al., 2016).",
        family: Family::FeedbackAlignment,
        tasks: &[Task::Plane, Task::Image],
        archs: &[Architecture::Mlp],
        build: Some(feedback_alignment::build),
        defaults: feedback_alignment::defaults,
        presets: &[],
        views: &[],
        ..NOPROP
    },
    AlgorithmInfo {
        id: "noprop-dt",
        label: "NoProp-DT (discrete-time denoising)",
        paper_name: "NoProp-DT",
        description: "Ten blocks, each trained alone to denoise a noisy label given the image; prediction runs the \
                      noise through them like a diffusion model (Li, Teh & Pascanu, 2025).",
        build: Some(noprop::dt::build),
        defaults: noprop::dt::defaults,
        ..NOPROP
    },
    AlgorithmInfo {
        id: "noprop-ct",
        label: "NoProp-CT (continuous-time diffusion)",
        paper_name: "NoProp-CT",
        description: "One network, conditioned on a random time, learns to denoise the label under a learned noise \
                      schedule; prediction runs a 1000-step sampler from noise (Li, Teh & Pascanu, 2025).",
        build: Some(noprop::ct::build),
        defaults: noprop::ct::defaults,
        sampler: true,
        reads_back_in_step: true,
        ..NOPROP
    },
    AlgorithmInfo {
        id: "noprop-fm",
        label: "NoProp-FM (flow matching)",
        paper_name: "NoProp-FM",
        description: "One network learns the velocity that carries noise to the label embedding, at a random time \
                      per example; prediction integrates it from noise (Li, Teh & Pascanu, 2025).",
        build: Some(noprop::fm::build),
        defaults: noprop::fm::defaults,
        sampler: true,
        ..NOPROP
    },
    AlgorithmInfo {
        id: "forwardgnn-sf",
        label: "ForwardGNN-SF (single forward)",
        paper_name: "SF",
        description: "Each GNN layer learns alone, greedily: nodes move towards their class's virtual node (Park et \
                      al., ICLR 2024).",
        nodes: Some(gnn::sf),
        greedy: true,
        ..FORWARDGNN
    },
    AlgorithmInfo {
        id: "forwardgnn-sf-top-input",
        label: "ForwardGNN-SF, top-down to input",
        paper_name: "SF-Top-To-Input",
        description: "All layers learn together over time steps; each reads the layer above from the previous step \
                      as extra input.",
        nodes: Some(gnn::sf_top_input),
        ..FORWARDGNN
    },
    AlgorithmInfo {
        id: "forwardgnn-sf-top-loss",
        label: "ForwardGNN-SF, top-down to loss",
        paper_name: "SF-Top-To-Loss",
        description: "All layers learn together; the layers above enter each layer's loss, never its gradient path.",
        nodes: Some(gnn::sf_top_loss),
        ..FORWARDGNN
    },
    AlgorithmInfo {
        id: "forwardgnn-ff-la",
        label: "ForwardGNN forward-forward (label appending)",
        paper_name: "FF-LA",
        description: "Forward-forward on graphs: high goodness with the true label appended to the features, low \
                      with wrong ones.",
        nodes: Some(gnn::ff_la),
        greedy: true,
        ..FORWARDGNN
    },
    AlgorithmInfo {
        id: "forwardgnn-lp-ce",
        label: "ForwardGNN-CE (link prediction)",
        paper_name: "ForwardGNN-CE",
        description: "Link prediction, layer by layer: each layer scores edges by dot products against sampled \
                      non-edges.",
        links: Some(gnn::lp_ce),
        greedy: true,
        ..FORWARDGNN_LINKS
    },
    AlgorithmInfo {
        id: "forwardgnn-lp-ff",
        label: "ForwardGNN-FF (link prediction)",
        paper_name: "ForwardGNN-FF",
        description: "Link prediction, layer by layer, forward-forward style: high goodness on edges, low on sampled \
                      non-edges.",
        links: Some(gnn::lp_ff),
        greedy: true,
        ..FORWARDGNN_LINKS
    },
    AlgorithmInfo {
        id: "forwardgnn-lp-ce-top-input",
        label: "ForwardGNN-CE, top-down (link prediction)",
        paper_name: "CE-Top-To-Input",
        description: "Link prediction with all layers learning together, each reading the layer above as extra \
                      input.",
        links: Some(gnn::lp_ce_top_input),
        ..FORWARDGNN_LINKS
    },
    AlgorithmInfo {
        id: "forwardgnn-ff-vn",
        label: "ForwardGNN forward-forward (virtual nodes)",
        paper_name: "FF-VN",
        description: "Forward-forward on graphs: positive and negative graphs link nodes to true or wrong class \
                      virtual nodes.",
        nodes: Some(gnn::ff_vn),
        greedy: true,
        ..FORWARDGNN
    },
];

/// Looks an algorithm up by id.
pub fn algorithm_info(id: &str) -> Result<&'static AlgorithmInfo> {
    ALGORITHMS.iter().find(|a| a.id == id).ok_or_else(|| {
        let known: Vec<&str> = ALGORITHMS.iter().map(|a| a.id).collect();
        Error::UnknownAlgorithm(id.to_string(), known.join(", "))
    })
}

/// The backprop baseline's entry.
pub fn backprop_baseline() -> &'static AlgorithmInfo {
    &ALGORITHMS[0]
}

/// The algorithm the page switches to when the chosen one does not learn `task` with `arch`: the first
/// backprop-free entry made for exactly that (it lists that task alone, and for vectors that architecture
/// alone), else the backprop baseline.
pub fn fallback(task: Task, arch: Architecture) -> &'static AlgorithmInfo {
    let graph = task.dataset_kind() == DatasetKind::Graph;
    ALGORITHMS
        .iter()
        .find(|a| a.family != Family::Backprop && a.tasks == [task] && (graph || a.archs == [arch]))
        .unwrap_or(backprop_baseline())
}

/// The settings of `algorithm` on `dataset` with `arch`: `RunConfig::base` and then the entry's defaults (the
/// paper's configuration). An algorithm that trains one architecture alone (NoProp's variants) gets it. Unknown
/// ids keep the base settings (validation reports them later).
pub fn preset_for(algorithm: &str, dataset: &str, arch: Architecture) -> RunConfig {
    let info = algorithm_info(algorithm).ok();
    let arch = match info {
        Some(a) if a.archs.len() == 1 => a.archs[0],
        _ => arch,
    };
    let mut cfg = RunConfig::base(algorithm, dataset, arch);
    if let Some(a) = info {
        (a.defaults)(&mut cfg);
    }
    cfg
}

/// [`preset_for`] with the MLP.
pub fn preset(algorithm: &str, dataset: &str) -> RunConfig {
    preset_for(algorithm, dataset, Architecture::Mlp)
}
