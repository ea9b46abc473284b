//! NoProp-FM, flow matching: one network that predicts a velocity towards the label embedding.
//! Implements docs/algorithms/noprop.md, Eqs. (18)-(20) (the paper's §2.2.3, Eqs. 10-13, Algorithm 3); equation
//! numbers below are that page's.
//!
//! One network `Net(x, z_t, t)` (the CT/FM network of "Architectures and hyper-parameters"). Training: `z_1 = u_y`,
//! `z_0 ~ N(0, I)`, `t ~ U(0, 1)` per example, `z_t = t z_1 + (1 - t) z_0` (σ = 0), vector field
//! `v = Net(x, z_t, t) W_Embed` (the logits as unrestricted weights, no softmax), loss `‖v - (z_1 - z_0)‖²` (Eq. (18)).
//! With a learnable embedding the anchor loss of Eq. (19) is added: `CE(W_out (z_t + (1 - t) v) + b_out, y)`. Adam with
//! coupled L2 (the paper's Table 3). Inference (Eq. (20)): Euler steps `z ← z + v/N` from `z_0 ~ N(0, I)`, prediction =
//! the class embedding nearest to `z_1`; the logits returned are `-‖z - u_y‖²` up to a per-row constant.

use super::continuous::{constant_time, continuous_parts, draw_times, SamplerStart};
use super::net::DenoiseNet;
use super::{combine, next_seed, LabelEmbedding, SamplerSeeds};
use crate::algorithms::{Algorithm, Denoising, Problem, Views};
use crate::config::RunConfig;
use crate::error::Result;
use crate::nn::{Linear, Optimizer};
use crate::rng::Rng;
use crate::tensor::{
    add_row, add_scaled, matmul, mse, random, reduce, scale_rows, softmax_cross_entropy, Device, Distribution,
    Reduction, Tensor,
};
use ndarray::ArrayView2;

/// `-‖z - u_y‖² + ‖z‖²  = 2 z·u_y - ‖u_y‖²` for every class: logits whose argmax is the nearest embedding.
pub fn nearest_embedding_logits(z: &Tensor, embed: &Tensor) -> Result<Tensor> {
    let cross = matmul(z, embed, false, true)?;
    let zero = embed.device().zeros(embed.rows(), embed.cols())?;
    let (sq, _) = mse(embed, &zero, 0.0)?;
    let norms = reduce(&sq, 1, Reduction::Sum)?.reshape(1, embed.rows())?;
    add_row(&combine(&[(&cross, 2.0)])?, &combine(&[(&norms, -1.0)])?)
}

/// NoProp-FM: the network, the label embedding and (for learnable embeddings) the anchor classifier.
#[derive(Debug)]
pub struct NoPropFm {
    pub net: DenoiseNet,
    pub embedding: LabelEmbedding,
    pub head: Linear,
    optimizer: Optimizer,
    steps: usize,
    rng: Rng,
    sampler_seeds: SamplerSeeds,
    last_local: Option<Tensor>,
}

/// NoProp's Table 3 for this variant (`RunConfig::base` below it).
pub(crate) fn defaults(cfg: &mut RunConfig) {
    super::table3(cfg, false);
}

pub(crate) fn build(cfg: &RunConfig, p: Problem, d: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(NoPropFm::new(cfg, p, d, rng)?))
}

