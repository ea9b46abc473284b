//! An elementwise nonlinearity as a layer (caches its input for the backward pass).

use crate::error::{Error, Result};
use crate::tensor::{activation, activation_backward, Activation, Tensor};

/// `y = f(x)`.
#[derive(Debug)]
pub struct ActivationLayer {
    /// The nonlinearity.
    pub f: Activation,
    input: Option<Tensor>,
}

impl ActivationLayer {
    /// A layer applying `f`.
    pub fn new(f: Activation) -> Self {
        ActivationLayer { f, input: None }
    }

    /// `f(x)`, caching `x`.
    pub fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        let y = activation(&x, self.f)?;
        self.input = Some(x);
        Ok(y)
    }

    /// `f(x)` without caching.
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        activation(x, self.f)
    }

    /// `dL/dx = dL/dy * f'(x)`.
    pub fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let x = self.input.take().ok_or_else(|| Error::invalid("backward", "activation backward before forward"))?;
        activation_backward(&x, grad_y, self.f)
    }
}
