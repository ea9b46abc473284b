//! Training algorithms, one file per paper, all behind the [`Algorithm`] trait and registered in
//! [`ALGORITHMS`]. Algorithms compose `nn` layers and `tensor` ops; they never touch wgpu or the page.

mod backprop;
mod ccl;
mod ccl_autoencoder;
mod ccl_cnn;
mod ccl_losses;
mod ccl_updates;
pub mod forwardgnn;
mod forwardgnn_ff;
mod forwardgnn_lp;
mod forwardgnn_lp_pairs;
mod forwardgnn_sf;
mod forwardgnn_topdown;
mod gnn_backprop;
pub mod noprop;
mod noprop_backprop;
mod noprop_ct;
mod noprop_dt;
mod noprop_fm;
pub mod noprop_net;
pub mod noprop_schedule;

pub use backprop::Backprop;
pub use ccl::Ccl;
pub use ccl_autoencoder::{AeMode, ConvAutoencoder, PAPER_WIDTHS};
pub use ccl_cnn::{CnnPool, Mode as CnnMode};
pub use ccl_losses::{ae_pair_loss, cosine_pair_loss, mlp_pair_scale};
pub use ccl_updates::{cosine_lrs, warmup_scale};
pub use forwardgnn_ff::{appended_input, FfMode, ForwardFf};
pub use forwardgnn_lp::{ForwardLp, LpTopInput};
pub use forwardgnn_lp_pairs::{LinkObjective, PairIndex, FF_THRESHOLD};
pub use forwardgnn_sf::ForwardSf;
pub use forwardgnn_topdown::{update_phases, ForwardTopDown, TopDown};
pub use gnn_backprop::{GnnBackprop, LpBackprop};
pub use noprop_backprop::NoPropBackprop;
pub use noprop_ct::NoPropCt;
pub use noprop_dt::NoPropDt;
pub use noprop_fm::NoPropFm;

use crate::config::RunConfig;
use crate::data::DatasetKind;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{Device, Tensor};

/// Input and output sizes of a classification problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Features per example.
    pub inputs: usize,
    /// Number of classes.
    pub classes: usize,
    /// For images, `[channels, height, width]` of an input row.
    pub image: Option<[usize; 3]>,
}

/// A trainable classifier.
pub trait Algorithm {
    /// One update on a mini-batch (`x: batch x inputs`, `y: batch x 1` class ids). Returns the per-example
    /// training loss, left on the device (reading it back would stall the GPU).
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor>;

    /// Class logits (`batch x classes`) for evaluation.
    fn predict(&self, x: &Tensor) -> Result<Tensor>;

    /// Number of trainable scalars.
    fn parameter_count(&self) -> usize;

    /// Names of the local losses [`Algorithm::take_local_losses`] reports, in order (empty: none).
    fn local_loss_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// The local losses of the last step (`1 x n`, on the device), once.
    fn take_local_losses(&mut self) -> Option<Tensor> {
        None
    }

    /// Called after every finished epoch (per-epoch learning-rate schedules).
    fn end_epoch(&mut self, _epochs_done: usize) {}

    /// True for models whose output is a reconstruction of the input (evaluated by MSE, not accuracy).
    fn reconstructs(&self) -> bool {
        false
    }

    /// The counter-current learner, for its views in the page.
    fn ccl(&self) -> Option<&Ccl> {
        None
    }

    /// Passes over the training data in one epoch (NoProp-DT: one per block, Algorithm 1).
    fn passes_per_epoch(&self) -> usize {
        1
    }

    /// Called before the steps of pass `pass` (`0..passes_per_epoch`) of every epoch.
    fn begin_pass(&mut self, _pass: usize) {}

    /// Called once with the training split before the first step (NoProp's prototype embeddings start as class
    /// medoids of the training images).
    fn init_from_data(&mut self, _x: ndarray::ArrayView2<f32>, _y: &[u32]) -> Result<()> {
        Ok(())
    }

    /// For NoProp: the class probabilities each block (or sampler checkpoint) assigns to `x`'s images, in order
    /// from noise to label (the page's denoising trajectory).
    fn noprop_trajectory(&self, _x: &Tensor) -> Option<Result<Vec<Tensor>>> {
        None
    }

