//! The backprop baseline: an MLP trained end to end on the mean softmax cross-entropy.
//! Implements the backprop MLP baseline of docs/algorithms/ccl.md ("Architectures and hyper-parameters"): CCL's
//! forward network (Eq. (1)) without its stop-gradients, trained on the cross-entropy of Eq. (7) through every
//! layer, with the optional centralisation (Eq. (14)) and clipping (Eq. (15)) before the optimiser step. Other
//! architectures go to their own baselines: CCL's CNN and autoencoder (`ccl::cnn`, `ccl::autoencoder`) and
//! NoProp's blocks (`noprop::backprop`, docs/algorithms/noprop.md, Eq. (24)).
//!
//! Gradients flow from the loss through every layer (Rumelhart, Hinton & Williams, 1986): the control group the
//! forward-only algorithms are compared with.

use super::{ccl, noprop, Algorithm, Problem};
use crate::config::{Architecture, RunConfig, Selection};
use crate::error::{Error, Result};
use crate::nn::{centralize_gradients, clip_gradients, softmax_cross_entropy, Mlp, Optimizer, OptimizerConfig};
use crate::rng::Rng;
use crate::tensor::{Device, Tensor};

/// An MLP and its optimiser (with the optional gradient centralisation and global-norm clipping of the
/// papers' baselines, applied in that order before the step).
#[derive(Debug)]
pub struct Backprop {
    net: Mlp,
    optimizer: Optimizer,
    clip: f32,
    centralize: bool,
}

/// The baselines' settings on top of `RunConfig::base`: the CCL paper's backprop configs (`cnn_pool`: batch
/// 256, SGD lr 0.03, momentum 0.5, weight decay 1e-5, warm-up 200 steps, no clipping; the autoencoder: the same
/// SGD and warm-up), NoProp's Table 3 with AdamW on NoProp's blocks, and on images the paper's model selection
/// by highest validation accuracy (docs/algorithms/ccl.md).
pub(crate) fn defaults(cfg: &mut RunConfig) {
    if cfg.is_image() && cfg.arch != Architecture::Autoencoder {
        cfg.selection = Selection::ValAccuracy;
    }
    match cfg.arch {
        Architecture::Autoencoder => {
            cfg.optimizer = OptimizerConfig::Sgd { lr: 0.03, momentum: 0.5, weight_decay: 1e-5 };
            cfg.loss_warmup = 200;
        }
        Architecture::Cnn => {
            cfg.batch_size = 256;
            cfg.optimizer = OptimizerConfig::Sgd { lr: 0.03, momentum: 0.5, weight_decay: 1e-5 };
            cfg.loss_warmup = 200;
            cfg.grad_clip = 0.0;
        }
        Architecture::NoProp => noprop::table3(cfg, true),
        Architecture::Mlp => {}
    }
}

pub(crate) fn build(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    match cfg.arch {
        Architecture::Cnn => ccl::cnn::build_backprop(cfg, problem, device, rng),
        Architecture::Autoencoder => ccl::autoencoder::build_backprop(cfg, problem, device, rng),
        Architecture::NoProp => noprop::backprop::build(cfg, problem, device, rng),
        _ => Ok(Box::new(Backprop::new(cfg, problem, device, rng)?)),
    }
}

impl Backprop {
    /// An MLP `inputs -> cfg.model.hidden -> classes` with `cfg.optimizer`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        if cfg.arch != Architecture::Mlp {
            return Err(Error::invalid(
                "model",
                format!("the backprop baseline runs the MLP and the CNN, not `{}` (yet)", cfg.arch.name()),
            ));
        }
        Ok(Backprop {
            net: Mlp::new(device, problem.inputs, problem.classes, &cfg.model, rng)?,
            optimizer: Optimizer::new(cfg.optimizer.clone()),
            clip: cfg.grad_clip,
            centralize: cfg.grad_centralization,
        })
    }
}

impl Algorithm for Backprop {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let logits = self.net.forward(x)?;
        let loss = softmax_cross_entropy(&logits, y)?;
        self.net.backward_params(&loss.grad)?; // the input needs no gradient
        let mut params = self.net.params_mut();
        if self.centralize {
            centralize_gradients(&mut params)?;
        }
        clip_gradients(&mut params, self.clip)?;
        self.optimizer.step(params)?;
        Ok(loss.per_example)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        self.net.infer(x)
    }

    fn parameter_count(&self) -> usize {
        self.net.parameter_count()
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        self.net.state_mut("layers")
    }
}
