//! Training algorithms, one folder per paper ([`ccl`], [`forwardgnn`], [`noprop`]) plus the [`backprop`]
//! baseline, all behind the [`Algorithm`] trait (graph learners behind [`forwardgnn::NodeLearner`]) and
//! registered in [`registry::ALGORITHMS`]. Algorithms compose `nn` layers and `tensor` ops; they never touch
//! wgpu or the page. Each paper's equations are written up in `docs/algorithms/`.

pub mod backprop;
pub mod ccl;
pub mod compare;
pub mod feedback_alignment;
pub mod forwardgnn;
pub mod info;
pub mod noprop;
pub mod registry;

pub use backprop::Backprop;
pub use ccl::autoencoder::{AeMode, ConvAutoencoder, PAPER_WIDTHS};
pub use ccl::cnn::{CnnPool, Mode as CnnMode};
pub use ccl::losses::{ae_pair_loss, cosine_pair_loss, mlp_pair_scale};
pub use ccl::updates::{cosine_lrs, warmup_scale};
pub use ccl::Ccl;
pub use compare::{counterpart, counterpart_algorithm};
pub use forwardgnn::backprop::{GnnBackprop, LpBackprop};
pub use forwardgnn::ff::{appended_input, FfMode, ForwardFf};
pub use forwardgnn::lp::{ForwardLp, LpTopInput};
pub use forwardgnn::lp_pairs::{LinkObjective, PairIndex, FF_THRESHOLD};
pub use forwardgnn::sf::ForwardSf;
pub use forwardgnn::topdown::{update_phases, ForwardTopDown, TopDown};
pub use noprop::backprop::NoPropBackprop;
pub use noprop::ct::NoPropCt;
pub use noprop::dt::NoPropDt;
pub use noprop::fm::NoPropFm;
pub use registry::{
    algorithm_info, backprop_baseline, fallback, preset, preset_for, AlgorithmInfo, Family, Preset, Task, View,
    ALGORITHMS,
};

use crate::config::RunConfig;
use crate::error::Result;
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

    /// Every tensor that defines the trained model, named as docs/weights.md lists them (weights, biases,
    /// batch-norm statistics, fixed feedback matrices, embeddings): what a safetensors file holds, what the page
    /// keeps as the last good weights and what moves to the CPU after a GPU error. Optimiser state is not in it.
    fn state_mut(&mut self) -> crate::nn::State<'_>;

    /// State kept on the host in double precision (NoProp-CT's learned noise schedule), by name.
    fn host_state_mut(&mut self) -> Vec<(String, &mut Vec<f64>)> {
        Vec::new()
    }

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

    /// What the page can show of it beyond losses and accuracies (see [`Views`]).
    fn views(&self) -> Views<'_> {
        Views::Metrics
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
}

/// What an algorithm offers the page beyond losses and accuracies: one answer per family.
pub enum Views<'a> {
    /// Losses and accuracies only.
    Metrics,
    /// A counter-current learner: its forward-vs-feedback alignment and the feedback network's prototypes.
    CounterCurrent(&'a Ccl),
    /// A NoProp model: its denoising trajectory and label embedding.
    Denoising(&'a dyn Denoising),
}

/// A model that turns noise into a label embedding step by step (NoProp's variants).
pub trait Denoising {
    /// The class probabilities each block (or sampler checkpoint) assigns to `x`'s images, in order from noise
    /// to label.
    fn trajectory(&self, x: &Tensor) -> Result<Vec<Tensor>>;

    /// The label embedding `W_Embed` (`classes x d`).
    fn label_embedding(&self) -> &Tensor;
}

/// Builds an algorithm for a problem on a device, drawing initial weights from the RNG.
pub type BuildFn = fn(&RunConfig, Problem, &Device, &mut Rng) -> Result<Box<dyn Algorithm>>;
