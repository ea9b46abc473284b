//! A chain of dense layers run in order, backward in reverse: the container for feed-forward stacks
//! (`Linear`, activations, batch norm, convolutions, pooling). Graph layers take the graph as an extra input
//! and are composed by the algorithms themselves.

use super::{ActivationLayer, BatchNorm, Conv2d, Dropout, Linear, MaxPool2x2, Param};
use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// One layer of a [`Sequential`].
#[derive(Debug)]
pub enum Layer {
    Linear(Linear),
    Activation(ActivationLayer),
    BatchNorm(BatchNorm),
    Conv2d(Conv2d),
    MaxPool(MaxPool2x2),
    /// Dropout: a fresh mask from the run's RNG in every training forward, the identity in evaluation.
    Dropout(Dropout),
}

impl Layer {
    fn forward(&mut self, x: Tensor, rng: &mut Rng) -> Result<Tensor> {
        match self {
            Layer::Dropout(l) => l.forward(&x, rng),
            Layer::Linear(l) => l.forward(x),
            Layer::Activation(l) => l.forward(x),
            Layer::BatchNorm(l) => l.forward(x),
            Layer::Conv2d(l) => l.forward(x),
            Layer::MaxPool(l) => l.forward(x),
        }
    }

    fn infer(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Layer::Linear(l) => l.infer(x),
            Layer::Activation(l) => l.infer(x),
            Layer::BatchNorm(l) => l.infer(x),
            Layer::Conv2d(l) => l.infer(x),
            Layer::MaxPool(l) => l.infer(x),
            Layer::Dropout(_) => x.try_clone(),
        }
    }

    fn backward(&mut self, grad: &Tensor) -> Result<Tensor> {
        match self {
            Layer::Linear(l) => l.backward(grad),
            Layer::Activation(l) => l.backward(grad),
            Layer::BatchNorm(l) => l.backward(grad),
            Layer::Conv2d(l) => l.backward(grad),
            Layer::MaxPool(l) => l.backward(grad),
            Layer::Dropout(l) => l.backward(grad),
        }
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        match self {
            Layer::Linear(l) => l.params_mut().into_iter().collect(),
            Layer::BatchNorm(l) => l.params_mut().into_iter().collect(),
            Layer::Conv2d(l) => l.params_mut(),
            Layer::Activation(_) | Layer::MaxPool(_) | Layer::Dropout(_) => Vec::new(),
        }
    }
}

/// Layers applied in order.
#[derive(Debug, Default)]
pub struct Sequential {
    pub layers: Vec<Layer>,
}

impl Sequential {
    /// A chain of `layers`.
    pub fn new(layers: Vec<Layer>) -> Self {
        Sequential { layers }
    }

    /// Training forward through every layer (each caches what its backward needs); dropout masks come from
    /// `rng`.
    pub fn forward(&mut self, x: Tensor, rng: &mut Rng) -> Result<Tensor> {
        self.layers.iter_mut().try_fold(x, |h, layer| layer.forward(h, rng))
    }

    /// Evaluation forward, no caching (batch norm uses its running statistics).
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = x.try_clone()?;
        for layer in &self.layers {
            h = layer.infer(&h)?;
        }
        Ok(h)
    }

    /// Backward through every layer in reverse; returns `dL/dx`.
    pub fn backward(&mut self, grad: &Tensor) -> Result<Tensor> {
        let mut g = grad.try_clone()?;
        for layer in self.layers.iter_mut().rev() {
            g = layer.backward(&g)?;
        }
        Ok(g)
    }

    /// [`Sequential::backward`] for a chain whose input is data: every parameter's gradient, without `dL/dx`
    /// (the first layer's input gradient, when it is a dense or convolutional layer, is not computed).
    pub fn backward_params(&mut self, grad: &Tensor) -> Result<()> {
        let Some((first, rest)) = self.layers.split_first_mut() else { return Ok(()) };
        let mut g = grad.try_clone()?;
        for layer in rest.iter_mut().rev() {
            g = layer.backward(&g)?;
        }
        match first {
            Layer::Linear(l) => l.backward_params(&g),
            Layer::Conv2d(l) => l.backward_params(&g),
            other => other.backward(&g).map(drop),
        }
    }

    /// Every parameter, first layer first.
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        self.layers.iter_mut().flat_map(Layer::params_mut).collect()
    }
}
