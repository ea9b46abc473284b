//! One validation of a run's configuration, used by the share-link reader, the command line and both trainers:
//! every field in its range (a finite, positive learning rate; at most [`MAX_HIDDEN_LAYERS`] hidden layers of at
//! most [`MAX_WIDTH`] units, …) and an estimate of the network's bytes checked against [`MAX_MODEL_BYTES`]
//! before anything is allocated. Each message names the field, the value and the range.

use super::{Architecture, RunConfig, CONFIG_VERSION};
use crate::data::{dataset_info, DatasetKind};
use crate::error::{Error, Result};
use crate::nn::OptimizerConfig;

/// Most hidden layers of the MLP.
pub const MAX_HIDDEN_LAYERS: usize = 16;
/// Widest hidden layer.
pub const MAX_WIDTH: usize = 4096;
/// Most bytes the MLP's parameters, gradients, optimiser state and activations of one batch may take: 1 GiB in the
/// page (a wasm heap holds at most 4 GiB, and the dataset lives there too), 8 GiB natively.
pub const MAX_MODEL_BYTES: u64 = if cfg!(target_arch = "wasm32") { 1 << 30 } else { 8 << 30 };

fn check(ok: bool, what: &'static str, detail: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(what, detail()))
    }
}

fn range<T: PartialOrd + std::fmt::Display>(what: &'static str, v: T, lo: T, hi: T) -> Result<()> {
    let ok = v >= lo && v <= hi;
    check(ok, what, || format!("{v} (use {lo} to {hi})"))
}

fn finite(what: &'static str, v: f32, lo: f32, hi: f32) -> Result<()> {
    check(v.is_finite() && v >= lo && v <= hi, what, || format!("{v} (use a number from {lo} to {hi})"))
}

impl RunConfig {
    /// Checks every field's range and the network's size; the error names the first field that is out of range.
    pub fn validate(&self) -> Result<()> {
        check(self.version <= CONFIG_VERSION, "config", || {
            format!("format {} is newer than this bpfree's {CONFIG_VERSION}", self.version)
        })?;
        range("epochs", self.epochs, 1, 100_000)?;
        range("batch size", self.batch_size, 1, 65_536)?;
        let lr = self.optimizer.lr();
        check(lr.is_finite() && lr > 0.0 && lr <= 100.0, "learning rate", || {
            format!("{lr} (use a positive number up to 100)")
        })?;
        match self.optimizer {
            OptimizerConfig::Adam { beta1, beta2, eps, weight_decay, .. } => {
                finite("Adam's beta1", beta1, 0.0, 0.999_999)?;
                finite("Adam's beta2", beta2, 0.0, 0.999_999_9)?;
                check(eps.is_finite() && eps > 0.0, "Adam's eps", || format!("{eps} (use a positive number)"))?;
                finite("weight decay", weight_decay, 0.0, 1.0)?;
            }
            OptimizerConfig::Sgd { momentum, weight_decay, .. } => {
                finite("momentum", momentum, 0.0, 0.999_999)?;
                finite("weight decay", weight_decay, 0.0, 1.0)?;
            }
        }
        let hidden = &self.model.hidden;
        range("hidden layers", hidden.len(), 0, MAX_HIDDEN_LAYERS)?;
        for &w in hidden {
            range("hidden layer width", w, 1, MAX_WIDTH)?;
        }
        range("points", self.data.points, 10, 1_000_000)?;
        finite("noise", self.data.noise, 0.0, 10.0)?;
        finite("test fraction", self.data.test_fraction, 0.01, 0.99)?;
        crate::data::check_drawn(&self.data.drawn)?;
        finite("gradient clip", self.grad_clip, 0.0, 1e6)?;
        range("loss warm-up", self.loss_warmup, 0, 1_000_000)?;
        range("steps per epoch", self.steps_per_epoch, 0, 1_000_000)?;
        finite("autoencoder width", self.ae_width, 0.01, 4.0)?;
        let c = &self.ccl;
        finite("CCL loss scale", c.loss_scale, 0.0, 1e6)?;
        finite("CCL decorrelation scale", c.decorrelation_scale, 0.0, 1e6)?;
        finite("feedback learning rate", c.feedback_lr, 0.0, 100.0)?;
        finite("feedback clip", c.feedback_clip, 0.0, 1e6)?;
        let g = &self.graph;
        range("GNN layers", g.layers, 1, 8)?;
        range("fold", g.fold, 0, 9)?;
        range("patience", g.patience, 1, 100_000)?;
        range("validation interval", g.val_every, 1, 1000)?;
        let n = &self.noprop;
        check(n.width.is_finite() && n.width > 0.0 && n.width <= 4.0, "NoProp block width", || {
            format!("{} (use a multiplier in (0, 4])", n.width)
        })?;
        range("NoProp blocks", n.blocks, 1, 50)?;
        range("sampler steps", n.inference_steps, 1, 10_000)?;
        range("inference runs", n.inference_runs, 1, 100)?;
        let bytes = self.mlp_bytes();
        check(bytes <= MAX_MODEL_BYTES, "model size", || {
            format!(
                "the MLP needs about {:.1} MiB (weights, gradients, optimiser state and one batch of activations); \
                 the limit is {} MiB: use fewer or narrower hidden layers or a smaller batch",
                bytes as f64 / (1 << 20) as f64,
                MAX_MODEL_BYTES >> 20
            )
        })
    }

