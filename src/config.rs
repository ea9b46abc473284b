//! [`RunConfig`]: everything that defines a run. It is the payload of a share link and of the CLI flags, so
//! the same config replays the same run (with the same seed, on the same backend).

use crate::data::{dataset_info, DatasetKind, SyntheticOptions};
use crate::nn::{GnnKind, MlpConfig, OptimizerConfig, WeightInit};
use crate::tensor::{Activation, BackendChoice};
use serde::{Deserialize, Serialize};

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

/// Model selection: which epoch of a validated run is reported. Without a validation split (or without
/// validation accuracies, as for an autoencoder) the rule falls back to the lowest validation loss, then to the
/// last epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// Lowest validation loss: the CCL reference code (spec ccl.md §1.11, §6.8).
    #[default]
    ValLoss,
    /// Highest validation accuracy: the rule the CCL paper states for every method (§4.2, spec ccl.md §4.2).
    /// The presets use it for the image backprop baselines, whose Table 1 numbers came from another codebase
    /// (spec ccl.md §6.7).
    ValAccuracy,
}

impl Selection {
    /// The name [`Selection::parse`] reads (`val-loss`, `val-accuracy`).
    pub fn name(self) -> &'static str {
        match self {
            Selection::ValLoss => "val-loss",
            Selection::ValAccuracy => "val-accuracy",
        }
    }

    /// Reads a name of [`Selection::name`].
    pub fn parse(s: &str) -> Result<Selection, crate::error::Error> {
        match s {
            "val-loss" | "loss" => Ok(Selection::ValLoss),
            "val-accuracy" | "accuracy" | "val-acc" => Ok(Selection::ValAccuracy),
            other => {
                Err(crate::error::Error::invalid("selection", format!("`{other}` (use val-loss or val-accuracy)")))
            }
        }
    }
}

/// Which label embedding NoProp uses (spec noprop.md §2.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmbeddingKind {
    /// `W_Embed = I_m`, fixed.
    #[default]
    OneHot,
    /// Learned, dimension 20, orthonormal rows at the start (random rows when there are more classes than 20).
    Learned,
    /// Learned, image-sized, initialised to each class's medoid training image.
    Prototype,
}

/// NoProp's options (spec noprop.md §2, §5, §7).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoPropOptions {
    /// Label embedding.
    pub embedding: EmbeddingKind,
    /// Width multiplier of every block (1 = the paper; the page's light preset uses less).
    pub width: f32,
    /// Blocks T of NoProp-DT and of the backprop baseline (10 in the paper).
    pub blocks: usize,
    /// Integration steps of the CT/FM samplers at evaluation (1000 in the paper).
    pub inference_steps: usize,
    /// Inference runs (fresh noise each) the final test accuracy is averaged over (Table 1: 5 per seed).
    pub inference_runs: usize,
}

impl Default for NoPropOptions {
    fn default() -> Self {
        NoPropOptions {
            embedding: EmbeddingKind::OneHot,
            width: 1.0,
            blocks: 10,
            inference_steps: 1000,
            inference_runs: 1,
        }
    }
}

/// A graph run: layer kind, depth, split and the validation protocol (ForwardGNN spec §2.8, §6). `epochs` is
/// the most epochs per layer (greedy variants) or per run (the others); the paper's scripts use 1000.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GraphOptions {
    /// GCN, SAGE or GAT.
    pub model: GnnKind,
    /// GNN layers (1 to 4 in the paper).
    pub layers: usize,
    /// Which split (`splits_forwardgnn[fold]`, Geom-GCN split, or k-fold fold).
    pub fold: usize,
    /// Early stopping after this many validation checks without a strictly better accuracy.
    pub patience: usize,
    /// Validate every this many epochs.
    pub val_every: usize,
    /// Link prediction instead of node classification (implied by the `forwardgnn-lp-*` algorithms).
    pub link: bool,
}

impl Default for GraphOptions {
    fn default() -> Self {
        GraphOptions { model: GnnKind::Gcn, layers: 2, fold: 0, patience: 100, val_every: 2, link: false }
    }
}

/// The architecture family of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    /// Fully connected layers (`model.hidden`).
    #[default]
    Mlp,
    /// The convolutional classifier of the paper at hand.
    Cnn,
    /// A convolutional autoencoder.
    Autoencoder,
    /// NoProp's blocks (spec noprop.md §5); with `backprop`, the paper's end-to-end baseline on them.
    #[serde(rename = "noprop")]
    NoProp,
}

impl Architecture {
    /// Parses `mlp`, `cnn` or `autoencoder`.
    pub fn parse(s: &str) -> crate::error::Result<Self> {
        match s {
            "mlp" => Ok(Architecture::Mlp),
            "cnn" => Ok(Architecture::Cnn),
            "autoencoder" | "ae" => Ok(Architecture::Autoencoder),
            "noprop" => Ok(Architecture::NoProp),
            _ => Err(crate::error::Error::invalid("model", format!("`{s}` (use mlp, cnn, autoencoder or noprop)"))),
        }
    }

    /// The name [`Architecture::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Mlp => "mlp",
            Architecture::Cnn => "cnn",
            Architecture::Autoencoder => "autoencoder",
            Architecture::NoProp => "noprop",
        }
    }
}

/// Hyper-parameters of counter-current learning that have no counterpart elsewhere (spec ccl.md §4.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CclOptions {
    /// `loss_scale_C`: weight of the forward-feedback alignment term (the MLP multiplies it by `256 / d`).
    pub loss_scale: f32,
    /// `loss_scale_ssl`: weight of the two decorrelation terms of the CNN loss.
    pub decorrelation_scale: f32,
    /// Learning rate of the feedback network G (the forward network uses `optimizer`).
    pub feedback_lr: f32,
    /// Global-norm clipping of G's gradients, separate from F's; 0 = off.
    pub feedback_clip: f32,
    /// The "flooding" mask: rows with `|p_true - 1| < 0.1` are zeroed in every local loss.
    pub flooding: bool,
}

/// CCL's learning rate and momentum on the 2-D sets (see `RunConfig::preset`).
const PLANE_CCL_LR: f32 = 0.03;
const PLANE_CCL_MOMENTUM: f32 = 0.9;

impl Default for CclOptions {
    fn default() -> Self {
        CclOptions { loss_scale: 0.5, decorrelation_scale: 0.5, feedback_lr: 1.0, feedback_clip: 1.0, flooding: false }
    }
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
