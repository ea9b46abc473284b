//! The parts of a [`RunConfig`](super::RunConfig) that are enums or per-algorithm option groups: the
//! architecture family, the model-selection rule, and the options of CCL, graph runs and NoProp.

use crate::error::Error;
use crate::nn::GnnKind;
use serde::{Deserialize, Serialize};

/// Model selection: which epoch of a validated run is reported. Without a validation split (or without
/// validation accuracies, as for an autoencoder) the rule falls back to the lowest validation loss, then to the
/// last epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// Lowest validation loss: what the CCL reference code keeps (docs/algorithms/ccl.md, "Where we had to
    /// choose").
    #[default]
    ValLoss,
    /// Highest validation accuracy: the rule the CCL paper states for every method (its App. 6.1). The
    /// presets use it for the image backprop baselines, whose Table 1 numbers came from another codebase
    /// (docs/algorithms/ccl.md, "Where we had to choose").
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
    pub fn parse(s: &str) -> Result<Selection, Error> {
        match s {
            "val-loss" | "loss" => Ok(Selection::ValLoss),
            "val-accuracy" | "accuracy" | "val-acc" => Ok(Selection::ValAccuracy),
            other => Err(Error::invalid("selection", format!("`{other}` (use val-loss or val-accuracy)"))),
        }
    }
}

/// Which label embedding NoProp uses (docs/algorithms/noprop.md, Eqs. (21)-(23)).
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

/// NoProp's options (docs/algorithms/noprop.md, "Architectures and hyper-parameters").
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

/// A graph run: layer kind, depth, split and the validation protocol (docs/algorithms/forwardgnn.md, "Protocol
/// and hyper-parameters"). `epochs` is the most epochs per layer (greedy variants) or per run (the others); the
/// paper's scripts use 1000.
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
    /// NoProp's blocks (docs/algorithms/noprop.md, "Architectures and hyper-parameters"); with `backprop`, the
    /// paper's end-to-end baseline on them.
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
            _ => Err(Error::invalid("model", format!("`{s}` (use mlp, cnn, autoencoder or noprop)"))),
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

/// Hyper-parameters of counter-current learning that have no counterpart elsewhere (docs/algorithms/ccl.md,
/// "Architectures and hyper-parameters").
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

impl Default for CclOptions {
    fn default() -> Self {
        CclOptions { loss_scale: 0.5, decorrelation_scale: 0.5, feedback_lr: 1.0, feedback_clip: 1.0, flooding: false }
    }
}
