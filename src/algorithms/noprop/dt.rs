//! NoProp-DT, discrete time: ten blocks, each trained alone to denoise the label embedding.
//! Implements docs/algorithms/noprop.md, Eqs. (7), (10) and (11), on the shared pieces (3)-(6), (8) and (9) of
//! `mod.rs` (the paper's Eq. 8 and Algorithm 1, with its index typo fixed: "Which noise level block t sees" in
//! "Choices where the paper is silent"); equation numbers below are that page's.
//!
//! Ten independent blocks. Block `t` sees `z_{t-1} ~ q(z_{t-1}|y) = N(√ᾱ_{t-1} u_y, (1-ᾱ_{t-1}) I)` and the image,
//! and is trained on its own term `(T η/2)(SNR(t) - SNR(t-1)) ‖softmax(Block_t(x, z_{t-1})) W_Embed - u_y‖²` only:
//! its backward starts at its own loss and ends at its own input, so no gradient crosses blocks. The shared
//! linear classifier is trained by cross-entropy on a fresh `z_T ~ q(z_T|y)` (never on a block output), and a
//! learnable `W_Embed` receives the denoising, CE and prior-KL gradients (Eq. (10)). An epoch is T passes over
//! the data, pass `t` training block `t` (the paper's Algorithm 1). Each block has its own AdamW (idle blocks are
//! not updated or decayed: "Optimiser bookkeeping" in "Choices where the paper is silent"); the classifier and
//! embedding share one.
//!
//! Inference (Eq. (11)): `z_0 ~ N(0, I)`, `z_t = a_t û_t + b_t z_{t-1} + √c_t ε`, prediction `W_out z_T + b_out`.

use super::net::{net_shape, DenoiseNet, NetKind};
use super::{
    combine, denoise, next_seed, noisy_label, CosineSchedule, LabelEmbedding, SamplerSeeds, ETA_DT, LEARNED_SNR_CAP,
};
use crate::algorithms::{Algorithm, Denoising, Problem, Views};
use crate::config::RunConfig;
use crate::error::Result;
use crate::nn::{Linear, Optimizer, Param};
use crate::rng::Rng;
use crate::tensor::{
    add_scaled, copy_block, matmul, random, reduce, softmax, softmax_cross_entropy, Block, Device, Distribution,
    Reduction, Tensor,
};
use ndarray::ArrayView2;

/// NoProp-DT: T blocks, the shared classifier and the label embedding.
#[derive(Debug)]
pub struct NoPropDt {
    pub blocks: Vec<DenoiseNet>,
    optimizers: Vec<Optimizer>,
    /// `W_out: d x m`, `b_out`.
    pub head: Linear,
    pub embedding: LabelEmbedding,
    shared_optimizer: Optimizer,
    pub schedule: CosineSchedule,
    eta: f64,
    /// Block trained in the current pass (0-based).
    active: usize,
    rng: Rng,
    sampler_seeds: SamplerSeeds,
    last_local: Option<Tensor>,
}

/// NoProp's Table 3 for this variant (`RunConfig::base` below it).
pub(crate) fn defaults(cfg: &mut RunConfig) {
    super::table3(cfg, true);
}

pub(crate) fn build(cfg: &RunConfig, p: Problem, d: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(NoPropDt::new(cfg, p, d, rng)?))
}

