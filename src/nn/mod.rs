//! Layers with explicit `forward` (caching what `backward` needs) and `backward` (returning the input gradient
//! and accumulating parameter gradients). There is no autodiff tape: a gradient flows only where code calls
//! `backward`, so every stop-gradient boundary of a local-learning algorithm is a visible line of code.

mod activation;
mod batch_norm;
mod conv2d;
mod conv_unit;
mod dropout;
mod embedding;
mod features;
mod gat;
mod gcn;
mod gnn;
mod linear;
mod loss;
mod mlp;
mod optim;
mod sage;
mod schedule;
mod sequential;
mod state;

pub use activation::ActivationLayer;
pub use batch_norm::BatchNorm;
pub use conv2d::{Conv2d, MaxPool2x2, Upsample2x};
pub use conv_unit::{orthogonal, orthonormal_rows, ConvUnit, ConvUnitCache};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use features::{upload_csr, FeatureBlock, Features, Matrix, SharedProducts};
pub use gat::{GatConv, GAT_SLOPE};
pub use gcn::GcnConv;
pub use gnn::{GnnConv, GnnGraph, GnnKind, GAT_HEADS};
pub use linear::{Linear, WeightInit};
pub use loss::{softmax_cross_entropy, LossOutput};
pub use mlp::{Mlp, MlpConfig};
pub use optim::{centralize_gradients, clip_gradients, Optimizer, OptimizerConfig};
pub use sage::SageConv;
pub use schedule::LrSchedule;
pub use sequential::{Layer, Sequential};
pub use state::{indexed, join, State};

use crate::error::Result;
use crate::tensor::{add_scaled, Tensor};

/// A trainable tensor and its accumulated gradient.
#[derive(Debug)]
pub struct Param {
    /// Current value.
    pub value: Tensor,
    /// Gradient accumulated since the last optimiser step (None = zero).
    pub grad: Option<Tensor>,
}

impl Param {
    /// A parameter with no gradient yet.
    pub fn new(value: Tensor) -> Self {
        Param { value, grad: None }
    }

    /// Adds `g` to the accumulated gradient.
    pub fn accumulate(&mut self, g: Tensor) -> Result<()> {
        match &mut self.grad {
            Some(acc) => add_scaled(acc, &g, 1.0),
            None => {
                self.grad = Some(g);
                Ok(())
            }
        }
    }

    /// Number of scalars.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// True for an empty parameter.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }
}
