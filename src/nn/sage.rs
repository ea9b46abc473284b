//! GraphSAGE with mean aggregation (Hamilton et al., 2017), as PyG's `SAGEConv(aggr="mean")`:
//! `Z = mean_{j -> i}(x_j) W_l + b_l + X W_r` with the mean matrix `M` from [`Csr::mean_aggregation`].
//!
//! # Shapes
//! `X: nodes x in` -> `Z: nodes x out`.

use super::{Features, Param};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{add_row, add_scaled, matmul, spmm, spmm_transposed, sum_rows, Csr, Device, Tensor};

/// `Z = M X W_l + b_l + X W_r` (`M` = mean over incoming edges).
#[derive(Debug)]
pub struct SageConv {
    /// Neighbour weight `in x out`.
    pub weight_neighbors: Param,
    /// Root weight `in x out` (no bias, as in PyG).
    pub weight_root: Param,
    /// `1 x out`.
    pub bias: Param,
    input: Option<Features>,
}

fn uniform(device: &Device, rows: usize, cols: usize, bound: f32, rng: &mut Rng) -> Result<Tensor> {
    let w: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-bound, bound)).collect();
    device.tensor(rows, cols, &w)
}

impl SageConv {
    /// PyG's initialisation: weights and bias `U(±1/sqrt(in))` (kaiming-uniform with a = √5).
    pub fn new(device: &Device, inputs: usize, outputs: usize, rng: &mut Rng) -> Result<Self> {
        let bound = 1.0 / (inputs.max(1) as f32).sqrt();
        Ok(SageConv {
            weight_neighbors: Param::new(uniform(device, inputs, outputs, bound, rng)?),
            bias: Param::new(uniform(device, 1, outputs, bound, rng)?),
            weight_root: Param::new(uniform(device, inputs, outputs, bound, rng)?),
            input: None,
        })
    }

    /// `Z = M (X W_l) + b_l + X W_r` (the same as `(M X) W_l`, but `X` may be sparse).
    fn compute(&self, graph: &Csr, x: &Features) -> Result<Tensor> {
        let mut z = add_row(&spmm(graph, &x.matmul(&self.weight_neighbors.value)?)?, &self.bias.value)?;
        add_scaled(&mut z, &x.matmul_nth(&self.weight_root.value, 1)?, 1.0)?;
        Ok(z)
    }

    /// `Z`, caching `X`.
    pub fn forward(&mut self, graph: &Csr, x: Tensor) -> Result<Tensor> {
        self.forward_features(graph, Features::from(x))
    }

    /// [`SageConv::forward`] of a (possibly sparse or block) input.
    pub fn forward_features(&mut self, graph: &Csr, x: Features) -> Result<Tensor> {
        let z = self.compute(graph, &x)?;
        self.input = Some(x);
        Ok(z)
    }

    /// The weights in [`Features::matmul_nth`] order.
    pub fn weights(&self) -> [&Tensor; 2] {
        [&self.weight_neighbors.value, &self.weight_root.value]
    }

    /// `Z` without caching.
    pub fn infer(&self, graph: &Csr, x: &Tensor) -> Result<Tensor> {
        self.compute(graph, &Features::from(x.try_clone()?))
    }

    /// [`SageConv::infer`] of a (possibly sparse or block) input.
    pub fn infer_features(&self, graph: &Csr, x: &Features) -> Result<Tensor> {
        self.compute(graph, x)
    }

    fn params_backward(&mut self, graph: &Csr, grad_z: &Tensor) -> Result<Features> {
        let x = self.input.take().ok_or_else(|| Error::invalid("backward", "SageConv::backward before forward"))?;
        self.weight_neighbors.accumulate(x.matmul_t(&spmm_transposed(graph, grad_z)?)?)?;
        self.bias.accumulate(sum_rows(grad_z)?)?;
        self.weight_root.accumulate(x.matmul_t(grad_z)?)?;
        Ok(x)
    }

    /// From `dL/dZ`: `dW_l = Xᵀ Mᵀ dZ`, `db = Σ dZ`, `dW_r = Xᵀ dZ`; returns `dX = Mᵀ (dZ W_lᵀ) + dZ W_rᵀ`.
    pub fn backward(&mut self, graph: &Csr, grad_z: &Tensor) -> Result<Tensor> {
        self.params_backward(graph, grad_z)?;
        let mut grad_x = spmm_transposed(graph, &matmul(grad_z, &self.weight_neighbors.value, false, true)?)?;
        add_scaled(&mut grad_x, &matmul(grad_z, &self.weight_root.value, false, true)?, 1.0)?;
        Ok(grad_x)
    }

    /// The parameter gradients only (detached input).
    pub fn backward_params(&mut self, graph: &Csr, grad_z: &Tensor) -> Result<()> {
        self.params_backward(graph, grad_z).map(|_| ())
    }

    /// The three parameters.
    pub fn params_mut(&mut self) -> [&mut Param; 3] {
        [&mut self.weight_neighbors, &mut self.weight_root, &mut self.bias]
    }
}