impl NoPropDt {
    /// T = `cfg.noprop.blocks` blocks for `problem`, weights drawn from `rng`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        let shape = net_shape(cfg, problem, NetKind::Discrete)?;
        let blocks_n = cfg.noprop.blocks.max(1);
        let blocks = (0..blocks_n).map(|_| DenoiseNet::new(device, shape, rng)).collect::<Result<Vec<_>>>()?;
        let embedding = LabelEmbedding::new(device, cfg.noprop.embedding, problem.classes, shape.pixels(), rng)?;
        let head = Linear::torch(device, shape.dim, problem.classes, rng)?;
        Ok(NoPropDt {
            optimizers: (0..blocks_n).map(|_| Optimizer::new(cfg.optimizer.clone())).collect(),
            blocks,
            head,
            embedding,
            shared_optimizer: Optimizer::new(cfg.optimizer.clone()),
            schedule: CosineSchedule::new(blocks_n),
            eta: ETA_DT,
            active: 0,
            sampler_seeds: SamplerSeeds::new(rng),
            rng: rng.fork(),
            last_local: None,
        })
    }

    /// Chooses the block the next steps train (`0..T`).
    pub fn set_active(&mut self, block: usize) {
        self.active = block.min(self.blocks.len() - 1);
    }

    /// One step of block `t = active + 1` on a batch (Eq. (7)): the gradients of
    /// [`NoPropDt::accumulate_gradients`], then AdamW on block t and on the shared classifier and embedding.
    fn train_step(&mut self, x: Tensor, y: &Tensor) -> Result<(Tensor, Tensor)> {
        let out = self.accumulate_gradients(x, y)?;
        self.optimizers[self.active].step(self.blocks[self.active].params_mut())?;
        let mut shared: Vec<&mut Param> = self.head.params_mut();
        shared.push(&mut self.embedding.weight);
        self.shared_optimizer.step(shared)?;
        Ok(out)
    }

    /// The gradients of `L_t` (Eqs. (7), (10); the paper's Eq. 61) for block `t = active + 1`, the classifier and a
    /// learnable embedding, left in their parameters. Returns the per-example `‖û - u‖²` and classifier CE (`B x 1`).
    pub fn accumulate_gradients(&mut self, x: Tensor, y: &Tensor) -> Result<(Tensor, Tensor)> {
        let t = self.active + 1;
        let batch = x.rows() as f64;
        let (u, hot) = self.embedding.lookup(y)?;
        let z_in = noisy_label(&u, self.schedule.alpha_bar[t - 1], next_seed(&mut self.rng))?;
        let logits = self.blocks[self.active].forward(x, z_in, None, &mut self.rng)?;
        let weight = match self.embedding.learnable() {
            true => self.schedule.capped_loss_weight(t, self.eta, LEARNED_SNR_CAP),
            false => self.schedule.loss_weight(t, self.eta),
        } / batch;
        let den = denoise(&logits, &self.embedding.weight.value, &u, weight as f32)?;
        let grad_z_in = self.blocks[self.active].backward(&den.grad_logits)?;

        // The classifier on a fresh z_T ~ q(z_T | y): its gradient never reaches a block.
        let alpha_bar_t = self.schedule.alpha_bar[self.blocks.len()];
        let z_top = noisy_label(&u, alpha_bar_t, next_seed(&mut self.rng))?;
        let out = self.head.forward(z_top)?;
        let (ce, grad_out) = softmax_cross_entropy(&out, y, (1.0 / batch) as f32)?;
        let grad_z_top = self.head.backward(&grad_out)?;

        if self.embedding.learnable() {
            // ∂L/∂u_y: the target (−g_û), the reparameterised inputs z_{t-1} and z_T, and the prior KL
            // (ᾱ_0 u / B); ∂L/∂W_Embed = onehotᵀ ∂L/∂U + pᵀ g_û (through û).
            let ab = &self.schedule.alpha_bar;
            let grad_u = combine(&[
                (&den.grad_u_hat, -1.0),
                (&grad_z_in, ab[t - 1].sqrt()),
                (&grad_z_top, alpha_bar_t.sqrt()),
                (&u, ab[0] / batch),
            ])?;
            let mut grad_w = matmul(&hot, &grad_u, true, false)?;
            add_scaled(&mut grad_w, &matmul(&den.probs, &den.grad_u_hat, true, false)?, 1.0)?;
            self.embedding.weight.accumulate(grad_w)?;
        }
        Ok((den.error, ce))
    }

    /// The sampler of Eq. (11) on `x`; returns `z_T` and, per block, `p_t = softmax(Block_t(x, z_{t-1}))`.
    pub fn sample(&self, x: &Tensor) -> Result<(Tensor, Vec<Tensor>)> {
        let device = x.device();
        let d = self.embedding.dim();
        let mut rng = Rng::new(self.sampler_seeds.next());
        let normal = Distribution::Normal { mean: 0.0, std: 1.0 };
        let mut z = random(&device, x.rows(), d, normal, next_seed(&mut rng))?;
        let mut probs = Vec::with_capacity(self.blocks.len());
        for (i, block) in self.blocks.iter().enumerate() {
            let p = softmax(&block.infer(x, &z, None)?, false)?;
            let u_hat = matmul(&p, &self.embedding.weight.value, false, false)?;
            let (a, b, c) = self.schedule.coefficients(i + 1);
            let eps = random(&device, x.rows(), d, normal, next_seed(&mut rng))?;
            z = combine(&[(&u_hat, a), (&z, b), (&eps, c.sqrt())])?;
            probs.push(p);
        }
        Ok((z, probs))
    }
}

