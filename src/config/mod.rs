//! [`RunConfig`]: everything that defines a run. It is the payload of a share link and of the CLI flags, so
//! the same config replays the same run (with the same seed, on the same backend).

use crate::data::{dataset_info, DatasetKind, SyntheticOptions};
use crate::nn::{MlpConfig, OptimizerConfig, WeightInit};
use crate::tensor::{Activation, BackendChoice};
use serde::{Deserialize, Serialize};

mod options;
mod validate;
pub use options::{Architecture, CclOptions, EmbeddingKind, GraphOptions, NoPropOptions, Selection};
pub use validate::{MAX_HIDDEN_LAYERS, MAX_MODEL_BYTES, MAX_WIDTH};

/// Version of the config format (bumped when a field changes meaning).
pub const CONFIG_VERSION: u32 = 1;

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunConfig {
    /// Format version, see [`CONFIG_VERSION`].
    pub version: u32,
    /// Seeds every random draw: data, split, initial weights, shuffling.
    pub seed: u64,
    /// Registered dataset id (`data::DATASETS`).
    pub dataset: String,
    /// Registered algorithm id (`algorithms::ALGORITHMS`).
    pub algorithm: String,
    /// Which backend to run on.
    pub backend: BackendChoice,
    /// Epochs to train (the page keeps going until paused).
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Optimiser and learning rate.
    pub optimizer: OptimizerConfig,
    /// Network widths and nonlinearity.
    pub model: MlpConfig,
    /// Size and noise of the synthetic datasets.
    pub data: SyntheticOptions,
    /// Which architecture family the model is (the MLP widths are in `model`).
    pub arch: Architecture,
    /// Global-norm gradient clipping of the (forward) network; 0 = off.
    pub grad_clip: f32,
    /// Gradient centralisation of every weight gradient before clipping.
    pub grad_centralization: bool,
    /// Train on only the first N examples of the (shuffled) training split; 0 = all.
    pub train_limit: usize,
    /// Loss-scale warm-up: the loss of step `t < loss_warmup` is multiplied by `(t + 1) / loss_warmup` (the CCL
    /// code's CNN configs; not a learning-rate warm-up). 0 = off.
    pub loss_warmup: u32,
    /// Cosine learning-rate decay over the run's epochs to 0.001, stepped once per epoch (PyTorch's
    /// `CosineAnnealingLR(T_max = epochs, eta_min = 0.001)`).
    pub cosine_lr: bool,
    /// Random horizontal flips and 4-pixel edge-padded crops of the training images (CIFAR CNN configs).
    pub augment: bool,
    /// Mini-batches per epoch (0 = the whole training split; CCL's autoencoder script trains 101).
    pub steps_per_epoch: usize,
    /// Autoencoder widths as a fraction of the paper's 128-256-1024-2048.
    pub ae_width: f32,
    /// Options of counter-current learning.
    pub ccl: CclOptions,
    /// Options of graph runs (ForwardGNN and its backprop baseline).
    pub graph: GraphOptions,
    /// Options of NoProp and of the backprop baseline on its blocks.
    pub noprop: NoPropOptions,
    /// Hold out 10 % of the official training images for validation (model selection). NoProp trains on all of
    /// them, as the paper does.
    pub validation: bool,
    /// Which validated epoch a run reports (its test numbers are the run's result).
    pub selection: Selection,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            version: CONFIG_VERSION,
            seed: 1,
            dataset: "moons".to_string(),
            algorithm: "backprop".to_string(),
            backend: BackendChoice::Auto,
            epochs: 30,
            batch_size: 32,
            optimizer: OptimizerConfig::default(),
            model: MlpConfig::default(),
            data: SyntheticOptions::default(),
            arch: Architecture::Mlp,
            grad_clip: 0.0,
            grad_centralization: false,
            train_limit: 0,
            loss_warmup: 0,
            cosine_lr: false,
            augment: false,
            steps_per_epoch: 0,
            ae_width: 0.125,
            ccl: CclOptions::default(),
            graph: GraphOptions::default(),
            noprop: NoPropOptions::default(),
            validation: true,
            selection: Selection::ValLoss,
        }
    }
}

impl RunConfig {
    /// What every algorithm starts from on `dataset` with `arch`, before its registry entry's `defaults` (see
    /// `algorithms::preset`): the playground's small MLP with Adam on the 2-D sets; ForwardGNN's scripts on graphs
    /// (Adam lr 1e-3, weight decay 5e-4, up to 1000 epochs, 4 layers); on images the CCL paper's MLP protocol
    /// (784-256x5-10 or 3072-1024x3-10, ELU, no biases, PyTorch's default init, SGD with lr 1 and no momentum,
    /// global-norm clipping at 1, batch 256, 100 epochs), and what both sides of the CCL paper's convolutional
    /// configs share: for the autoencoder batch 32, 101 batches per epoch, 50 epochs, cosine decay,
    /// centralisation, clipping 0.2, model selection by validation loss; for the CNN flips and crops, cosine
    /// decay and centralisation.
    pub fn base(algorithm: &str, dataset: &str, arch: Architecture) -> RunConfig {
        let mut cfg =
            RunConfig { algorithm: algorithm.to_string(), dataset: dataset.to_string(), ..Default::default() };
        let kind = dataset_info(dataset).map(|d| d.kind).ok();
        if kind == Some(DatasetKind::Graph) {
            cfg.epochs = 1000;
            cfg.optimizer = OptimizerConfig::Adam {
                lr: 1e-3,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay: 5e-4,
                decoupled: false,
            };
            cfg.graph.layers = 4;
        }
        if kind == Some(DatasetKind::Image) {
            let cifar = dataset.starts_with("cifar");
            cfg.epochs = 100;
            cfg.batch_size = 256;
            cfg.optimizer = OptimizerConfig::Sgd { lr: 1.0, momentum: 0.0, weight_decay: 0.0 };
            cfg.model = MlpConfig {
                hidden: if cifar { vec![1024; 3] } else { vec![256; 5] },
                activation: Activation::Elu,
                bias: false,
                init: WeightInit::Torch,
            };
            cfg.grad_clip = 1.0;
        }
        cfg.arch = arch;
        match arch {
            Architecture::Autoencoder => {
                cfg.selection = Selection::ValLoss;
                cfg.batch_size = 32;
                cfg.steps_per_epoch = 101;
                cfg.epochs = 50;
                cfg.cosine_lr = true;
                cfg.grad_centralization = true;
                cfg.grad_clip = 0.2;
            }
            Architecture::Cnn => {
                cfg.augment = true;
                cfg.cosine_lr = true;
                cfg.grad_centralization = true;
            }
            Architecture::Mlp | Architecture::NoProp => {}
        }
        cfg
    }

    /// True when the run's dataset is a registered image set.
    pub fn is_image(&self) -> bool {
        dataset_info(&self.dataset).is_ok_and(|d| d.kind == DatasetKind::Image)
    }

    /// The registered kind of the run's dataset, if the id is known.
    pub fn dataset_kind(&self) -> Option<DatasetKind> {
        dataset_info(&self.dataset).map(|d| d.kind).ok()
    }
}
