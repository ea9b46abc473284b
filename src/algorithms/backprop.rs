//! The backprop baseline: an MLP trained end to end on the mean softmax cross-entropy, gradients flowing from
//! the loss through every layer (Rumelhart, Hinton & Williams, 1986). The control group the forward-only
//! algorithms are compared with.

use super::{Algorithm, Problem};
use crate::config::RunConfig;
use crate::error::Result;
use crate::nn::{softmax_cross_entropy, Mlp, Optimizer};
use crate::rng::Rng;
use crate::tensor::{Device, Tensor};

/// An MLP and its optimiser.
#[derive(Debug)]
pub struct Backprop {
    net: Mlp,
    optimizer: Optimizer,
}

pub(super) fn build(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(Backprop::new(cfg, problem, device, rng)?))
}

impl Backprop {
    /// An MLP `inputs -> cfg.model.hidden -> classes` with `cfg.optimizer`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        Ok(Backprop {
            net: Mlp::new(device, problem.inputs, problem.classes, &cfg.model, rng)?,
            optimizer: Optimizer::new(cfg.optimizer.clone()),
        })
    }
}

impl Algorithm for Backprop {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let logits = self.net.forward(x)?;
        let loss = softmax_cross_entropy(&logits, y)?;
        self.net.backward(&loss.grad)?;
        self.optimizer.step(self.net.params_mut())?;
        Ok(loss.per_example)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        self.net.infer(x)
    }

    fn parameter_count(&self) -> usize {
        self.net.parameter_count()
    }
}
