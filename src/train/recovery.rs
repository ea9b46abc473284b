//! Recovering a run instead of losing it: the page keeps the weights of the last epoch whose numbers were finite
//! (a [`Checkpoint`]); when a loss stops being a number mid-epoch ([`Trainer::check_divergence`]), or the GPU is
//! lost or fails, [`Trainer::restart`] builds the run again — with a lower learning rate, or on the CPU — from
//! those weights, keeping its epoch count and history. The optimiser starts afresh (its state is not kept).

use super::{EpochMetrics, Trainer, Weights};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::tensor::Device;

/// The state of a run at the end of a good epoch.
#[derive(Clone, Debug, Default)]
pub struct Checkpoint {
    /// Epochs finished when it was taken (0: the initial weights).
    pub epoch: usize,
    /// Steps taken by then.
    pub steps: u64,
    /// The weights.
    pub weights: Weights,
}

/// What a trainer keeps for recovery.
#[derive(Default)]
pub(super) struct Recovery {
    pub(super) last_good: Option<Checkpoint>,
    pub(super) diverged: Option<String>,
}

impl Trainer {
    /// Keeps the current weights as the last good ones (the page calls it at the start and after every epoch whose
    /// numbers are finite; a readback of every weight).
    pub async fn checkpoint(&mut self) -> Result<()> {
        let weights = self.weights().await?;
        if weights.is_finite() {
            self.recovery.last_good = Some(Checkpoint { epoch: self.epoch, steps: self.steps, weights });
        }
        Ok(())
    }

    /// The last good checkpoint, if one was kept.
    pub fn last_good(&self) -> Option<&Checkpoint> {
        self.recovery.last_good.as_ref()
    }

    /// Why the run stopped being trainable, if it did.
    pub fn diverged(&self) -> Option<&str> {
        self.recovery.diverged.as_deref()
    }

    /// Reads the running training loss of the epoch so far (one number); if it is not finite, the run has
    /// diverged within the steps since the last check (`since` is the step count then), and the message says
    /// where and what was kept.
    pub async fn check_divergence(&mut self, since: u64) -> Result<Option<String>> {
        let running = self.loss_sum.to_vec().await?.first().copied().unwrap_or(0.0);
        if running.is_finite() {
            return Ok(None);
        }
        let at = if self.steps == since + 1 {
            format!("step {}", self.steps)
        } else {
            format!("steps {}–{}", since + 1, self.steps)
        };
        let kept = match &self.recovery.last_good {
            Some(c) if c.epoch > 0 => format!("the weights of epoch {} are kept", c.epoch),
            Some(_) => "the initial weights are kept".into(),
            None => "no earlier weights were kept".into(),
        };
        let message = format!(
            "Training diverged at {at} (epoch {}): the loss became {running}. The run is paused and {kept}: lower \
             the learning rate (now {}) and press Train to continue from them.",
            self.epoch + 1,
            self.cfg.optimizer.lr()
        );
        self.recovery.diverged = Some(message.clone());
        Ok(Some(message))
    }

    /// Builds this run again from its last good checkpoint with `cfg` (a lower learning rate, say) on `device`
    /// (the CPU after a GPU failure): the same data, the checkpoint's weights, epoch and step counts, and the
    /// history up to it. Fails if no checkpoint was kept or the model's shape changed.
    pub fn restart(&self, cfg: &RunConfig, device: Device) -> Result<Trainer> {
        let Some(c) = self.recovery.last_good.clone() else {
            return Err(Error::invalid("restart", "no good weights were kept for this run"));
        };
        let mut fresh = Trainer::with_dataset(cfg, device, self.data.clone())?;
        fresh.load_weights(&c.weights)?;
        fresh.epoch = c.epoch;
        fresh.steps = c.steps;
        fresh.history = self.history.iter().filter(|m| m.epoch <= c.epoch).cloned().collect::<Vec<EpochMetrics>>();
        fresh.yield_now = self.yield_now.clone();
        fresh.recovery.last_good = Some(c);
        Ok(fresh)
    }
}
