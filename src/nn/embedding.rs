//! A lookup table: row `i` of the weight is the embedding of id `i`. The backward scatter-adds the rows'
//! gradients back into the table (ids that repeat in a batch accumulate).
//!
//! # Shapes
//! `ids: k` -> `k x dim`; weight `count x dim`.

use super::Param;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{gather_rows, scatter_add_rows, Device, Tensor};

/// `count` embeddings of `dim` values.
#[derive(Debug)]
pub struct Embedding {
    /// `count x dim`, standard normal (PyTorch's default).
    pub weight: Param,
    ids: Option<Vec<u32>>,
}

impl Embedding {
    /// A table of `count x dim` standard-normal values.
    pub fn new(device: &Device, count: usize, dim: usize, rng: &mut Rng) -> Result<Self> {
        let w: Vec<f32> = (0..count * dim).map(|_| rng.normal()).collect();
        Ok(Embedding { weight: Param::new(device.tensor(count, dim, &w)?), ids: None })
    }

    fn lookup(&self, ids: &[u32]) -> Result<Tensor> {
        let count = self.weight.value.rows();
        if let Some(&bad) = ids.iter().find(|&&i| i as usize >= count) {
            return Err(Error::shape("embedding", format!("id {bad} in a table of {count}")));
        }
        let index: Vec<f32> = ids.iter().map(|&i| i as f32).collect();
        let index = self.weight.value.device().tensor(ids.len(), 1, &index)?;
        gather_rows(&self.weight.value, &index)
    }

    /// The rows of `ids`, caching them for the backward.
    pub fn forward(&mut self, ids: &[u32]) -> Result<Tensor> {
        let out = self.lookup(ids)?;
        self.ids = Some(ids.to_vec());
        Ok(out)
    }

    /// The rows of `ids` without caching.
    pub fn infer(&self, ids: &[u32]) -> Result<Tensor> {
        self.lookup(ids)
    }

    /// Accumulates `dL/dweight` (the rows of `grad` scattered to their ids). Ids are not differentiable, so
    /// nothing is returned.
    pub fn backward(&mut self, grad: &Tensor) -> Result<()> {
        let ids = self.ids.take().ok_or_else(|| Error::invalid("backward", "Embedding::backward before forward"))?;
        let count = self.weight.value.rows();
        self.weight.accumulate(scatter_add_rows(grad, &ids, count)?)
    }
}
