//! NoProp-CT, continuous-time diffusion: one network with a time input and a learned noise schedule.
//! Implements docs/algorithms/noprop.md, Eqs. (15)-(17), with the schedule (12)-(13) of `schedule.rs` and the time
//! embedding (14) of `net.rs` (the paper's Eq. 9, Algorithm 2, App. B); equation numbers below are that page's.
//!
//! One network `û_θ(z_t, x, t) = softmax(Net(x, z_t, t)) W_Embed` (the CT network of "Architectures and
//! hyper-parameters"), trained with `t ~ U(0, 1)` per example on
//! `L = CE(W_out z_1 + b_out) + KL(q(z_0|y) ‖ N(0, I)) + (η/2) SNR'(t) ‖û - u_y‖²` (Eq. (15)), η = 1,
//! `z_t = √ᾱ(t) u + √(1-ᾱ(t)) ε`, where ᾱ is the learnable schedule of `schedule.rs`. Every step updates the
//! network, the classifier, the embedding (if learnable) and the schedule ψ — all with Adam and coupled L2 (the
//! paper's Table 3). ψ's gradient (Eq. (16)) needs seven scalars per example from the device (the squared error,
//! the CE and the inner products of `∂L/∂z_t`, `∂L/∂z_1` with `u` and ε), so CT reads them back after each step:
//! on the GPU in the browser (which cannot wait inside a step) it asks for the CPU backend.
//!
//! Inference (Eq. (17)): the ancestral sampler (the paper's Eq. 3) on a uniform grid of N steps with the learned ᾱ,
//! `z ← a û + b z + √c ε`, prediction `argmax(W_out z_1 + b_out)`.

use super::continuous::{constant_time, continuous_parts, draw_times, SamplerStart};
use super::net::DenoiseNet;
use super::schedule::LearnedSchedule;
use super::{combine, denoise, next_seed, row_dots, transition, LabelEmbedding, SamplerSeeds};
use crate::algorithms::{Algorithm, Denoising, Problem, Views};
use crate::config::RunConfig;
use crate::error::Result;
use crate::nn::{Linear, Optimizer, OptimizerConfig};
use crate::rng::Rng;
use crate::tensor::{
    add_scaled, concat, matmul, random, reduce, scale_rows, softmax, softmax_cross_entropy, Device, Distribution,
    Reduction, Tensor,
};
use ndarray::ArrayView2;

/// η of the CT objective (Eq. (15); the paper's Table 3).
pub const ETA_CT: f64 = 1.0;

/// The values of `t` a synchronous readback needs (CPU tensors, or the GPU natively).
fn read_now(t: &Tensor) -> Result<Vec<f32>> {
    match t {
        Tensor::Cpu(a) => Ok(a.iter().copied().collect()),
        #[cfg(not(target_arch = "wasm32"))]
        Tensor::Gpu(_) => pollster::block_on(t.to_vec()),
        #[cfg(target_arch = "wasm32")]
        Tensor::Gpu(_) => Err(crate::error::Error::invalid(
            "backend",
            "NoProp-CT updates its learnable noise schedule on the CPU after every step, which the browser's GPU \
             cannot wait for: choose the CPU backend for CT",
        )),
    }
}

/// What [`NoPropCt::accumulate_gradients`] returns.
pub struct CtStep {
    /// Per-example `‖û - u‖²` and CE (`B x 1`).
    pub error: Tensor,
    pub ce: Tensor,
    /// `∂L/∂ψ`.
    pub grad_psi: Vec<f64>,
    /// The batch loss (Eq. (15); the paper's Algorithm 2, Eq. 62).
    pub objective: f64,
}

/// NoProp-CT: network, classifier, embedding and learnable schedule.
#[derive(Debug)]
pub struct NoPropCt {
    pub net: DenoiseNet,
    pub head: Linear,
    pub embedding: LabelEmbedding,
    pub schedule: LearnedSchedule,
    optimizer: Optimizer,
    lr: f64,
    weight_decay: f64,
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
    Ok(Box::new(NoPropCt::new(cfg, p, d, rng)?))
}

