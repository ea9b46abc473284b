//! Dropout as a layer (Srivastava et al., 2014, inverted form): a fresh mask per training forward, drawn from
//! the run's seeded RNG; the backward reuses the mask's seed, so a run replays exactly.

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{dropout, Tensor};

/// Zeroes each activation with probability `p` in training; the identity in evaluation.
#[derive(Debug)]
pub struct Dropout {
    /// Drop probability.
    pub p: f32,
    seed: Option<u64>,
}

impl Dropout {
    /// A layer dropping with probability `p`.
    pub fn new(p: f32) -> Self {
        Dropout { p, seed: None }
    }

    /// Training forward: a new mask from `rng`.
    pub fn forward(&mut self, x: &Tensor, rng: &mut Rng) -> Result<Tensor> {
        let seed = (rng.below(u32::MAX as usize) as u64) << 32 | rng.below(u32::MAX as usize) as u64;
        self.seed = Some(seed);
        dropout(x, self.p, seed)
    }

    /// The gradient through the last forward's mask.
    pub fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let seed = self.seed.take().ok_or_else(|| Error::invalid("backward", "Dropout::backward before forward"))?;
        dropout(grad_y, self.p, seed)
    }
}
