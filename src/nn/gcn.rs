//! Graph convolution (Kipf & Welling, 2017), as PyG's `GCNConv`: `Z = Â (X W) + b` with
//! `Â = D^-1/2 (A + I) D^-1/2` (built by [`Csr::gcn_normalized`]).
//!
//! # Shapes
//! `X: nodes x in` -> `Z: nodes x out`; `Â: nodes x nodes`.

use super::{Features, Param};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{add_row, matmul, spmm, spmm_transposed, sum_rows, Csr, Device, Tensor};

/// `Z = Â (X W) + b`.
#[derive(Debug)]
pub struct GcnConv {
    /// `in x out`, Glorot-uniform.
    pub weight: Param,
    /// `1 x out`, zero.
    pub bias: Param,
    input: Option<Features>,
}

/// Glorot-uniform `rows x cols` values (bound `sqrt(6 / (rows + cols))`).
pub(crate) fn glorot(device: &Device, rows: usize, cols: usize, rng: &mut Rng) -> Result<Tensor> {
    let bound = (6.0 / (rows + cols).max(1) as f32).sqrt();
    let w: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-bound, bound)).collect();
    device.tensor(rows, cols, &w)
}

impl GcnConv {
    /// PyG's initialisation: Glorot weight, zero bias.
    pub fn new(device: &Device, inputs: usize, outputs: usize, rng: &mut Rng) -> Result<Self> {
        Ok(GcnConv {
            weight: Param::new(glorot(device, inputs, outputs, rng)?),
            bias: Param::new(device.zeros(1, outputs)?),
            input: None,
        })
    }

    /// `Â (X W) + b`, caching `X`.
    pub fn forward(&mut self, graph: &Csr, x: Tensor) -> Result<Tensor> {
        self.forward_features(graph, Features::from(x))
    }

    /// [`GcnConv::forward`] of a (possibly sparse or block) input.
    pub fn forward_features(&mut self, graph: &Csr, x: Features) -> Result<Tensor> {
        let z = self.infer_features(graph, &x)?;
        self.input = Some(x);
        Ok(z)
    }

    /// `Â (X W) + b` without caching.
    pub fn infer(&self, graph: &Csr, x: &Tensor) -> Result<Tensor> {
        add_row(&spmm(graph, &matmul(x, &self.weight.value, false, false)?)?, &self.bias.value)
    }

    /// [`GcnConv::infer`] of a (possibly sparse or block) input.
    pub fn infer_features(&self, graph: &Csr, x: &Features) -> Result<Tensor> {
        add_row(&spmm(graph, &x.matmul(&self.weight.value)?)?, &self.bias.value)
    }

    fn params_backward(&mut self, graph: &Csr, grad_z: &Tensor) -> Result<(Features, Tensor)> {
        let x = self.input.take().ok_or_else(|| Error::invalid("backward", "GcnConv::backward before forward"))?;
        self.bias.accumulate(sum_rows(grad_z)?)?;
        let grad_xw = spmm_transposed(graph, grad_z)?;
        self.weight.accumulate(x.matmul_t(&grad_xw)?)?;
        Ok((x, grad_xw))
    }

    /// From `dL/dZ`: `dL/db = Σ_rows dZ`, `dL/dW = Xᵀ (Âᵀ dZ)`; returns `dL/dX = (Âᵀ dZ) Wᵀ`.
    pub fn backward(&mut self, graph: &Csr, grad_z: &Tensor) -> Result<Tensor> {
        let (_, grad_xw) = self.params_backward(graph, grad_z)?;
        matmul(&grad_xw, &self.weight.value, false, true)
    }

    /// The parameter gradients only: the input is detached (local learning), so `dL/dX` is never formed.
    pub fn backward_params(&mut self, graph: &Csr, grad_z: &Tensor) -> Result<()> {
        self.params_backward(graph, grad_z).map(|_| ())
    }

    /// The weight and the bias.
    pub fn params_mut(&mut self) -> [&mut Param; 2] {
        [&mut self.weight, &mut self.bias]
    }
}