    /// For NoProp: the label embedding `W_Embed` (`classes x d`).
    fn label_embedding(&self) -> Option<&Tensor> {
        None
    }
}

/// Builds an algorithm for a problem on a device, drawing initial weights from the RNG.
pub type BuildFn = fn(&RunConfig, Problem, &Device, &mut Rng) -> Result<Box<dyn Algorithm>>;

/// One registered algorithm.
pub struct AlgorithmInfo {
    /// Id used on the command line, in links and in the page.
    pub id: &'static str,
    /// Human-readable name.
    pub label: &'static str,
    /// One sentence for the page.
    pub description: &'static str,
    /// Builds the algorithm with its initial weights drawn from `rng` (vector and image datasets).
    pub build: BuildFn,
    /// The kinds of dataset it trains on.
    pub kinds: &'static [DatasetKind],
}

const VECTORS: &[DatasetKind] = &[DatasetKind::Plane, DatasetKind::Image];
const GRAPHS: &[DatasetKind] = &[DatasetKind::Graph];

impl AlgorithmInfo {
    /// True if it trains on datasets of `kind`.
    pub fn supports(&self, kind: DatasetKind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// The build function of the graph-only algorithms (they are built by [`build_node_learner`]).
fn graph_only(cfg: &RunConfig, _: Problem, _: &Device, _: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Err(Error::invalid("algorithm", format!("{} trains on graphs: choose a graph dataset", cfg.algorithm)))
}

const fn forwardgnn(id: &'static str, label: &'static str, description: &'static str) -> AlgorithmInfo {
    AlgorithmInfo { id, label, description, build: graph_only, kinds: GRAPHS }
}

/// Every algorithm bpfree knows, in display order.
pub const ALGORITHMS: &[AlgorithmInfo] = &[
    AlgorithmInfo {
        id: "backprop",
        label: "Backprop (baseline)",
        description: "End-to-end backpropagation through the whole network: the control group.",
        build: backprop::build,
        kinds: &[DatasetKind::Plane, DatasetKind::Image, DatasetKind::Graph],
    },
    AlgorithmInfo {
        id: "ccl",
        label: "Counter-current learning",
        description: "A forward and a feedback network teach each other layer by layer; no gradient crosses a layer \
                      (Kao & Hariharan, NeurIPS 2024).",
        build: ccl::build,
        kinds: VECTORS,
    },
    AlgorithmInfo {
        id: "noprop-dt",
        label: "NoProp-DT (discrete-time denoising)",
        description: "Ten blocks, each trained alone to denoise a noisy label given the image; prediction runs the \
                      noise through them like a diffusion model (Li, Teh & Pascanu, 2025).",
        build: noprop_dt::build,
        kinds: &[DatasetKind::Image],
    },
    AlgorithmInfo {
        id: "noprop-ct",
        label: "NoProp-CT (continuous-time diffusion)",
        description: "One network, conditioned on a random time, learns to denoise the label under a learned noise \
                      schedule; prediction runs a 1000-step sampler from noise (Li, Teh & Pascanu, 2025).",
        build: noprop_ct::build,
        kinds: &[DatasetKind::Image],
    },
    AlgorithmInfo {
        id: "noprop-fm",
        label: "NoProp-FM (flow matching)",
        description: "One network learns the velocity that carries noise to the label embedding, at a random time \
                      per example; prediction integrates it from noise (Li, Teh & Pascanu, 2025).",
        build: noprop_fm::build,
        kinds: &[DatasetKind::Image],
    },
    forwardgnn(
        "forwardgnn-sf",
        "ForwardGNN-SF (single forward)",
        "Each GNN layer learns alone, greedily: nodes move towards their class's virtual node (Park et al., ICLR 2024).",
    ),
    forwardgnn(
        "forwardgnn-sf-top-input",
        "ForwardGNN-SF, top-down to input",
        "All layers learn together over time steps; each reads the layer above from the previous step as extra input.",
    ),
    forwardgnn(
        "forwardgnn-sf-top-loss",
        "ForwardGNN-SF, top-down to loss",
        "All layers learn together; the layers above enter each layer's loss, never its gradient path.",
    ),
    forwardgnn(
        "forwardgnn-ff-la",
        "ForwardGNN forward-forward (label appending)",
        "Forward-forward on graphs: high goodness with the true label appended to the features, low with wrong ones.",
    ),
    forwardgnn(
        "forwardgnn-lp-ce",
        "ForwardGNN-CE (link prediction)",
        "Link prediction, layer by layer: each layer scores edges by dot products against sampled non-edges.",
    ),
    forwardgnn(
        "forwardgnn-lp-ff",
        "ForwardGNN-FF (link prediction)",
        "Link prediction, layer by layer, forward-forward style: high goodness on edges, low on sampled non-edges.",
    ),
    forwardgnn(
        "forwardgnn-lp-ce-top-input",
        "ForwardGNN-CE, top-down (link prediction)",
        "Link prediction with all layers learning together, each reading the layer above as extra input.",
    ),
    forwardgnn(
        "forwardgnn-ff-vn",
        "ForwardGNN forward-forward (virtual nodes)",
        "Forward-forward on graphs: positive and negative graphs link nodes to true or wrong class virtual nodes.",
    ),
];

/// Looks an algorithm up by id.
pub fn algorithm_info(id: &str) -> Result<&'static AlgorithmInfo> {
    ALGORITHMS.iter().find(|a| a.id == id).ok_or_else(|| {
        let known: Vec<&str> = ALGORITHMS.iter().map(|a| a.id).collect();
        Error::UnknownAlgorithm(id.to_string(), known.join(", "))
    })
}

/// Builds the graph learner of `variant` on `task` (layer kind and depth from `cfg.graph`).
pub fn build_node_learner(
    variant: forwardgnn::Variant,
    task: &crate::data::NodeTask,
    cfg: &RunConfig,
    device: &Device,
    rng: &mut Rng,
) -> Result<Box<dyn forwardgnn::NodeLearner>> {
    use forwardgnn::Variant;
    let (kind, layers) = (cfg.graph.model, cfg.graph.layers);
    Ok(match variant {
        Variant::Sf => Box::new(ForwardSf::new(task, kind, layers, device, rng)?),
        Variant::SfTopInput => Box::new(ForwardTopDown::new(task, TopDown::ToInput, kind, layers, device, rng)?),
        Variant::SfTopLoss => Box::new(ForwardTopDown::new(task, TopDown::ToLoss, kind, layers, device, rng)?),
        Variant::FfLa => Box::new(ForwardFf::new(task, FfMode::LabelAppending, kind, layers, device, rng)?),
        Variant::FfVn => Box::new(ForwardFf::new(task, FfMode::VirtualNodes, kind, layers, device, rng)?),
        Variant::Backprop => Box::new(GnnBackprop::new(task, kind, layers, device, rng)?),
        Variant::LpCe | Variant::LpFf | Variant::LpCeTopInput => {
            return Err(Error::invalid("algorithm", format!("{} predicts links", variant.paper_name())))
        }
    })
}

/// Builds the link-prediction learner of `variant` on `task`.
pub fn build_link_learner(
    variant: forwardgnn::Variant,
    task: &crate::data::LinkTask,
    cfg: &RunConfig,
    device: &Device,
    rng: &mut Rng,
) -> Result<Box<dyn forwardgnn::NodeLearner>> {
    use forwardgnn::Variant;
    let (kind, layers) = (cfg.graph.model, cfg.graph.layers);
    Ok(match variant {
        Variant::LpCe => Box::new(ForwardLp::new(task, kind, layers, device, rng)?),
        Variant::LpFf => {
            Box::new(ForwardLp::with_objective(task, LinkObjective::ForwardForward, kind, layers, device, rng)?)
        }
        Variant::LpCeTopInput => Box::new(LpTopInput::new(task, kind, layers, device, rng)?),
        Variant::Backprop => Box::new(LpBackprop::new(task, kind, layers, device, rng)?),
        other => {
            return Err(Error::invalid("algorithm", format!("{} classifies nodes, not links", other.paper_name())))
        }
    })
}
