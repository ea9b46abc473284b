//! NoProp (Li, Teh & Pascanu, 2025, arXiv:2503.24322) and the mathematics its variants share.
//! Implements docs/algorithms/noprop.md, Eqs. (1)-(6), (8), (9) and (21)-(23); equation numbers below are that
//! page's, and the paper's own are written "the paper's Eq. n".
//!
//! Each block learns to denoise a noisy label embedding, with no gradient between blocks. This file holds the fixed
//! cosine schedule and the closed-form transition of the variational posterior (Eqs. (1)-(4)), the loss weights
//! (Eq. (6)), the label embeddings (one-hot, learned dim-20, prototype; Eqs. (21)-(23)), the prior KL (Eq. (8)), and
//! the denoising loss with its gradients (Eqs. (5), (9)). The variants are [`dt`] (discrete time), [`ct`] (continuous
//! time), [`fm`] (flow matching), the backprop baseline [`backprop`], the block architecture [`net`] and CT's learned
//! noise schedule [`schedule`].

pub mod backprop;
pub mod continuous;
pub mod ct;
pub mod dt;
pub mod fm;
pub mod net;
pub mod schedule;

pub use crate::config::EmbeddingKind;
use crate::config::{Architecture, RunConfig};
use crate::error::{Error, Result};
use crate::nn::{orthonormal_rows, OptimizerConfig, Param};
use crate::rng::Rng;
use crate::tensor::{
    add_scaled, matmul, mse, one_hot, random, reduce, softmax, softmax_backward, Device, Distribution, Reduction,
    Tensor,
};
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};

/// Blocks (discrete time steps) of NoProp-DT (the paper's T = 10).
pub const BLOCKS: usize = 10;
/// η of the DT objective (Eq. (6); the paper's Table 3).
pub const ETA_DT: f64 = 0.1;
/// Offset `s` of the Nichol–Dhariwal cosine schedule (Eq. (1); the paper says only "cosine").
const COSINE_OFFSET: f64 = 0.008;
/// ᾱ is clamped to `[CLAMP, 1 - CLAMP]` so that SNR stays finite (Eq. (1); the clamp is ours).
pub const ALPHA_BAR_CLAMP: f64 = 1e-4;
/// SNR cap of the loss weights when `W_Embed` is learned (`w̃_t` of Eq. (6); with one-hot labels the weights only scale
/// each block's own gradient, which AdamW ignores, so they stay exact).
pub const LEARNED_SNR_CAP: f64 = 100.0;
/// Dimension of the learned label embedding (Eq. (22); the paper's Table 1 "dim=20").
pub const LEARNED_DIM: usize = 20;
/// Training images per class the prototype medoid is searched among (Eq. (23); the subsampling is ours: the full
/// 6,000 x 6,000 distances per MNIST class would take minutes in the browser).
pub const PROTOTYPE_CANDIDATES: usize = 1000;

/// Closed-form coefficients of `q(z_t | z_{t-1}, y) = N(a u_y + b z_{t-1}, c I)` between two noise levels
/// (Eq. (4)): `ᾱ_prev = ᾱ_{t-1}` (noisier) and `ᾱ_next = ᾱ_t`, with `α_{t-1} = ᾱ_{t-1} / ᾱ_t`.
pub fn transition(alpha_bar_prev: f64, alpha_bar_next: f64) -> (f64, f64, f64) {
    let alpha = alpha_bar_prev / alpha_bar_next;
    let a = alpha_bar_next.sqrt() * (1.0 - alpha) / (1.0 - alpha_bar_prev);
    let b = alpha.sqrt() * (1.0 - alpha_bar_next) / (1.0 - alpha_bar_prev);
    let c = (1.0 - alpha_bar_next) * (1.0 - alpha) / (1.0 - alpha_bar_prev);
    (a, b, c)
}

/// Signal-to-noise ratio `ᾱ / (1 - ᾱ)`.
pub fn snr(alpha_bar: f64) -> f64 {
    alpha_bar / (1.0 - alpha_bar)
}

/// The fixed cosine schedule of NoProp-DT, time running from noise (`t = 0`) to label (`t = T`) (Eq. (1)):
/// `f(τ) = cos²(((τ/T + s)/(1 + s)) π/2)`, `ᾱ_t = f(T - t)/f(0)`, clamped to `[1e-4, 1 - 1e-4]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CosineSchedule {
    /// `ᾱ_0 .. ᾱ_T`.
    pub alpha_bar: Vec<f64>,
}

