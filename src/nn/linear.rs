//! Fully connected layer: `y = x W + b` with `W: in x out`, `b: 1 x out`.
//!
//! # Shapes
//! `x: batch x in` -> `y: batch x out`.

use super::Param;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{add_row, matmul, sum_rows, Device, Tensor};

/// `y = x W + b`.
#[derive(Debug)]
pub struct Linear {
    /// `in x out`.
    pub weight: Param,
    /// `1 x out`.
    pub bias: Param,
    input: Option<Tensor>,
}

impl Linear {
    /// Kaiming-uniform weights (bound `sqrt(6 / in)`, suited to ReLU; PyTorch uses `sqrt(1/in)`), zero bias.
    pub fn new(device: &Device, inputs: usize, outputs: usize, rng: &mut Rng) -> Result<Self> {
        let bound = (6.0 / inputs.max(1) as f32).sqrt();
        let w: Vec<f32> = (0..inputs * outputs).map(|_| rng.uniform(-bound, bound)).collect();
        Ok(Linear {
            weight: Param::new(device.tensor(inputs, outputs, &w)?),
            bias: Param::new(device.zeros(1, outputs)?),
            input: None,
        })
    }

    /// `x W + b`, caching `x` for [`Linear::backward`].
    pub fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        let y = self.infer(&x)?;
        self.input = Some(x);
        Ok(y)
    }

    /// `x W + b` without caching (evaluation).
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        add_row(&matmul(x, &self.weight.value, false, false)?, &self.bias.value)
    }

    /// From `dL/dy`: accumulates `dL/dW = xᵀ dy` and `dL/db = Σ_rows dy`, returns `dL/dx = dy Wᵀ`.
    pub fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let x = self.input.take().ok_or_else(|| Error::invalid("backward", "Linear::backward before forward"))?;
        self.weight.accumulate(matmul(&x, grad_y, true, false)?)?;
        self.bias.accumulate(sum_rows(grad_y)?)?;
        matmul(grad_y, &self.weight.value, false, true)
    }

    /// The weight and the bias.
    pub fn params_mut(&mut self) -> [&mut Param; 2] {
        [&mut self.weight, &mut self.bias]
    }
}
