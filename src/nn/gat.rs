//! Graph attention layer (Veličković et al., 2018), as PyG's `GATConv(in, out/heads, heads)` with concat,
//! LeakyReLU slope 0.2, no dropout, one self-loop per node (docs/algorithms/forwardgnn.md, Eq. (3)):
//! `x' = X W`; per head `e_ji = LeakyReLU(a_src·x'_j + a_dst·x'_i)`, `α = softmax_j(e)` over the incoming
//! edges of `i`, `z_i = Σ_j α_ji x'_j`; heads concatenated, plus `b`.
//!
//! The per-node scores `a·x'` are a matmul with a block-diagonal matrix holding one head's vector per row, so
//! their gradients are plain matmuls too; the graph parts live in [`GatGraph`].
//!
//! # Shapes
//! `X: nodes x in` -> `Z: nodes x (heads * channels)`.

use super::gcn::glorot;
use super::{Features, Param};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{add_row, add_scaled, copy_block, matmul, spmm, sum_rows, Block, Device, GatGraph, Tensor};

/// LeakyReLU slope of the attention logits (PyG's default).
pub const GAT_SLOPE: f32 = 0.2;

/// Multi-head graph attention with concatenated heads.
#[derive(Debug)]
pub struct GatConv {
    /// `in x (heads * channels)`, Glorot.
    pub weight: Param,
    /// `1 x (heads * channels)`: head h's source vector in columns `h C..(h+1) C`.
    pub att_src: Param,
    /// `1 x (heads * channels)`: destination vectors, same layout.
    pub att_dst: Param,
    /// `1 x (heads * channels)`, zero.
    pub bias: Param,
    heads: usize,
    cache: Option<Cache>,
}

#[derive(Debug)]
struct Cache {
    x: Option<Features>,
    h: Tensor,
    s_src: Tensor,
    s_dst: Tensor,
    alpha: Tensor,
}

/// `[1, H C]` -> `[H, H C]` with head h's C values on row h, in its own column block.
fn blocks(a: &Tensor, heads: usize) -> Result<Tensor> {
    let channels = a.cols() / heads;
    let mut out = a.device().zeros(heads, a.cols())?;
    for h in 0..heads {
        copy_block(a, &mut out, &Block { height: 1, width: channels, src: [0, h * channels], dst: [h, h * channels] })?;
    }
    Ok(out)
}

/// Inverse of [`blocks`]: the diagonal blocks of `[H, H C]` as `[1, H C]`.
fn diagonal_blocks(m: &Tensor, heads: usize) -> Result<Tensor> {
    let channels = m.cols() / heads;
    let mut out = m.device().zeros(1, m.cols())?;
    for h in 0..heads {
        copy_block(m, &mut out, &Block { height: 1, width: channels, src: [h, h * channels], dst: [0, h * channels] })?;
    }
    Ok(out)
}

impl GatConv {
    /// `heads` heads of `channels` each (output width `heads * channels`), PyG's initialisation.
    pub fn new(device: &Device, inputs: usize, heads: usize, channels: usize, rng: &mut Rng) -> Result<Self> {
        if heads == 0 || channels == 0 {
            return Err(Error::invalid("GAT", "heads and channels must be positive"));
        }
        let width = heads * channels;
        let att = |rng: &mut Rng| {
            let bound = (6.0 / (heads + channels) as f32).sqrt();
            let v: Vec<f32> = (0..width).map(|_| rng.uniform(-bound, bound)).collect();
            device.tensor(1, width, &v)
        };
        Ok(GatConv {
            weight: Param::new(glorot(device, inputs, width, rng)?),
            att_src: Param::new(att(rng)?),
            att_dst: Param::new(att(rng)?),
            bias: Param::new(device.zeros(1, width)?),
            heads,
            cache: None,
        })
    }

    fn run(&self, graph: &GatGraph, x: &Features) -> Result<(Tensor, Cache)> {
        let h = x.matmul(&self.weight.value)?;
        let s_src = matmul(&h, &blocks(&self.att_src.value, self.heads)?, false, true)?;
        let s_dst = matmul(&h, &blocks(&self.att_dst.value, self.heads)?, false, true)?;
        let alpha = graph.softmax(&s_src, &s_dst, GAT_SLOPE)?;
        let z = add_row(&graph.aggregate(&alpha, &h)?, &self.bias.value)?;
        Ok((z, Cache { x: None, h, s_src, s_dst, alpha }))
    }