impl NoPropCt {
    /// The network for `problem`, weights drawn from `rng`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        let (net, embedding, head) = continuous_parts(cfg, problem, device, rng)?;
        let schedule = LearnedSchedule::new(rng);
        let weight_decay = match cfg.optimizer {
            OptimizerConfig::Adam { weight_decay, .. } | OptimizerConfig::Sgd { weight_decay, .. } => weight_decay,
        };
        Ok(NoPropCt {
            net,
            head,
            embedding,
            schedule,
            optimizer: Optimizer::new(cfg.optimizer.clone()),
            lr: f64::from(cfg.optimizer.lr()),
            weight_decay: f64::from(weight_decay),
            steps: cfg.noprop.inference_steps.max(1),
            sampler_seeds: SamplerSeeds::new(rng),
            rng: rng.fork(),
            last_local: None,
        })
    }

    /// Sets the steps of the sampler.
    pub fn set_inference_steps(&mut self, steps: usize) {
        self.steps = steps.max(1);
    }

    /// The gradients of the loss of Eq. (15) for the network, classifier and embedding (left in their
    /// parameters) and for ψ (returned, Eq. (16)), the per-example `‖û - u‖²` and CE, and the loss itself.
    pub fn accumulate_gradients(&mut self, x: Tensor, y: &Tensor) -> Result<CtStep> {
        let device = x.device();
        let batch = x.rows();
        let b = batch as f64;
        let d = self.embedding.dim() as f64;
        let (u, hot) = self.embedding.lookup(y)?;
        let (ts, _, t_emb) = draw_times(&device, batch, &mut self.rng)?;
        let ends = self.schedule.ends(true);
        let at: Vec<_> = ts.iter().map(|&t| self.schedule.at_with(f64::from(t), &ends, true)).collect();
        let (at0, at1) = (self.schedule.at_with(0.0, &ends, true), self.schedule.at_with(1.0, &ends, true));
        let col =
            |f: &dyn Fn(usize) -> f64| device.tensor(batch, 1, &(0..batch).map(|i| f(i) as f32).collect::<Vec<_>>());
        let sqrt_ab = col(&|i| at[i].alpha_bar.v.sqrt())?;
        let sqrt_rest = col(&|i| (1.0 - at[i].alpha_bar.v).sqrt())?;
        let weights = col(&|i| ETA_CT * at[i].snr_prime.v / (2.0 * b))?;
        let normal = Distribution::Normal { mean: 0.0, std: 1.0 };
        let eps = random(&device, batch, u.cols(), normal, next_seed(&mut self.rng))?;
        let z = combine(&[(&scale_rows(&u, &sqrt_ab, None)?, 1.0), (&scale_rows(&eps, &sqrt_rest, None)?, 1.0)])?;
        let logits = self.net.forward(x, z, Some(t_emb), &mut self.rng)?;
        let den = denoise(&logits, &self.embedding.weight.value, &u, 1.0)?;
        let grad_z = self.net.backward(&scale_rows(&den.grad_logits, &weights, None)?)?;

        let ab1 = at1.alpha_bar.v;
        let eps1_seed = next_seed(&mut self.rng);
        let eps1 = random(&device, batch, u.cols(), normal, eps1_seed)?;
        let z1 = combine(&[(&u, ab1.sqrt()), (&eps1, (1.0 - ab1).sqrt())])?;
        let out = self.head.forward(z1)?;
        let (ce, g_out) = softmax_cross_entropy(&out, y, (1.0 / b) as f32)?;
        let grad_z1 = self.head.backward(&g_out)?;

        let ab0 = at0.alpha_bar.v;
        if self.embedding.learnable() {
            let g_u_hat = scale_rows(&den.grad_u_hat, &weights, None)?;
            let grad_u = combine(&[
                (&g_u_hat, -1.0),
                (&scale_rows(&grad_z, &sqrt_ab, None)?, 1.0),
                (&grad_z1, ab1.sqrt()),
                (&u, ab0 / b),
            ])?;
            let mut grad_w = matmul(&hot, &grad_u, true, false)?;
            add_scaled(&mut grad_w, &matmul(&den.probs, &g_u_hat, true, false)?, 1.0)?;
            self.embedding.weight.accumulate(grad_w)?;
        }

        // ψ: seven scalars per example from the device, then forward-mode derivatives of ᾱ and SNR' (f64).
        let scalars = concat(
            &[
                &den.error,
                &row_dots(&grad_z, &u)?,
                &row_dots(&grad_z, &eps)?,
                &row_dots(&grad_z1, &u)?,
                &row_dots(&grad_z1, &eps1)?,
                &row_dots(&u, &u)?,
                &ce,
            ],
            1,
        )?;
        let s = read_now(&scalars)?;
        let k = 7;
        let mut objective = 0.0;
        let mut grad_psi = vec![0.0f64; self.schedule.len()];
        let mut add = |g: &[f64], w: f64| grad_psi.iter_mut().zip(g).for_each(|(a, b)| *a += w * b);
        let (mut d_ab1, mut d_ab0) = (0.0, 0.0);
        for (i, a) in at.iter().enumerate() {
            let r = &s[i * k..(i + 1) * k];
            let ab = a.alpha_bar.v;
            let d_ab = f64::from(r[1]) / (2.0 * ab.sqrt()) - f64::from(r[2]) / (2.0 * (1.0 - ab).sqrt());
            add(&a.alpha_bar.g, d_ab);
            add(&a.snr_prime.g, ETA_CT * f64::from(r[0]) / (2.0 * b));
            d_ab1 += f64::from(r[3]) / (2.0 * ab1.sqrt()) - f64::from(r[4]) / (2.0 * (1.0 - ab1).sqrt());
            d_ab0 += 0.5 * (f64::from(r[5]) - d + d / (1.0 - ab0)) / b;
            objective += ETA_CT * a.snr_prime.v * f64::from(r[0]) / (2.0 * b) + f64::from(r[6]) / b;
            objective += super::prior_kl(ab0, f64::from(r[5]), self.embedding.dim()) / b;
        }
        add(&at1.alpha_bar.g, d_ab1);
        add(&at0.alpha_bar.g, d_ab0);
        Ok(CtStep { error: den.error, ce, grad_psi, objective })
    }

    /// The ancestral sampler (Eq. (17)); returns `z_1` and `softmax(Net)` at `checkpoints` evenly spaced steps.
    pub fn sample(&self, x: &Tensor, checkpoints: usize) -> Result<(Tensor, Vec<Tensor>)> {
        let (device, embed, n) = (x.device(), &self.embedding.weight.value, self.steps);
        let SamplerStart { mut rng, mut z, features, every } =
            SamplerStart::new(&self.net, embed, &self.sampler_seeds, x, n, checkpoints)?;
        let normal = Distribution::Normal { mean: 0.0, std: 1.0 };
        let grid: Vec<f64> = (0..=n).map(|k| self.schedule.alpha_bar(k as f64 / n as f64)).collect();
        let mut trail = Vec::new();
        for k in 1..=n {
            let t_emb = constant_time(&device, x.rows(), (k - 1) as f32 / n as f32)?;
            let p = softmax(&self.net.infer_from_features(&features, &z, Some(&t_emb))?, false)?;
            let u_hat = matmul(&p, embed, false, false)?;
            let (a, b, c) = transition(grid[k - 1], grid[k]);
            let eps = random(&device, x.rows(), embed.cols(), normal, next_seed(&mut rng))?;
            z = combine(&[(&u_hat, a), (&z, b), (&eps, c.sqrt())])?;
            if checkpoints > 0 && k % every == 0 {
                trail.push(p);
            }
        }
        Ok((z, trail))
    }
}

