//! GraphSAGE with mean aggregation (Hamilton et al., 2017), as PyG's `SAGEConv(aggr="mean")`:
//! `Z = mean_{j -> i}(x_j) W_l + b_l + X W_r` with the mean matrix from [`Csr::mean_aggregation`].
//!
//! # Shapes
//! `X: nodes x in` -> `Z: nodes x out`.

use super::Param;
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
    input: Option<Tensor>,
    aggregated: Option<Tensor>,
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
            aggregated: None,
        })
    }

    fn compute(&self, x: &Tensor, m: &Tensor) -> Result<Tensor> {
        let mut z = add_row(&matmul(m, &self.weight_neighbors.value, false, false)?, &self.bias.value)?;
        add_scaled(&mut z, &matmul(x, &self.weight_root.value, false, false)?, 1.0)?;
        Ok(z)
    }

    /// `Z`, caching `X` and `M X`.
    pub fn forward(&mut self, graph: &Csr, x: Tensor) -> Result<Tensor> {
        let m = spmm(graph, &x)?;
        let z = self.compute(&x, &m)?;
        self.input = Some(x);
        self.aggregated = Some(m);
        Ok(z)
    }

    /// `Z` without caching.
    pub fn infer(&self, graph: &Csr, x: &Tensor) -> Result<Tensor> {
        self.compute(x, &spmm(graph, x)?)
    }

    /// From `dL/dZ`: `dW_l = (M X)ᵀ dZ`, `db = Σ dZ`, `dW_r = Xᵀ dZ`; returns `dX = Mᵀ (dZ W_lᵀ) + dZ W_rᵀ`.
    pub fn backward(&mut self, graph: &Csr, grad_z: &Tensor) -> Result<Tensor> {
        let missing = || Error::invalid("backward", "SageConv::backward before forward");
        let x = self.input.take().ok_or_else(missing)?;
        let m = self.aggregated.take().ok_or_else(missing)?;
        self.weight_neighbors.accumulate(matmul(&m, grad_z, true, false)?)?;
        self.bias.accumulate(sum_rows(grad_z)?)?;
        self.weight_root.accumulate(matmul(&x, grad_z, true, false)?)?;
        let mut grad_x = spmm_transposed(graph, &matmul(grad_z, &self.weight_neighbors.value, false, true)?)?;
        add_scaled(&mut grad_x, &matmul(grad_z, &self.weight_root.value, false, true)?, 1.0)?;
        Ok(grad_x)
    }

    /// The three parameters.
    pub fn params_mut(&mut self) -> [&mut Param; 3] {
        [&mut self.weight_neighbors, &mut self.weight_root, &mut self.bias]
    }
}