impl CosineSchedule {
    /// The schedule for `blocks` steps.
    pub fn new(blocks: usize) -> Self {
        let t_max = blocks as f64;
        let f = |tau: f64| {
            (((tau / t_max + COSINE_OFFSET) / (1.0 + COSINE_OFFSET)) * std::f64::consts::FRAC_PI_2).cos().powi(2)
        };
        let alpha_bar = (0..=blocks)
            .map(|t| (f(t_max - t as f64) / f(0.0)).clamp(ALPHA_BAR_CLAMP, 1.0 - ALPHA_BAR_CLAMP))
            .collect();
        CosineSchedule { alpha_bar }
    }

    /// T.
    pub fn blocks(&self) -> usize {
        self.alpha_bar.len() - 1
    }

    /// `SNR(t)`.
    pub fn snr(&self, t: usize) -> f64 {
        snr(self.alpha_bar[t])
    }

    /// `(a_t, b_t, c_t)` of the step into `z_t`, `t = 1..=T`.
    pub fn coefficients(&self, t: usize) -> (f64, f64, f64) {
        transition(self.alpha_bar[t - 1], self.alpha_bar[t])
    }

    /// Weight of block `t`'s squared error in the per-example objective: `(T/2) η (SNR(t) - SNR(t-1))` (Eq. (6)).
    pub fn loss_weight(&self, t: usize, eta: f64) -> f64 {
        self.blocks() as f64 / 2.0 * eta * (self.snr(t) - self.snr(t - 1))
    }

    /// [`CosineSchedule::loss_weight`] with SNR capped at `cap` in the weight only (`w̃_t` of Eq. (6): the clamp leaves
    /// `SNR(T) = 9999`, whose weight 4982 would dominate a learned `W_Embed`'s gradient; Tai225999 caps at 100).
    pub fn capped_loss_weight(&self, t: usize, eta: f64, cap: f64) -> f64 {
        self.blocks() as f64 / 2.0 * eta * (self.snr(t).min(cap) - self.snr(t - 1).min(cap))
    }
}

/// Parses `one-hot`, `learned` (or `dim20`) and `prototype`.
pub fn parse_embedding(s: &str) -> Result<EmbeddingKind> {
    match s {
        "one-hot" | "onehot" => Ok(EmbeddingKind::OneHot),
        "learned" | "dim20" | "dim=20" => Ok(EmbeddingKind::Learned),
        "prototype" => Ok(EmbeddingKind::Prototype),
        _ => Err(Error::invalid("embedding", format!("`{s}` (use one-hot, learned or prototype)"))),
    }
}

/// The name [`parse_embedding`] reads.
pub fn embedding_name(kind: EmbeddingKind) -> &'static str {
    match kind {
        EmbeddingKind::OneHot => "one-hot",
        EmbeddingKind::Learned => "learned",
        EmbeddingKind::Prototype => "prototype",
    }
}

/// `d` for `classes` classes and images of `pixels` values.
pub fn embedding_dim(kind: EmbeddingKind, classes: usize, pixels: usize) -> usize {
    match kind {
        EmbeddingKind::OneHot => classes,
        EmbeddingKind::Learned => LEARNED_DIM,
        EmbeddingKind::Prototype => pixels,
    }
}

/// The label embedding `W_Embed` (`m x d`); `u_y` is row `y`.
#[derive(Debug)]
pub struct LabelEmbedding {
    pub kind: EmbeddingKind,
    pub weight: Param,
}

impl LabelEmbedding {
    /// One-hot or learned embeddings for `classes` classes (prototypes start as one-hot-sized zeros until
    /// [`LabelEmbedding::set_prototypes`]; they need the training images).
    pub fn new(device: &Device, kind: EmbeddingKind, classes: usize, pixels: usize, rng: &mut Rng) -> Result<Self> {
        let d = embedding_dim(kind, classes, pixels);
        let w: Vec<f32> = match kind {
            EmbeddingKind::OneHot => (0..classes * d).map(|i| if i / d == i % d { 1.0 } else { 0.0 }).collect(),
            EmbeddingKind::Learned => {
                orthonormal_rows(classes, d, rng).into_iter().flatten().map(|v| v as f32).collect()
            }
            EmbeddingKind::Prototype => vec![0.0; classes * d],
        };
        Ok(LabelEmbedding { kind, weight: Param::new(device.tensor(classes, d, &w)?) })
    }

    /// True unless the embedding is the fixed one-hot identity.
    pub fn learnable(&self) -> bool {
        self.kind != EmbeddingKind::OneHot
    }

    /// `d`.
    pub fn dim(&self) -> usize {
        self.weight.value.cols()
    }

    /// For prototype embeddings, sets the rows to the class medoids of the training images; else nothing.
    pub fn init_from_data(&mut self, x: ArrayView2<f32>, y: &[u32], rng: &mut Rng) -> Result<()> {
        match self.kind {
            EmbeddingKind::Prototype => self.set_prototypes(x, y, rng),
            _ => Ok(()),
        }
    }

