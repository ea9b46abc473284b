//! Fully connected layer: `y = x W + b` with `W: in x out`, `b: 1 x out` (or no bias).
//!
//! # Shapes
//! `x: batch x in` -> `y: batch x out`.

use super::Param;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{add_row, matmul, sum_rows, Device, Tensor};
use serde::{Deserialize, Serialize};

/// How a layer's initial weights are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightInit {
    /// `U(-sqrt(6/in), sqrt(6/in))`, suited to ReLU (He et al., 2015).
    #[default]
    KaimingUniform,
    /// PyTorch's default for `nn.Linear` / `nn.Conv2d`: `U(-1/sqrt(fan_in), 1/sqrt(fan_in))`
    /// (`kaiming_uniform_(a = sqrt(5))`), which the CCL reference code keeps.
    Torch,
}

impl WeightInit {
    /// The bound `b` of `U(-b, b)` for a layer with `fan_in` inputs.
    pub fn bound(self, fan_in: usize) -> f32 {
        let fan_in = fan_in.max(1) as f32;
        match self {
            WeightInit::KaimingUniform => (6.0 / fan_in).sqrt(),
            WeightInit::Torch => 1.0 / fan_in.sqrt(),
        }
    }

    /// `rows x cols` weights with `fan_in` inputs, drawn from `rng`.
    pub fn draw(self, device: &Device, rows: usize, cols: usize, fan_in: usize, rng: &mut Rng) -> Result<Tensor> {
        let bound = self.bound(fan_in);
        let w: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-bound, bound)).collect();
        device.tensor(rows, cols, &w)
    }
}

/// `y = x W + b`.
#[derive(Debug)]
pub struct Linear {
    /// `in x out`.
    pub weight: Param,
    /// `1 x out`, if the layer has a bias.
    pub bias: Option<Param>,
    input: Option<Tensor>,
}

impl Linear {
    /// Kaiming-uniform weights (bound `sqrt(6 / in)`, suited to ReLU; PyTorch uses `sqrt(1/in)`), zero bias.
    pub fn new(device: &Device, inputs: usize, outputs: usize, rng: &mut Rng) -> Result<Self> {
        Self::with_init(device, inputs, outputs, true, WeightInit::KaimingUniform, rng)
    }

    /// PyTorch's `nn.Linear` default: weight and bias both `U(±1/sqrt(in))`.
    pub fn torch(device: &Device, inputs: usize, outputs: usize, rng: &mut Rng) -> Result<Self> {
        let weight = Param::new(WeightInit::Torch.draw(device, inputs, outputs, inputs, rng)?);
        let bias = Param::new(WeightInit::Torch.draw(device, 1, outputs, inputs, rng)?);
        Ok(Linear { weight, bias: Some(bias), input: None })
    }

    /// Weights drawn by `init`; a zero bias if `bias`.
    pub fn with_init(
        device: &Device,
        inputs: usize,
        outputs: usize,
        bias: bool,
        init: WeightInit,
        rng: &mut Rng,
    ) -> Result<Self> {
        let weight = Param::new(init.draw(device, inputs, outputs, inputs, rng)?);
        let bias = if bias { Some(Param::new(device.zeros(1, outputs)?)) } else { None };
        Ok(Linear { weight, bias, input: None })
    }

    /// `x W + b`, caching `x` for [`Linear::backward`].
    pub fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        let y = self.infer(&x)?;
        self.input = Some(x);
        Ok(y)
    }

    /// `x W + b` without caching (evaluation).
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        let y = matmul(x, &self.weight.value, false, false)?;
        match &self.bias {
            Some(b) => add_row(&y, &b.value),
            None => Ok(y),
        }
    }

    /// From `dL/dy`: accumulates `dL/dW = xᵀ dy` and `dL/db = Σ_rows dy`, returns `dL/dx = dy Wᵀ`.
    pub fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        self.backward_params(grad_y)?;
        matmul(grad_y, &self.weight.value, false, true)
    }

    /// [`Self::backward`] without `dL/dx`: for a first layer, whose input needs no gradient (it saves the largest
    /// product of a step on MNIST-sized inputs).
    pub fn backward_params(&mut self, grad_y: &Tensor) -> Result<()> {
        let x = self.input.take().ok_or_else(|| Error::invalid("backward", "Linear::backward before forward"))?;
        self.weight.accumulate(matmul(&x, grad_y, true, false)?)?;
        if let Some(b) = &mut self.bias {
            b.accumulate(sum_rows(grad_y)?)?;
        }
        Ok(())
    }

    /// The weight and the bias (if any).
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        let mut out = vec![&mut self.weight];
        if let Some(b) = &mut self.bias {
            out.push(b);
        }
        out
    }

    /// Number of trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.as_ref().map_or(0, Param::len)
    }
}