    /// Bytes of the MLP's largest single tensor: a weight matrix, or one batch of the widest layer's activations
    /// (0 for the papers' fixed networks and for graphs). A GPU buffer must hold it.
    pub fn largest_tensor_bytes(&self) -> u64 {
        if self.mlp_bytes() == 0 {
            return 0;
        }
        let inputs: u64 = if self.is_image() { 3 * 32 * 32 } else { 2 };
        let widths: Vec<u64> =
            std::iter::once(inputs).chain(self.model.hidden.iter().map(|&w| w as u64)).chain([100]).collect();
        let weight = widths.windows(2).map(|w| w[0].saturating_mul(w[1])).max().unwrap_or(0);
        let activation = widths.iter().max().copied().unwrap_or(0).saturating_mul(self.batch_size as u64);
        weight.max(activation).saturating_mul(4)
    }

    /// Checks the run against what the chosen backend can give, at run time: the largest tensor against the GPU
    /// adapter's largest buffer (`max_buffer_bytes`), and the whole estimate against the memory left
    /// (`memory_left`: what the page's WebAssembly heap can still grow by). Each message gives the estimate and
    /// the limit.
    pub fn check_fits(&self, max_buffer_bytes: Option<u64>, memory_left: Option<u64>) -> Result<()> {
        let mib = |b: u64| (b as f64 / (1u64 << 20) as f64).ceil() as u64;
        if let Some(limit) = max_buffer_bytes {
            let largest = self.largest_tensor_bytes();
            check(largest <= limit, "model size", || {
                format!(
                    "its largest tensor needs {} MiB, and this GPU adapter holds at most {} MiB in one buffer: use \
                     narrower layers or a smaller batch, or the CPU backend",
                    mib(largest),
                    mib(limit)
                )
            })?;
        }
        if let Some(left) = memory_left {
            let need = self.mlp_bytes();
            check(need <= left, "model size", || {
                format!(
                    "the MLP needs about {} MiB, and this tab's WebAssembly memory can grow by only {} MiB more (4 GiB \
                     in all, the dataset included): use narrower layers or a smaller batch",
                    mib(need),
                    mib(left)
                )
            })?;
        }
        Ok(())
    }

    /// Estimated bytes of the MLP (vector and image runs): four copies of every weight (value, gradient, two
    /// optimiser moments) and the activations of one batch, kept for the backward pass.
    pub fn mlp_bytes(&self) -> u64 {
        let inputs: u64 = match dataset_info(&self.dataset).map(|d| d.kind) {
            Ok(DatasetKind::Image) => 3 * 32 * 32,
            Ok(DatasetKind::Plane) => 2,
            _ => return 0, // graph runs size their layers from the graph
        };
        if self.arch != Architecture::Mlp {
            return 0; // the papers' fixed convolutional and NoProp networks
        }
        let widths: Vec<u64> =
            std::iter::once(inputs).chain(self.model.hidden.iter().map(|&w| w as u64)).chain([100]).collect();
        let weights: u64 = widths.windows(2).map(|w| w[0].saturating_mul(w[1]).saturating_add(w[1])).sum();
        let activations = widths.iter().sum::<u64>().saturating_mul(self.batch_size as u64).saturating_mul(2);
        weights.saturating_mul(4).saturating_add(activations).saturating_mul(4)
    }
}