impl Algorithm for NoPropDt {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let (error, ce) = self.train_step(x, y)?;
        // Local losses: the active block's mean ‖û - u‖² in its slot (times T: the trainer averages over all of
        // the epoch's steps and each block trains in 1/T of them), the classifier's CE last.
        let t_blocks = self.blocks.len();
        let device = error.device();
        let mut local = device.zeros(1, t_blocks + 1)?;
        let mut mean_err = device.zeros(1, 1)?;
        add_scaled(&mut mean_err, &reduce(&error, 0, Reduction::Sum)?, (t_blocks as f64 / error.rows() as f64) as f32)?;
        copy_block(&mean_err, &mut local, &Block { src: [0, 0], dst: [0, self.active], height: 1, width: 1 })?;
        let mean_ce = reduce(&ce, 0, Reduction::Mean)?;
        copy_block(&mean_ce, &mut local, &Block { src: [0, 0], dst: [0, t_blocks], height: 1, width: 1 })?;
        self.last_local = Some(local);
        Ok(error)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let (z, _) = self.sample(x)?;
        self.head.infer(&z)
    }

    fn parameter_count(&self) -> usize {
        let block: usize = self.blocks.iter().map(DenoiseNet::count).sum();
        block + self.head.parameter_count() + if self.embedding.learnable() { self.embedding.weight.len() } else { 0 }
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = Vec::new();
        for (i, b) in self.blocks.iter_mut().enumerate() {
            out.extend(b.state_mut(&format!("blocks.{i}")));
        }
        out.extend(self.head.state_mut("head"));
        out.push(("embedding".into(), &mut self.embedding.weight.value));
        out
    }

    /// Block t's mean `‖û - u‖²` (unweighted), then the classifier's CE.
    fn local_loss_names(&self) -> Vec<String> {
        let mut names: Vec<String> = (1..=self.blocks.len()).map(|t| format!("block {t}")).collect();
        names.push("classifier CE".into());
        names
    }

    fn take_local_losses(&mut self) -> Option<Tensor> {
        self.last_local.take()
    }

    fn passes_per_epoch(&self) -> usize {
        self.blocks.len()
    }

    fn begin_pass(&mut self, pass: usize) {
        self.set_active(pass);
    }

    fn init_from_data(&mut self, x: ArrayView2<f32>, y: &[u32]) -> Result<()> {
        self.embedding.init_from_data(x, y, &mut self.rng.fork())
    }

    fn views(&self) -> Views<'_> {
        Views::Denoising(self)
    }
}

impl Denoising for NoPropDt {
    fn trajectory(&self, x: &Tensor) -> Result<Vec<Tensor>> {
        self.sample(x).map(|(_, p)| p)
    }

    fn label_embedding(&self) -> &Tensor {
        &self.embedding.weight.value
    }
}
