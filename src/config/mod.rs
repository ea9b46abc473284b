//! [`RunConfig`]: everything that defines a run. It is the payload of a share link and of the CLI flags, so
//! the same config replays the same run (with the same seed, on the same backend).

use crate::data::{dataset_info, DatasetKind, SyntheticOptions};
use crate::nn::{MlpConfig, OptimizerConfig, WeightInit};
use crate::tensor::{Activation, BackendChoice};
use serde::{Deserialize, Serialize};

mod options;
pub use options::{Architecture, CclOptions, EmbeddingKind, GraphOptions, NoPropOptions, Selection};

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

/// CCL's learning rate and momentum on the 2-D sets (see `RunConfig::preset`).
const PLANE_CCL_LR: f32 = 0.03;
const PLANE_CCL_MOMENTUM: f32 = 0.9;

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
    /// The defaults for `algorithm` on `dataset`: the playground's small MLP with Adam on the 2-D sets, and the
    /// papers' configurations on images (CCL's `yaml/mlp/{mnist,fmnist,cifar10}_ccl.yaml`: 784-256x5-10 or
    /// 3072-1024x3-10, ELU, no biases, PyTorch's default init, SGD with lr 1 and no momentum, global-norm
    /// clipping at 1, batch 256, 100 epochs; the backprop baseline uses the same network and budget as in
    /// `yaml/mlp/*_bp.yaml`). Unknown ids fall back to the 2-D defaults (validation reports them later).
    pub fn preset(algorithm: &str, dataset: &str) -> RunConfig {
        Self::preset_for(algorithm, dataset, Architecture::Mlp)
    }

    /// [`RunConfig::preset`] for an architecture. The CNN (`cnn_pool`, CIFAR-10 only) follows
    /// `yaml/cnn/cifar10_ccl.yaml` for CCL (batch 128, lr 1, momentum 0.8, weight decay 1e-6, loss warm-up 100
    /// steps, cosine decay, gradient centralisation, clipping 0.3 for F and G, `loss_scale_C` 1,
    /// `loss_scale_ssl` 0.5, flooding mask on, flips and crops) and the backprop `cnn_pool` configs for the
    /// baseline (batch 256, lr 0.03, momentum 0.5, weight decay 1e-5, warm-up 200, cosine, centralisation, no
    /// clipping, frozen batch norm on every conv input).
    pub fn preset_for(algorithm: &str, dataset: &str, arch: Architecture) -> RunConfig {
        let mut cfg = Self::mlp_preset(algorithm, dataset);
        cfg.arch = arch;
        if algorithm.starts_with("noprop-") || arch == Architecture::NoProp {
            cfg.noprop_preset(algorithm, dataset);
            return cfg;
        }
        if arch == Architecture::Autoencoder {
            // yaml/cnn_ae/stl10_{ccl,bp}_legacy.yaml: batch 32, 101 batches per epoch, 50 epochs, cosine decay,
            // centralisation, clipping 0.2; CCL lr 0.01 momentum 0.9 wd 1e-4 warm-up 100, C = D = 1; BP lr 0.03
            // momentum 0.5 wd 1e-5 warm-up 200.
            cfg.selection = Selection::ValLoss;
            cfg.batch_size = 32;
            cfg.steps_per_epoch = 101;
            cfg.epochs = 50;
            cfg.cosine_lr = true;
            cfg.grad_centralization = true;
            cfg.grad_clip = 0.2;
            if algorithm == "ccl" {
                cfg.optimizer = OptimizerConfig::Sgd { lr: 0.01, momentum: 0.9, weight_decay: 1e-4 };
                cfg.loss_warmup = 100;
                cfg.ccl = CclOptions {
                    loss_scale: 1.0,
                    decorrelation_scale: 1.0,
                    feedback_lr: 0.01,
                    feedback_clip: 0.2,
                    flooding: false,
                };
            } else {
                cfg.optimizer = OptimizerConfig::Sgd { lr: 0.03, momentum: 0.5, weight_decay: 1e-5 };
                cfg.loss_warmup = 200;
            }
        }
        if arch == Architecture::Cnn {
            cfg.augment = true;
            cfg.cosine_lr = true;
            cfg.grad_centralization = true;
            if algorithm == "ccl" {
                cfg.batch_size = 128;
                cfg.optimizer = OptimizerConfig::Sgd { lr: 1.0, momentum: 0.8, weight_decay: 1e-6 };
                cfg.loss_warmup = 100;
                cfg.grad_clip = 0.3;
                cfg.ccl = CclOptions {
                    loss_scale: 1.0,
                    decorrelation_scale: 0.5,
                    feedback_lr: 1.0,
                    feedback_clip: 0.3,
                    flooding: true,
                };
            } else {
                cfg.batch_size = 256;
                cfg.optimizer = OptimizerConfig::Sgd { lr: 0.03, momentum: 0.5, weight_decay: 1e-5 };
                cfg.loss_warmup = 200;
                cfg.grad_clip = 0.0;
            }
        }
        cfg
    }

    /// NoProp's Table 3 (spec noprop.md §7): batch 128, lr 1e-3, weight decay 1e-3; AdamW for DT and the
    /// backprop baseline, Adam with coupled L2 for CT and FM; epochs DT/BP 100 (MNIST) or 150 (CIFAR), CT/FM 100
    /// or 500; the standard training set without a validation split, no augmentation, no clipping.
    fn noprop_preset(&mut self, algorithm: &str, dataset: &str) {
        let cifar = dataset.starts_with("cifar");
        let discrete = algorithm == "noprop-dt" || algorithm == "backprop";
        self.arch = Architecture::NoProp;
        self.batch_size = 128;
        self.epochs = match (discrete, cifar) {
            (_, false) => 100,
            (true, true) => 150,
            (false, true) => 500,
        };
        self.optimizer = OptimizerConfig::Adam {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 1e-3,
            decoupled: discrete,
        };
        self.grad_clip = 0.0;
        self.validation = false;
        self.augment = false;
        self.cosine_lr = false;
    }

    fn mlp_preset(algorithm: &str, dataset: &str) -> RunConfig {
        let mut cfg =
            RunConfig { algorithm: algorithm.to_string(), dataset: dataset.to_string(), ..Default::default() };
        let kind = dataset_info(dataset).map(|d| d.kind).ok();
        let is_image = kind == Some(DatasetKind::Image);
        if kind == Some(DatasetKind::Graph) {
            // ForwardGNN's scripts: Adam lr 1e-3, weight decay 5e-4, up to 1000 epochs, 4 layers.
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
            cfg.graph.link = algorithm.starts_with("forwardgnn-lp-");
        }
        if algorithm == "ccl" && kind == Some(DatasetKind::Plane) {
            // CCL trains with SGD (spec ccl.md §1.8): the playground's MLP with SGD + momentum, clipped as in the
            // paper's MLP configs.
            cfg.optimizer = OptimizerConfig::Sgd { lr: PLANE_CCL_LR, momentum: PLANE_CCL_MOMENTUM, weight_decay: 0.0 };
            cfg.ccl.feedback_lr = PLANE_CCL_LR;
            cfg.grad_clip = 1.0;
        }
        if is_image {
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
            if algorithm == "backprop" {
                cfg.selection = Selection::ValAccuracy;
            }
        }
        cfg
    }
}
