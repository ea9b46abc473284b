//! A multilayer perceptron: `Linear -> f -> ... -> Linear`, the network of the 2-D playground and of the
//! backprop baseline.

use super::{ActivationLayer, Linear, Param, WeightInit};
use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::{Activation, Device, Tensor};
use serde::{Deserialize, Serialize};

/// Widths and nonlinearity of an [`Mlp`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MlpConfig {
    /// Hidden layer widths (empty = a linear model).
    pub hidden: Vec<usize>,
    /// Nonlinearity after each hidden layer.
    pub activation: Activation,
    /// Whether the linear layers have biases.
    pub bias: bool,
    /// How the weights are drawn.
    pub init: WeightInit,
}

impl Default for MlpConfig {
    fn default() -> Self {
        MlpConfig { hidden: vec![16, 16], activation: Activation::Relu, bias: true, init: WeightInit::KaimingUniform }
    }
}

/// Alternating linear layers and activations; the last linear layer outputs logits.
#[derive(Debug)]
pub struct Mlp {
    linears: Vec<Linear>,
    activations: Vec<ActivationLayer>,
}

impl Mlp {
    /// `inputs -> hidden... -> outputs`.
    pub fn new(device: &Device, inputs: usize, outputs: usize, cfg: &MlpConfig, rng: &mut Rng) -> Result<Self> {
        let widths: Vec<usize> = std::iter::once(inputs).chain(cfg.hidden.iter().copied()).chain([outputs]).collect();
        let linears = widths
            .windows(2)
            .map(|w| Linear::with_init(device, w[0], w[1], cfg.bias, cfg.init, rng))
            .collect::<Result<Vec<_>>>()?;
        let activations = cfg.hidden.iter().map(|_| ActivationLayer::new(cfg.activation)).collect();
        Ok(Mlp { linears, activations })
    }

    /// Logits, caching every layer's input.
    pub fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        let mut h = x;
        for i in 0..self.linears.len() {
            h = self.linears[i].forward(h)?;
            if let Some(act) = self.activations.get_mut(i) {
                h = act.forward(h)?;
            }
        }
        Ok(h)
    }

    /// Logits without caching (evaluation).
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = self.linears[0].infer(x)?;
        for i in 1..self.linears.len() {
            h = self.activations[i - 1].infer(&h)?;
            h = self.linears[i].infer(&h)?;
        }
        Ok(h)
    }

    /// Backpropagates `dL/dlogits` through every layer, accumulating parameter gradients; returns `dL/dx`.
    pub fn backward(&mut self, grad_logits: &Tensor) -> Result<Tensor> {
        let last = self.linears.len() - 1;
        let mut g = self.linears[last].backward(grad_logits)?;
        for i in (0..last).rev() {
            g = self.activations[i].backward(&g)?;
            g = self.linears[i].backward(&g)?;
        }
        Ok(g)
    }

    /// `{prefix}.{i}.weight` and `.bias` for linear layer `i` (input layer first).
    pub fn state_mut(&mut self, prefix: &str) -> super::State<'_> {
        let mut out = Vec::new();
        for (i, l) in self.linears.iter_mut().enumerate() {
            out.extend(l.state_mut(&super::join(prefix, &i.to_string())));
        }
        out
    }

    /// Every parameter, input layer first.
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        self.linears.iter_mut().flat_map(|l| l.params_mut()).collect()
    }

    /// Number of trainable scalars.
    pub fn parameter_count(&self) -> usize {
        self.linears.iter().map(Linear::parameter_count).sum()
    }
}