impl NoPropFm {
    /// The network for `problem`, weights drawn from `rng`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        let (net, embedding, head) = continuous_parts(cfg, problem, device, rng)?;
        Ok(NoPropFm {
            net,
            embedding,
            head,
            optimizer: Optimizer::new(cfg.optimizer.clone()),
            steps: cfg.noprop.inference_steps.max(1),
            sampler_seeds: SamplerSeeds::new(rng),
            rng: rng.fork(),
            last_local: None,
        })
    }

    /// Sets the Euler steps of the sampler.
    pub fn set_inference_steps(&mut self, steps: usize) {
        self.steps = steps.max(1);
    }

    /// The gradients of Eq. (18) (+ Eq. (19) for learnable embeddings); returns the per-example `‖v - (u - z_0)‖²`
    /// and the anchor CE (zeros for one-hot embeddings).
    pub fn accumulate_gradients(&mut self, x: Tensor, y: &Tensor) -> Result<(Tensor, Tensor)> {
        let device = x.device();
        let batch = x.rows();
        let (u, hot) = self.embedding.lookup(y)?;
        let z0 =
            random(&device, batch, u.cols(), Distribution::Normal { mean: 0.0, std: 1.0 }, next_seed(&mut self.rng))?;
        let (ts, t_col, t_emb) = draw_times(&device, batch, &mut self.rng)?;
        let rest: Vec<f32> = ts.iter().map(|t| 1.0 - t).collect();
        let rest_col = device.tensor(batch, 1, &rest)?;
        let z_t = combine(&[(&scale_rows(&u, &t_col, None)?, 1.0), (&scale_rows(&z0, &rest_col, None)?, 1.0)])?;
        let logits = self.net.forward(x, z_t.try_clone()?, Some(t_emb), &mut self.rng)?;
        let v = matmul(&logits, &self.embedding.weight.value, false, false)?;
        let target = combine(&[(&u, 1.0), (&z0, -1.0)])?;
        let (sq, grad_flow) = mse(&v, &target, 1.0 / batch as f32)?;
        let mut grad_v = grad_flow.try_clone()?;
        let error = reduce(&sq, 1, Reduction::Sum)?;
        let learnable = self.embedding.learnable();
        let (ce, grad_anchor) = if learnable {
            // z̃_1 = z_t + (1 - t) v, classified by the linear head (Eq. (19)).
            let anchor = combine(&[(&z_t, 1.0), (&scale_rows(&v, &rest_col, None)?, 1.0)])?;
            let out = self.head.forward(anchor)?;
            let (ce, g) = softmax_cross_entropy(&out, y, 1.0 / batch as f32)?;
            let g_anchor = self.head.backward(&g)?;
            add_scaled(&mut grad_v, &scale_rows(&g_anchor, &rest_col, None)?, 1.0)?;
            (ce, Some(g_anchor))
        } else {
            (device.zeros(batch, 1)?, None)
        };
        let grad_logits = matmul(&grad_v, &self.embedding.weight.value, false, true)?;
        let mut grad_z_t = self.net.backward(&grad_logits)?;
        if let Some(g_anchor) = grad_anchor {
            add_scaled(&mut grad_z_t, &g_anchor, 1.0)?;
            // u enters through the flow target (-∂L_FM/∂v) and z_t (t g_{z_t}); W_Embed also through v = logits W.
            let grad_u = combine(&[(&grad_flow, -1.0), (&scale_rows(&grad_z_t, &t_col, None)?, 1.0)])?;
            let mut grad_w = matmul(&hot, &grad_u, true, false)?;
            add_scaled(&mut grad_w, &matmul(&logits, &grad_v, true, false)?, 1.0)?;
            self.embedding.weight.accumulate(grad_w)?;
        }
        Ok((error, ce))
    }

    /// Adam on the network and, for learnable embeddings, on the anchor classifier and the embedding.
    fn update(&mut self) -> Result<()> {
        let mut p = self.net.params_mut();
        if self.embedding.learnable() {
            p.extend(self.head.params_mut());
            p.push(&mut self.embedding.weight);
        }
        self.optimizer.step(p)
    }

    /// Euler integration of the learned field (Eq. (20)); returns `z_1` and the nearest-embedding logits at
    /// `checkpoints` evenly spaced steps (the page's trajectory).
    pub fn sample(&self, x: &Tensor, checkpoints: usize) -> Result<(Tensor, Vec<Tensor>)> {
        let (device, embed, n) = (x.device(), &self.embedding.weight.value, self.steps);
        let SamplerStart { mut z, features, every, .. } =
            SamplerStart::new(&self.net, embed, &self.sampler_seeds, x, n, checkpoints)?;
        let mut trail = Vec::new();
        for k in 0..n {
            let t_emb = constant_time(&device, x.rows(), k as f32 / n as f32)?;
            let v = matmul(&self.net.infer_from_features(&features, &z, Some(&t_emb))?, embed, false, false)?;
            add_scaled(&mut z, &v, 1.0 / n as f32)?;
            if checkpoints > 0 && (k + 1) % every == 0 {
                trail.push(nearest_embedding_logits(&z, embed)?);
            }
        }
        Ok((z, trail))
    }
}

impl Algorithm for NoPropFm {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let (error, ce) = self.accumulate_gradients(x, y)?;
        self.update()?;
        let e = reduce(&error, 0, Reduction::Mean)?;
        let c = reduce(&ce, 0, Reduction::Mean)?;
        self.last_local = Some(crate::tensor::concat(&[&e, &c], 1)?);
        Ok(error)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let (z, _) = self.sample(x, 0)?;
        nearest_embedding_logits(&z, &self.embedding.weight.value)
    }

    fn parameter_count(&self) -> usize {
        let shared =
            if self.embedding.learnable() { self.embedding.weight.len() + self.head.parameter_count() } else { 0 };
        self.net.count() + shared
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = self.net.state_mut("net");
        out.extend(self.head.state_mut("head"));
        out.push(("embedding".into(), &mut self.embedding.weight.value));
        out
    }

    fn local_loss_names(&self) -> Vec<String> {
        vec!["flow ‖v−(u−z₀)‖²".into(), "anchor CE".into()]
    }

    fn take_local_losses(&mut self) -> Option<Tensor> {
        self.last_local.take()
    }

    fn init_from_data(&mut self, x: ArrayView2<f32>, y: &[u32]) -> Result<()> {
        self.embedding.init_from_data(x, y, &mut self.rng.fork())
    }

    fn views(&self) -> Views<'_> {
        Views::Denoising(self)
    }
}

impl Denoising for NoPropFm {
    fn trajectory(&self, x: &Tensor) -> Result<Vec<Tensor>> {
        let (_, trail) = self.sample(x, 10)?;
        trail.iter().map(|l| crate::tensor::softmax(l, false)).collect()
    }

    fn label_embedding(&self) -> &Tensor {
        &self.embedding.weight.value
    }
}
