//! The backprop baseline: an MLP trained end to end on the mean softmax cross-entropy, gradients flowing from
//! the loss through every layer (Rumelhart, Hinton & Williams, 1986). The control group the forward-only
//! algorithms are compared with.

use super::{Algorithm, Problem};
use crate::config::Architecture;
use crate::config::RunConfig;
use crate::error::Error;
use crate::error::Result;
use crate::nn::{centralize_gradients, clip_gradients, softmax_cross_entropy, Mlp, Optimizer};
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

pub(super) fn build(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    match cfg.arch {
        Architecture::Cnn => super::ccl_cnn::build_backprop(cfg, problem, device, rng),
        Architecture::Autoencoder => super::ccl_autoencoder::build_backprop(cfg, problem, device, rng),
        Architecture::NoProp => super::noprop_backprop::build(cfg, problem, device, rng),
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
        self.net.backward(&loss.grad)?;
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
}
