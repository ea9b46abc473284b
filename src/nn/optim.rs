//! Optimisers over a list of [`Param`]s: Adam/AdamW and SGD with momentum. State (moments, velocities) is
//! created on the parameter's device at the first step and kept there.

use super::Param;
use crate::error::{Error, Result};
use crate::tensor::{adam, sgd, AdamStep, SgdStep, Tensor};
use serde::{Deserialize, Serialize};

/// Which optimiser and its hyper-parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OptimizerConfig {
    /// Adam (Kingma & Ba, 2015); `decoupled` makes it AdamW.
    Adam { lr: f32, beta1: f32, beta2: f32, eps: f32, weight_decay: f32, decoupled: bool },
    /// SGD with momentum and weight decay.
    Sgd { lr: f32, momentum: f32, weight_decay: f32 },
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig::adam(0.01)
    }
}

impl OptimizerConfig {
    /// The same optimiser with learning rate `lr`.
    pub fn with_lr(mut self, new_lr: f32) -> Self {
        match &mut self {
            OptimizerConfig::Adam { lr, .. } | OptimizerConfig::Sgd { lr, .. } => *lr = new_lr,
        }
        self
    }

    /// Adam with the usual defaults and learning rate `lr`.
    pub fn adam(lr: f32) -> Self {
        OptimizerConfig::Adam { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled: false }
    }

    /// The learning rate.
    pub fn lr(&self) -> f32 {
        match self {
            OptimizerConfig::Adam { lr, .. } | OptimizerConfig::Sgd { lr, .. } => *lr,
        }
    }
}

/// Per-parameter optimiser state.
#[derive(Debug)]
enum Slot {
    Adam { m: Tensor, v: Tensor },
    Sgd { velocity: Tensor },
}

/// An optimiser bound to an ordered list of parameters (the same order at every step).
#[derive(Debug)]
pub struct Optimizer {
    cfg: OptimizerConfig,
    t: u32,
    slots: Vec<Slot>,
}

impl Optimizer {
    /// A fresh optimiser.
    pub fn new(cfg: OptimizerConfig) -> Self {
        Optimizer { cfg, t: 0, slots: Vec::new() }
    }

    /// Changes the learning rate (for schedules; see [`super::LrSchedule`]).
    pub fn set_lr(&mut self, new_lr: f32) {
        match &mut self.cfg {
            OptimizerConfig::Adam { lr, .. } | OptimizerConfig::Sgd { lr, .. } => *lr = new_lr,
        }
    }

    /// The learning rate.
    pub fn lr(&self) -> f32 {
        self.cfg.lr()
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u32 {
        self.t
    }

    /// Updates every parameter from its accumulated gradient, then clears the gradients.
    pub fn step(&mut self, params: Vec<&mut Param>) -> Result<()> {
        self.t += 1;
        if self.slots.is_empty() {
            for p in &params {
                let device = p.value.device();
                let [r, c] = p.value.shape();
                self.slots.push(match self.cfg {
                    OptimizerConfig::Adam { .. } => Slot::Adam { m: device.zeros(r, c)?, v: device.zeros(r, c)? },
                    OptimizerConfig::Sgd { .. } => Slot::Sgd { velocity: device.zeros(r, c)? },
                });
            }
        }
        if self.slots.len() != params.len() {
            return Err(Error::invalid("optimizer", format!("{} params for {} slots", params.len(), self.slots.len())));
        }
        for (p, slot) in params.into_iter().zip(&mut self.slots) {
            let Some(grad) = p.grad.take() else { continue };
            match (&self.cfg, slot) {
                (&OptimizerConfig::Adam { lr, beta1, beta2, eps, weight_decay, decoupled }, Slot::Adam { m, v }) => {
                    let hp = AdamStep { lr, beta1, beta2, eps, weight_decay, decoupled, t: self.t };
                    adam(&mut p.value, &grad, m, v, &hp)?;
                }
                (&OptimizerConfig::Sgd { lr, momentum, weight_decay }, Slot::Sgd { velocity }) => {
                    sgd(&mut p.value, &grad, velocity, &SgdStep { lr, momentum, weight_decay })?;
                }
                _ => return Err(Error::invalid("optimizer", "state does not match the optimiser kind")),
            }
        }
        Ok(())
    }
}

/// Gradient centralisation (Yong et al., 2020) of every weight matrix in `params` (those with more than one
/// row; biases are skipped), as CCL's code applies it before clipping (docs/algorithms/ccl.md, Eq. (14)).
pub fn centralize_gradients(params: &mut [&mut Param]) -> Result<()> {
    for p in params.iter_mut() {
        if p.value.rows() > 1 {
            if let Some(g) = p.grad.as_mut() {
                crate::tensor::centralize_columns(g)?;
            }
        }
    }
    Ok(())
}

/// Global-norm clipping of the gradients of `params` taken as one group (PyTorch's `clip_grad_norm_`):
/// `coef = min(1, max_norm / (sqrt(Σ ||g||²) + 1e-6))`. Does nothing when `max_norm` is 0.
pub fn clip_gradients(params: &mut [&mut Param], max_norm: f32) -> Result<()> {
    if max_norm <= 0.0 {
        return Ok(());
    }
    let mut grads: Vec<&mut crate::tensor::Tensor> = params.iter_mut().filter_map(|p| p.grad.as_mut()).collect();
    crate::tensor::clip_global_norm(&mut grads, max_norm)
}
