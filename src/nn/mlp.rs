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

    /// [`Self::backward`] for a network whose input needs no gradient: the same parameter gradients, without the
    /// first layer's `dL/dx` (the backprop baseline's step).
    pub fn backward_params(&mut self, grad_logits: &Tensor) -> Result<()> {
        let last = self.linears.len() - 1;
        if last == 0 {
            return self.linears[0].backward_params(grad_logits);
        }
        let mut g = self.linears[last].backward(grad_logits)?;
        for i in (1..last).rev() {
            g = self.activations[i].backward(&g)?;
            g = self.linears[i].backward(&g)?;
        }
        g = self.activations[0].backward(&g)?;
        self.linears[0].backward_params(&g)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backward_params_gives_backwards_parameter_gradients() {
        let cfg = MlpConfig { hidden: vec![5, 4], ..MlpConfig::default() };
        let x = Tensor::Cpu(ndarray::Array2::from_shape_fn((3, 6), |(i, j)| (i as f32 - j as f32) * 0.3));
        let g = Tensor::Cpu(ndarray::Array2::from_shape_fn((3, 2), |(i, j)| 0.1 * (i + 2 * j) as f32 - 0.2));
        let grads = |params_only: bool| -> Vec<Vec<f32>> {
            let mut net = Mlp::new(&Device::Cpu, 6, 2, &cfg, &mut Rng::new(3)).unwrap();
            net.forward(x.try_clone().unwrap()).unwrap();
            if params_only {
                net.backward_params(&g).unwrap();
            } else {
                net.backward(&g).unwrap();
            }
            let grad_of = |p: &mut Param| match p.grad.as_ref().unwrap() {
                Tensor::Cpu(a) => a.iter().copied().collect::<Vec<f32>>(),
                Tensor::Gpu(_) => unreachable!("a CPU network"),
            };
            net.params_mut().into_iter().map(grad_of).collect()
        };
        assert_eq!(grads(true), grads(false));
    }
}