    /// Replaces the rows by the class medoids of `x` (prototype embeddings).
    pub fn set_prototypes(&mut self, x: ArrayView2<f32>, y: &[u32], rng: &mut Rng) -> Result<()> {
        let [m, d] = self.weight.value.shape();
        if x.ncols() != d {
            return Err(Error::shape("prototypes", format!("images of {} values for d = {d}", x.ncols())));
        }
        let medoids = class_medoids(x, y, m, PROTOTYPE_CANDIDATES, rng)?;
        let flat: Vec<f32> = medoids.iter().copied().collect();
        self.weight.value = self.weight.value.device().tensor(m, d, &flat)?;
        Ok(())
    }

    /// `U = onehot(y) W_Embed` (`B x d`) and the one-hot matrix (`B x m`, for the embedding's gradient).
    pub fn lookup(&self, labels: &Tensor) -> Result<(Tensor, Tensor)> {
        let hot = one_hot(labels, self.weight.value.rows())?;
        Ok((matmul(&hot, &self.weight.value, false, false)?, hot))
    }
}

/// Per class, the training image with the smallest median Euclidean distance to the others of its class
/// (Eq. (23)), searched among at most `candidates` seeded draws per class. Returns `classes x d`.
pub fn class_medoids(
    x: ArrayView2<f32>,
    y: &[u32],
    classes: usize,
    candidates: usize,
    rng: &mut Rng,
) -> Result<Array2<f32>> {
    let mut out = Array2::zeros((classes, x.ncols()));
    for k in 0..classes {
        let mut members: Vec<usize> = (0..y.len()).filter(|&i| y[i] as usize == k).collect();
        if members.is_empty() {
            return Err(Error::invalid("prototypes", format!("class {k} has no training image")));
        }
        if members.len() > candidates {
            let order = rng.permutation(members.len());
            members = order[..candidates].iter().map(|&i| members[i]).collect();
        }
        let rows = x.select(Axis(0), &members);
        let norms: Vec<f32> = rows.rows().into_iter().map(|r: ArrayView1<f32>| r.dot(&r)).collect();
        let gram = rows.dot(&rows.t());
        let mut best = (f32::INFINITY, 0);
        for i in 0..members.len() {
            let mut dist: Vec<f32> = (0..members.len())
                .filter(|&j| j != i)
                .map(|j| (norms[i] + norms[j] - 2.0 * gram[[i, j]]).max(0.0).sqrt())
                .collect();
            let median = if dist.is_empty() {
                0.0
            } else {
                let mid = dist.len() / 2;
                *dist.select_nth_unstable_by(mid, f32::total_cmp).1
            };
            if median < best.0 {
                best = (median, i);
            }
        }
        out.row_mut(k).assign(&rows.row(best.1));
    }
    Ok(out)
}

/// `KL(q(z_0|y) ‖ N(0, I)) = ½ (ᾱ_0 ‖u_y‖² - d ᾱ_0 - d ln(1 - ᾱ_0))` (Eq. (8)).
pub fn prior_kl(alpha_bar_0: f64, u_norm_sq: f64, d: usize) -> f64 {
    let d = d as f64;
    0.5 * (alpha_bar_0 * u_norm_sq - d * alpha_bar_0 - d * (1.0 - alpha_bar_0).ln())
}

/// A draw of `√ᾱ u + √(1-ᾱ) ε` (the posterior `q(z|y)` at noise level ᾱ), with ε from `seed`.
pub fn noisy_label(u: &Tensor, alpha_bar: f64, seed: u64) -> Result<Tensor> {
    let eps = random(&u.device(), u.rows(), u.cols(), Distribution::Normal { mean: 0.0, std: 1.0 }, seed)?;
    combine(&[(u, alpha_bar.sqrt()), (&eps, (1.0 - alpha_bar).sqrt())])
}

/// `Σ_k s_k x_k` of equally shaped tensors.
pub fn combine(terms: &[(&Tensor, f64)]) -> Result<Tensor> {
    let (first, _) = terms.first().ok_or_else(|| Error::invalid("combine", "no terms"))?;
    let mut out = first.device().zeros(first.rows(), first.cols())?;
    for (x, s) in terms {
        add_scaled(&mut out, x, *s as f32)?;
    }
    Ok(out)
}

/// The denoising term of one block for a batch and what its backward needs.
pub struct Denoise {
    /// `p = softmax(logits)` (`B x m`).
    pub probs: Tensor,
    /// `û = p W_Embed` (`B x d`).
    pub u_hat: Tensor,
    /// Per example `‖û - u‖²` (`B x 1`), unweighted.
    pub error: Tensor,
    /// `∂L/∂û = 2 w (û - u)`.
    pub grad_u_hat: Tensor,
    /// `∂L/∂logits` through the softmax.
    pub grad_logits: Tensor,
}

