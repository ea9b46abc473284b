//! The update rule every CCL model shares, also used by their backprop baselines.
//! Implements docs/algorithms/ccl.md, Eqs. (13)-(17); equation numbers below are that page's. In order: the
//! loss-scale warm-up (13), then (model-specific) gradient centralisation (14), then global-norm clipping of F
//! and of G apart (15), one SGD (momentum, L2 weight decay) for each (16), and PyTorch's `CosineAnnealingLR`
//! stepped once per epoch (17).

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::nn::{clip_gradients, LrSchedule, Optimizer, OptimizerConfig, Param};
use crate::tensor::add_scaled;

/// Two SGD optimisers (F and G) with the reference loops' step counters and schedules.
#[derive(Debug)]
pub struct CclUpdates {
    opt_forward: Optimizer,
    opt_feedback: Optimizer,
    /// Global-norm clip of F's and of G's gradients (`<= 0`: off).
    clip: (f32, f32),
    /// Whether the model centralises its gradients (Eq. (14); each model knows its weight layout).
    pub centralize: bool,
    warmup: u32,
    cosine_epochs: Option<usize>,
    base_lr: (f32, f32),
    steps: u32,
    /// Steps since the epoch began (`batch_idx` of the reference loops).
    epoch_steps: u32,
}

impl CclUpdates {
    /// The optimisers `cfg` asks for; `model` names the network in the error for a non-SGD optimiser.
    pub fn new(cfg: &RunConfig, model: &str) -> Result<Self> {
        let (momentum, weight_decay) = match cfg.optimizer {
            OptimizerConfig::Sgd { momentum, weight_decay, .. } => (momentum, weight_decay),
            OptimizerConfig::Adam { .. } => {
                return Err(Error::invalid(
                    "optimizer",
                    format!("{model} trains with SGD (docs/algorithms/ccl.md, Eq. (16))"),
                ))
            }
        };
        let base_lr = (cfg.optimizer.lr(), cfg.ccl.feedback_lr);
        Ok(CclUpdates {
            opt_forward: Optimizer::new(OptimizerConfig::Sgd { lr: base_lr.0, momentum, weight_decay }),
            opt_feedback: Optimizer::new(OptimizerConfig::Sgd { lr: base_lr.1, momentum, weight_decay }),
            clip: (cfg.grad_clip, cfg.ccl.feedback_clip),
            centralize: cfg.grad_centralization,
            warmup: cfg.loss_warmup,
            cosine_epochs: cfg.cosine_lr.then_some(cfg.epochs),
            base_lr,
            steps: 0,
            epoch_steps: 0,
        })
    }

    /// Eq. (13): while in the warm-up the loss is scaled, i.e. every gradient is multiplied by
    /// [`warmup_scale`]. Call before centralising and clipping.
    pub fn warm_up<'a>(&self, params: impl IntoIterator<Item = &'a mut Param>) -> Result<()> {
        if let Some(scale) = warmup_scale(self.warmup, self.steps, self.epoch_steps) {
            for p in params {
                if let Some(g) = p.grad.as_mut() {
                    let copy = g.try_clone()?;
                    add_scaled(g, &copy, scale - 1.0)?;
                }
            }
        }
        Ok(())
    }

    /// Clips F's and G's gradients apart and takes one SGD step on each (G's is skipped when the model has no
    /// feedback network, as in the backprop baselines); counts the step.
    pub fn step(&mut self, mut forward: Vec<&mut Param>, mut feedback: Vec<&mut Param>) -> Result<()> {
        clip_gradients(&mut forward, self.clip.0)?;
        self.opt_forward.step(forward)?;
        if !feedback.is_empty() {
            clip_gradients(&mut feedback, self.clip.1)?;
            self.opt_feedback.step(feedback)?;
        }
        self.steps += 1;
        self.epoch_steps += 1;
        Ok(())
    }

    /// End of an epoch: the warm-up's `batch_idx` restarts and the cosine schedule (if on) steps.
    pub fn end_epoch(&mut self, epochs_done: usize) {
        self.epoch_steps = 0;
        if let Some(t_max) = self.cosine_epochs {
            let (f, g) = cosine_lrs(self.base_lr, epochs_done, t_max);
            self.opt_forward.set_lr(f);
            self.opt_feedback.set_lr(g);
        }
    }
}

/// The loss-scale warm-up of the reference loops (Eq. (13)): while `global_step < warmup` the loss is
/// multiplied by `(batch_idx + 1) / warmup`, where `batch_idx` restarts every epoch (so with fewer than
/// `warmup` steps per epoch the ramp restarts each epoch, as in the code).
pub fn warmup_scale(warmup: u32, global_step: u32, epoch_step: u32) -> Option<f32> {
    (warmup > 0 && global_step < warmup).then(|| (epoch_step + 1) as f32 / warmup as f32)
}

/// The learning rates of F and G after `epochs_done` epochs of PyTorch's `CosineAnnealingLR(T_max, 0.001)`
/// (Eq. (17)).
pub fn cosine_lrs(base: (f32, f32), epochs_done: usize, t_max: usize) -> (f32, f32) {
    let schedule = LrSchedule::Cosine { t_max: t_max as u32, eta_min: 0.001 };
    (schedule.lr(base.0, epochs_done as u32), schedule.lr(base.1, epochs_done as u32))
}