impl Algorithm for NoPropCt {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let CtStep { error, ce, grad_psi, .. } = self.accumulate_gradients(x, y)?;
        let mut params = self.net.params_mut();
        params.extend(self.head.params_mut());
        if self.embedding.learnable() {
            params.push(&mut self.embedding.weight);
        }
        self.optimizer.step(params)?;
        self.schedule.adam_step(&grad_psi, self.lr, self.weight_decay);
        let e = reduce(&error, 0, Reduction::Mean)?;
        let c = reduce(&ce, 0, Reduction::Mean)?;
        // The learned schedule's ends, to watch it move: ᾱ(0) (the noise end) and ᾱ(1) (what the classifier sees).
        let ends = [self.schedule.alpha_bar(0.0) as f32, self.schedule.alpha_bar(1.0) as f32];
        let ends = e.device().tensor(1, 2, &ends)?;
        self.last_local = Some(concat(&[&e, &c, &ends], 1)?);
        Ok(error)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let (z, _) = self.sample(x, 0)?;
        self.head.infer(&z)
    }

    fn parameter_count(&self) -> usize {
        let embed = if self.embedding.learnable() { self.embedding.weight.len() } else { 0 };
        self.net.count() + self.head.parameter_count() + embed + self.schedule.len()
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = self.net.state_mut("net");
        out.extend(self.head.state_mut("head"));
        out.push(("embedding".into(), &mut self.embedding.weight.value));
        out
    }

    fn host_state_mut(&mut self) -> Vec<(String, &mut Vec<f64>)> {
        vec![("schedule.psi".into(), &mut self.schedule.psi)]
    }

    fn local_loss_names(&self) -> Vec<String> {
        vec!["denoise ‖û−u‖²".into(), "classifier CE".into(), "schedule ᾱ(0)".into(), "schedule ᾱ(1)".into()]
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

impl Denoising for NoPropCt {
    fn trajectory(&self, x: &Tensor) -> Result<Vec<Tensor>> {
        self.sample(x, 10).map(|(_, trail)| trail)
    }

    fn label_embedding(&self) -> &Tensor {
        &self.embedding.weight.value
    }
}
