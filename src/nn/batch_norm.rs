//! Batch normalisation layer (Ioffe & Szegedy, 2015) with PyTorch's conventions: `gamma = 1`, `beta = 0`,
//! `eps = 1e-5`, running statistics with momentum 0.1 (`running = (1 - m) running + m batch`, the running
//! variance unbiased), biased batch variance in training, running statistics in evaluation.
//!
//! # Shapes
//! `x: batch x (channels plane)` (plane = 1: BatchNorm1d; plane = h w: BatchNorm2d), parameters `1 x channels`.

use super::Param;
use crate::error::{Error, Result};
use crate::tensor::{add_scaled, batch_norm, batch_norm_backward, batch_norm_stats, Device, Tensor};

/// Normalises each channel, then scales by `gamma` and shifts by `beta`.
#[derive(Debug)]
pub struct BatchNorm {
    pub channels: usize,
    pub eps: f32,
    pub momentum: f32,
    pub gamma: Param,
    pub beta: Param,
    /// Running mean (`1 x channels`), used in evaluation.
    pub running_mean: Tensor,
    /// Running unbiased variance, used in evaluation.
    pub running_var: Tensor,
    cache: Option<(Tensor, Tensor, Tensor)>,
}

impl BatchNorm {
    /// A layer over `channels` channels.
    pub fn new(device: &Device, channels: usize) -> Result<Self> {
        let ones = vec![1.0; channels];
        Ok(BatchNorm {
            channels,
            eps: 1e-5,
            momentum: 0.1,
            gamma: Param::new(device.tensor(1, channels, &ones)?),
            beta: Param::new(device.zeros(1, channels)?),
            running_mean: device.zeros(1, channels)?,
            running_var: device.tensor(1, channels, &ones)?,
            cache: None,
        })
    }

    /// Training forward: batch statistics, running statistics updated, input cached.
    pub fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        let (mean, var) = batch_norm_stats(&x, self.channels)?;
        let y = batch_norm(&x, &mean, &var, &self.gamma.value, &self.beta.value, self.channels, self.eps)?;
        let count = (x.len() / self.channels.max(1)) as f32;
        let unbias = if count > 1.0 { count / (count - 1.0) } else { 1.0 };
        // running += m (batch - running), computed on the device
        let mut delta = mean.try_clone()?;
        add_scaled(&mut delta, &self.running_mean, -1.0)?;
        add_scaled(&mut self.running_mean, &delta, self.momentum)?;
        let mut delta = self.running_var.device().zeros(1, self.channels)?;
        add_scaled(&mut delta, &var, unbias)?;
        add_scaled(&mut delta, &self.running_var, -1.0)?;
        add_scaled(&mut self.running_var, &delta, self.momentum)?;
        self.cache = Some((x, mean, var));
        Ok(y)
    }

    /// Evaluation forward with the running statistics.
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        batch_norm(
            x,
            &self.running_mean,
            &self.running_var,
            &self.gamma.value,
            &self.beta.value,
            self.channels,
            self.eps,
        )
    }

    /// Accumulates `d gamma`, `d beta`; returns `dx` through the batch statistics.
    pub fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let (x, mean, var) =
            self.cache.take().ok_or_else(|| Error::invalid("backward", "BatchNorm::backward before forward"))?;
        let (dx, dgamma, dbeta) =
            batch_norm_backward(&x, grad_y, &mean, &var, &self.gamma.value, self.channels, self.eps)?;
        self.gamma.accumulate(dgamma)?;
        self.beta.accumulate(dbeta)?;
        Ok(dx)
    }

    /// `gamma` and `beta`.
    pub fn params_mut(&mut self) -> [&mut Param; 2] {
        [&mut self.gamma, &mut self.beta]
    }
}