    /// The layer's output, caching what the backward needs.
    pub fn forward(&mut self, graph: &GatGraph, x: Tensor) -> Result<Tensor> {
        self.forward_features(graph, Features::from(x))
    }

    /// [`GatConv::forward`] of a (possibly sparse or block) input.
    pub fn forward_features(&mut self, graph: &GatGraph, x: Features) -> Result<Tensor> {
        let (z, mut cache) = self.run(graph, &x)?;
        cache.x = Some(x);
        self.cache = Some(cache);
        Ok(z)
    }

    /// The output without caching.
    pub fn infer(&self, graph: &GatGraph, x: &Tensor) -> Result<Tensor> {
        Ok(self.run(graph, &Features::from(x.try_clone()?))?.0)
    }

    /// [`GatConv::infer`] of a (possibly sparse or block) input.
    pub fn infer_features(&self, graph: &GatGraph, x: &Features) -> Result<Tensor> {
        Ok(self.run(graph, x)?.0)
    }

    /// The attention weights of the last forward (`edges x heads`, destination order), for display.
    pub fn attention(&self) -> Option<&Tensor> {
        self.cache.as_ref().map(|c| &c.alpha)
    }

    fn params_backward(&mut self, graph: &GatGraph, grad_z: &Tensor) -> Result<Tensor> {
        let missing = || Error::invalid("backward", "GatConv::backward before forward");
        let Cache { x, h, s_src, s_dst, alpha } = self.cache.take().ok_or_else(missing)?;
        let x = x.ok_or_else(missing)?;
        self.bias.accumulate(sum_rows(grad_z)?)?;
        // through the aggregation z = Σ α h_j
        let grad_alpha = graph.aggregate_backward_attention(grad_z, &h, self.heads)?;
        let mut grad_h = graph.aggregate_backward_features(&alpha, grad_z)?;
        // through the softmax and LeakyReLU to the raw score s_src[j] + s_dst[i] of every edge
        let grad_raw = graph.softmax_backward(&s_src, &s_dst, &alpha, &grad_alpha, GAT_SLOPE)?;
        let grad_s_src = spmm(&graph.sum_by_src, &grad_raw)?;
        let grad_s_dst = spmm(&graph.sum_by_dst, &grad_raw)?;
        // through the scores s = h Bᵀ (B block-diagonal in the attention vectors)
        add_scaled(&mut grad_h, &matmul(&grad_s_src, &blocks(&self.att_src.value, self.heads)?, false, false)?, 1.0)?;
        add_scaled(&mut grad_h, &matmul(&grad_s_dst, &blocks(&self.att_dst.value, self.heads)?, false, false)?, 1.0)?;
        self.att_src.accumulate(diagonal_blocks(&matmul(&grad_s_src, &h, true, false)?, self.heads)?)?;
        self.att_dst.accumulate(diagonal_blocks(&matmul(&grad_s_dst, &h, true, false)?, self.heads)?)?;
        // through h = X W
        self.weight.accumulate(x.matmul_t(&grad_h)?)?;
        Ok(grad_h)
    }

    /// Accumulates the four parameter gradients from `dL/dZ` and returns `dL/dX`.
    pub fn backward(&mut self, graph: &GatGraph, grad_z: &Tensor) -> Result<Tensor> {
        let grad_h = self.params_backward(graph, grad_z)?;
        matmul(&grad_h, &self.weight.value, false, true)
    }

    /// The parameter gradients only (detached input).
    pub fn backward_params(&mut self, graph: &GatGraph, grad_z: &Tensor) -> Result<()> {
        self.params_backward(graph, grad_z).map(|_| ())
    }

    /// The four parameters.
    pub fn params_mut(&mut self) -> [&mut Param; 4] {
        [&mut self.weight, &mut self.att_src, &mut self.att_dst, &mut self.bias]
    }
}