/// `L = w Σ_i ‖softmax(logits_i) W_Embed - u_i‖²` and its gradients (Eqs. (5), (9)): `g_û = 2w(û - u)`,
/// `g_p = g_û W_Embedᵀ`, `g_logits = p ⊙ (g_p - ⟨p, g_p⟩)`.
pub fn denoise(logits: &Tensor, embed: &Tensor, u: &Tensor, weight: f32) -> Result<Denoise> {
    let probs = softmax(logits, false)?;
    let u_hat = matmul(&probs, embed, false, false)?;
    let (sq, grad_u_hat) = mse(&u_hat, u, weight)?;
    let error = reduce(&sq, 1, Reduction::Sum)?;
    let grad_p = matmul(&grad_u_hat, embed, false, true)?;
    let grad_logits = softmax_backward(&probs, &grad_p, false)?;
    Ok(Denoise { probs, u_hat, error, grad_u_hat, grad_logits })
}

/// Per-row inner products `⟨a_i, b_i⟩` (`B x 1`) as `¼(‖a_i + b_i‖² - ‖a_i - b_i‖²)`, from the squared-error
/// kernel (no elementwise product kernel needed).
pub fn row_dots(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (plus, _) = mse(a, &combine(&[(b, -1.0)])?, 0.0)?;
    let (minus, _) = mse(a, b, 0.0)?;
    let plus = reduce(&plus, 1, Reduction::Sum)?;
    let minus = reduce(&minus, 1, Reduction::Sum)?;
    combine(&[(&plus, 0.25), (&minus, -0.25)])
}

/// Seeds of the stochastic samplers: a fresh one per call (so repeated evaluations are independent inference
/// runs, as the paper's Table 1 averages), the same sequence in every replay of a run.
#[derive(Debug)]
pub struct SamplerSeeds {
    base: u64,
    calls: std::cell::Cell<u64>,
}

impl SamplerSeeds {
    /// A sequence drawn from `rng`.
    pub fn new(rng: &mut Rng) -> Self {
        SamplerSeeds { base: next_seed(rng), calls: std::cell::Cell::new(0) }
    }

    /// The next seed.
    pub fn next(&self) -> u64 {
        let k = self.calls.get();
        self.calls.set(k + 1);
        self.base ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
}

/// A 64-bit seed from the run's RNG (noise and dropout masks are drawn on the device from seeds).
pub fn next_seed(rng: &mut Rng) -> u64 {
    (rng.below(u32::MAX as usize) as u64) << 32 | rng.below(u32::MAX as usize) as u64
}

/// NoProp's Table 3 (docs/algorithms/noprop.md, "Architectures and hyper-parameters"): batch 128, lr 1e-3, weight
/// decay 1e-3; AdamW for the discrete-time variant and the backprop baseline (`discrete`), Adam with coupled L2
/// for CT and FM; epochs DT/BP 100 (MNIST) or 150 (CIFAR), CT/FM 100 or 500; the whole training set without a
/// validation split, no augmentation, no clipping, no schedule.
pub(crate) fn table3(cfg: &mut RunConfig, discrete: bool) {
    let cifar = cfg.dataset.starts_with("cifar");
    cfg.arch = Architecture::NoProp;
    cfg.batch_size = 128;
    cfg.epochs = match (discrete, cifar) {
        (_, false) => 100,
        (true, true) => 150,
        (false, true) => 500,
    };
    cfg.optimizer = OptimizerConfig::Adam {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weight_decay: 1e-3,
        decoupled: discrete,
    };
    cfg.grad_clip = 0.0;
    cfg.validation = false;
    cfg.augment = false;
    cfg.cosine_lr = false;
}

/// The page's light preset: blocks a quarter as wide, 10,000 training images, 100 sampler steps (95 % on MNIST
/// in 4 epochs); the paper's blocks are one click away.
pub(crate) fn light(cfg: &mut RunConfig) {
    cfg.noprop.width = 0.25;
    cfg.noprop.inference_steps = 100;
    cfg.train_limit = 10_000;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_matches_the_spec_table() {
        let s = CosineSchedule::new(10);
        assert!((s.alpha_bar[1] - 0.024092).abs() < 1e-6);
        assert!((s.alpha_bar[5] - 0.493844).abs() < 1e-6);
        let (a, b, c) = s.coefficients(9);
        assert!((a - 0.73482).abs() < 1e-5 && (b - 0.26490).abs() < 1e-5 && (c - 0.020799).abs() < 1e-6);
    }
}
