//! The backprop baseline of NoProp-DT: the same T blocks and classifier, trained end to end.
//! Implements docs/algorithms/noprop.md, Eq. (24) (the paper's §4, Eqs. 17-19).
//!
//! The blocks are chained as `z_0 ~ N(0, I)`, `z_t = (1 - α_t) z_{t-1} + α_t û_θt(z_{t-1}, x)` with
//! `α_t = tanh(w_t)` and a learnable scalar `w_t`, and trained end to end by backprop on the cross-entropy of
//! `W_out z_T + b_out` (the paper does not give the loss; ours). `w_t` starts at `atanh(1/2)` (unspecified;
//! ours). Every block's activations are alive at once during the backward pass: the memory cost NoProp avoids
//! (the paper's Table 2).

use super::net::{net_shape, DenoiseNet, NetKind};
use super::{combine, next_seed, LabelEmbedding, SamplerSeeds};
use crate::algorithms::{Algorithm, Problem};
use crate::config::{EmbeddingKind, RunConfig};
use crate::error::Result;
use crate::nn::{Linear, Optimizer, Param};
use crate::rng::Rng;
use crate::tensor::{
    activation, activation_backward, matmul, random, scale_rows, softmax, softmax_backward, softmax_cross_entropy,
    sum_squares, Activation, Device, Distribution, Tensor,
};
use ndarray::ArrayView2;

/// Initial `α_t = tanh(w_t)`.
const INITIAL_MIX: f64 = 0.5;

/// T blocks chained by learnable residual mixing, trained end to end.
#[derive(Debug)]
pub struct NoPropBackprop {
    pub blocks: Vec<DenoiseNet>,
    /// `w_1..w_T` (`1 x 1` each).
    pub mix: Vec<Param>,
    pub head: Linear,
    pub embedding: LabelEmbedding,
    optimizer: Optimizer,
    rng: Rng,
    sampler_seeds: SamplerSeeds,
}

pub(crate) fn build(cfg: &RunConfig, p: Problem, d: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(NoPropBackprop::new(cfg, p, d, rng)?))
}

/// `s` broadcast to a `rows x 1` column (the device scalar times a column of ones).
fn column(s: &Tensor, rows: usize) -> Result<Tensor> {
    let ones = s.device().tensor(rows, 1, &vec![1.0; rows])?;
    matmul(&ones, s, false, false)
}

/// `⟨a, b⟩ = ¼(‖a + b‖² - ‖a - b‖²)` as a `1 x 1` tensor on the device.
fn inner(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let plus = sum_squares(&combine(&[(a, 1.0), (b, 1.0)])?)?;
    let minus = sum_squares(&combine(&[(a, 1.0), (b, -1.0)])?)?;
    combine(&[(&plus, 0.25), (&minus, -0.25)])
}

/// What one chained forward keeps for the backward.
struct Chain {
    /// `z_0 .. z_T`.
    z: Vec<Tensor>,
    probs: Vec<Tensor>,
    u_hat: Vec<Tensor>,
    /// `α_t` as `B x 1` columns.
    alpha: Vec<Tensor>,
}

impl NoPropBackprop {
    /// The baseline for `problem`, weights drawn from `rng`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        let shape = net_shape(cfg, problem, NetKind::Discrete)?;
        let t = cfg.noprop.blocks.max(1);
        let blocks = (0..t).map(|_| DenoiseNet::new(device, shape, rng)).collect::<Result<Vec<_>>>()?;
        let w0 = INITIAL_MIX.atanh() as f32;
        let mix = (0..t).map(|_| device.tensor(1, 1, &[w0]).map(Param::new)).collect::<Result<Vec<_>>>()?;
        let embedding = LabelEmbedding::new(device, cfg.noprop.embedding, problem.classes, shape.pixels(), rng)?;
        let head = Linear::torch(device, shape.dim, problem.classes, rng)?;
        Ok(NoPropBackprop {
            blocks,
            mix,
            head,
            embedding,
            optimizer: Optimizer::new(cfg.optimizer.clone()),
            sampler_seeds: SamplerSeeds::new(rng),
            rng: rng.fork(),
        })
    }

    fn noise(&self, device: &Device, rows: usize, seed: u64) -> Result<Tensor> {
        random(device, rows, self.embedding.dim(), Distribution::Normal { mean: 0.0, std: 1.0 }, seed)
    }

    /// `z_t = z_{t-1} + α_t (û_t - z_{t-1})`.
    fn mix_step(z: &Tensor, u_hat: &Tensor, alpha: &Tensor) -> Result<Tensor> {
        let diff = combine(&[(u_hat, 1.0), (z, -1.0)])?;
        combine(&[(z, 1.0), (&scale_rows(&diff, alpha, None)?, 1.0)])
    }

    fn forward_chain(&mut self, x: &Tensor) -> Result<Chain> {
        let device = x.device();
        let rows = x.rows();
        let seed = next_seed(&mut self.rng);
        let z0 = self.noise(&device, rows, seed)?;
        let mut chain = Chain { z: vec![z0], probs: Vec::new(), u_hat: Vec::new(), alpha: Vec::new() };
        for (block, w) in self.blocks.iter_mut().zip(&self.mix) {
            let z = chain.z.last().map(Tensor::try_clone).transpose()?.unwrap_or(device.zeros(rows, 1)?);
            let logits = block.forward(x.try_clone()?, z.try_clone()?, None, &mut self.rng)?;
            let p = softmax(&logits, false)?;
            let u_hat = matmul(&p, &self.embedding.weight.value, false, false)?;
            let alpha = column(&activation(&w.value, Activation::Tanh)?, rows)?;
            chain.z.push(Self::mix_step(&z, &u_hat, &alpha)?);
            chain.probs.push(p);
            chain.u_hat.push(u_hat);
            chain.alpha.push(alpha);
        }
        Ok(chain)
    }
}

impl NoPropBackprop {
    /// Backprop of the mean cross-entropy through the classifier, every block and every mixing weight;
    /// gradients left in the parameters. Returns the per-example CE.
    pub fn accumulate_gradients(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let rows = x.rows();
        let chain = self.forward_chain(&x)?;
        let top = chain.z.last().map(Tensor::try_clone).transpose()?.unwrap_or(x.device().zeros(rows, 1)?);
        let out = self.head.forward(top)?;
        let (ce, g) = softmax_cross_entropy(&out, y, 1.0 / rows as f32)?;
        let mut g_z = self.head.backward(&g)?;
        for t in (0..self.blocks.len()).rev() {
            let (z_prev, u_hat, alpha) = (&chain.z[t], &chain.u_hat[t], &chain.alpha[t]);
            // dα_t = ⟨g_{z_t}, û_t - z_{t-1}⟩, dw_t = dα_t (1 - tanh² w_t).
            let d_alpha = inner(&g_z, &combine(&[(u_hat, 1.0), (z_prev, -1.0)])?)?;
            let d_w = activation_backward(&self.mix[t].value, &d_alpha, Activation::Tanh)?;
            self.mix[t].accumulate(d_w)?;
            let g_u_hat = scale_rows(&g_z, alpha, None)?;
            let g_p = matmul(&g_u_hat, &self.embedding.weight.value, false, true)?;
            if self.embedding.learnable() {
                self.embedding.weight.accumulate(matmul(&chain.probs[t], &g_u_hat, true, false)?)?;
            }
            let g_from_block = self.blocks[t].backward(&softmax_backward(&chain.probs[t], &g_p, false)?)?;
            // g_{z_{t-1}} = (1 - α_t) g_{z_t} + the block's input gradient.
            let keep = combine(&[(&g_z, 1.0), (&g_u_hat, -1.0)])?;
            g_z = combine(&[(&keep, 1.0), (&g_from_block, 1.0)])?;
        }
        Ok(ce)
    }
}

impl Algorithm for NoPropBackprop {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let ce = self.accumulate_gradients(x, y)?;
        let mut params: Vec<&mut Param> = self.blocks.iter_mut().flat_map(DenoiseNet::params_mut).collect();
        params.extend(self.mix.iter_mut());
        params.extend(self.head.params_mut());
        if self.embedding.kind != EmbeddingKind::OneHot {
            params.push(&mut self.embedding.weight);
        }
        self.optimizer.step(params)?;
        Ok(ce)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let mut z = self.noise(&x.device(), x.rows(), self.sampler_seeds.next())?;
        for (block, w) in self.blocks.iter().zip(&self.mix) {
            let p = softmax(&block.infer(x, &z, None)?, false)?;
            let u_hat = matmul(&p, &self.embedding.weight.value, false, false)?;
            let alpha = column(&activation(&w.value, Activation::Tanh)?, x.rows())?;
            z = Self::mix_step(&z, &u_hat, &alpha)?;
        }
        self.head.infer(&z)
    }

    fn parameter_count(&self) -> usize {
        let blocks: usize = self.blocks.iter().map(DenoiseNet::count).sum();
        let embed = if self.embedding.learnable() { self.embedding.weight.len() } else { 0 };
        blocks + self.mix.len() + self.head.parameter_count() + embed
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = Vec::new();
        for (i, b) in self.blocks.iter_mut().enumerate() {
            out.extend(b.state_mut(&format!("blocks.{i}")));
        }
        out.extend(crate::nn::indexed("mix", &mut self.mix));
        out.extend(self.head.state_mut("head"));
        out.push(("embedding".into(), &mut self.embedding.weight.value));
        out
    }

    fn init_from_data(&mut self, x: ArrayView2<f32>, y: &[u32]) -> Result<()> {
        self.embedding.init_from_data(x, y, &mut self.rng.fork())
    }
}
