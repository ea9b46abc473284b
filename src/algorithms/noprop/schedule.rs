//! NoProp-CT's learnable noise schedule, after VDM.
//! Implements docs/algorithms/noprop.md, Eqs. (12)-(13) (the paper's App. B, Eqs. 65-67), and the schedule's
//! part of the ψ-gradient of Eq. (16):
//!
//! `γ̃(t) = k t + Σ_j c_j σ(a_j t + b_j)` with `k, a_j, c_j = softplus(raw) > 0` (monotone in t), `H = 64`;
//! `γ̄(t) = (γ̃(t) - γ̃(0)) / (γ̃(1) - γ̃(0))`, `γ(t) = γ_0 + (γ_1 - γ_0)(1 - γ̄(t))`, `ᾱ(t) = σ(-γ(t))`,
//! `SNR(t) = exp(-γ(t))`, `SNR'(t) = (γ_1 - γ_0) γ̃'(t) / (γ̃(1) - γ̃(0)) · exp(-γ(t))`.
//!
//! The schedule is scalar per example and tiny, so it lives on the host in f64 (our choice): its values are
//! uploaded per batch, and its gradient is assembled from per-example scalars the step reads back, by
//! forward-mode differentiation ([`Dual`]) of the formulas above. `γ_0 = -5`, `γ_1 = 5` at the start (our
//! choice; the paper gives no values).

use crate::rng::Rng;

/// Hidden units of `γ̃`.
pub const SCHEDULE_HIDDEN: usize = 64;
const CLAMP: f64 = 1e-4;

/// A value and its gradient with respect to the schedule's parameters (forward-mode autodiff).
#[derive(Clone, Debug)]
pub struct Dual {
    pub v: f64,
    pub g: Vec<f64>,
}

impl Dual {
    fn constant(v: f64, n: usize) -> Self {
        Dual { v, g: vec![0.0; n] }
    }

    fn var(v: f64, i: usize, n: usize) -> Self {
        let mut g = vec![0.0; n];
        if i < n {
            g[i] = 1.0;
        }
        Dual { v, g }
    }

    fn zip(&self, o: &Dual, v: f64, da: f64, db: f64) -> Dual {
        Dual { v, g: self.g.iter().zip(&o.g).map(|(a, b)| da * a + db * b).collect() }
    }

    fn add(&self, o: &Dual) -> Dual {
        self.zip(o, self.v + o.v, 1.0, 1.0)
    }

    fn sub(&self, o: &Dual) -> Dual {
        self.zip(o, self.v - o.v, 1.0, -1.0)
    }

    fn mul(&self, o: &Dual) -> Dual {
        self.zip(o, self.v * o.v, o.v, self.v)
    }

    fn div(&self, o: &Dual) -> Dual {
        self.zip(o, self.v / o.v, 1.0 / o.v, -self.v / (o.v * o.v))
    }

    /// `f(self)` with derivative `df` at `self.v`.
    fn map(&self, v: f64, df: f64) -> Dual {
        Dual { v, g: self.g.iter().map(|a| df * a).collect() }
    }

    fn scale(&self, s: f64) -> Dual {
        self.map(self.v * s, s)
    }

    fn sigmoid(&self) -> Dual {
        let s = sigmoid(self.v);
        self.map(s, s * (1.0 - s))
    }

    fn softplus(&self) -> Dual {
        self.map(softplus(self.v), sigmoid(self.v))
    }

    fn exp(&self) -> Dual {
        let e = self.v.exp();
        self.map(e, e)
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// `ᾱ(t)` and `SNR'(t)`, each with its gradient with respect to ψ.
#[derive(Clone, Debug)]
pub struct ScheduleAt {
    pub alpha_bar: Dual,
    pub snr_prime: Dual,
}

/// The learnable schedule's parameters ψ = `[k_raw, a_raw(H), b(H), c_raw(H), γ_0, γ_1]`, and Adam's state.
#[derive(Clone, Debug)]
pub struct LearnedSchedule {
    pub psi: Vec<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
    steps: i32,
}

impl LearnedSchedule {
    /// Raw weights drawn from `U(-1, 1)`, `γ_0 = -5`, `γ_1 = 5`.
    pub fn new(rng: &mut Rng) -> Self {
        let h = SCHEDULE_HIDDEN;
        let mut psi: Vec<f64> = (0..3 * h + 1).map(|_| f64::from(rng.uniform(-1.0, 1.0))).collect();
        psi.extend([-5.0, 5.0]);
        let n = psi.len();
        LearnedSchedule { psi, m: vec![0.0; n], v: vec![0.0; n], steps: 0 }
    }

    /// Number of parameters (`3 H + 3`).
    pub fn len(&self) -> usize {
        self.psi.len()
    }

    /// Always false (the schedule has parameters).
    pub fn is_empty(&self) -> bool {
        self.psi.is_empty()
    }

    /// `γ̃(t)` and `γ̃'(t)`; gradients tracked when `grad`.
    fn gamma_tilde(&self, t: f64, grad: bool) -> (Dual, Dual) {
        let h = SCHEDULE_HIDDEN;
        let n = if grad { self.psi.len() } else { 0 };
        let var = |i: usize| Dual::var(self.psi[i], i, n);
        let k = var(0).softplus();
        let mut value = k.scale(t);
        let mut slope = k;
        for j in 0..h {
            let a = var(1 + j).softplus();
            let b = var(1 + h + j);
            let c = var(1 + 2 * h + j).softplus();
            let s = a.scale(t).add(&b).sigmoid();
            let ds = s.mul(&Dual::constant(1.0, n).sub(&s));
            value = value.add(&c.mul(&s));
            slope = slope.add(&c.mul(&a).mul(&ds));
        }
        (value, slope)
    }

    /// `ᾱ(t)` and `SNR'(t)` (with gradients when `grad`); ᾱ is clamped to `[1e-4, 1 - 1e-4]` (no gradient
    /// where clamped).
    pub fn at(&self, t: f64, grad: bool) -> ScheduleAt {
        self.at_with(t, &self.ends(grad), grad)
    }

    /// `γ̃(0)` and `γ̃(1)`, shared by every [`LearnedSchedule::at_with`] of one step.
    pub fn ends(&self, grad: bool) -> (Dual, Dual) {
        (self.gamma_tilde(0.0, grad).0, self.gamma_tilde(1.0, grad).0)
    }

    /// [`LearnedSchedule::at`] with precomputed [`LearnedSchedule::ends`].
    pub fn at_with(&self, t: f64, ends: &(Dual, Dual), grad: bool) -> ScheduleAt {
        let n = if grad { self.psi.len() } else { 0 };
        let (g0, g1) = ends;
        let (gt, slope) = self.gamma_tilde(t, grad);
        let last = self.psi.len() - 1;
        let gamma_0 = Dual::var(self.psi[last - 1], last - 1, n);
        let gamma_1 = Dual::var(self.psi[last], last, n);
        let range = gamma_1.sub(&gamma_0);
        let delta = g1.sub(g0);
        let bar = gt.sub(g0).div(&delta);
        let gamma = gamma_0.add(&range.mul(&Dual::constant(1.0, n).sub(&bar)));
        let mut alpha_bar = gamma.scale(-1.0).sigmoid();
        if alpha_bar.v < CLAMP || alpha_bar.v > 1.0 - CLAMP {
            alpha_bar = Dual::constant(alpha_bar.v.clamp(CLAMP, 1.0 - CLAMP), n);
        }
        let snr_prime = range.mul(&slope).div(&delta).mul(&gamma.scale(-1.0).exp());
        ScheduleAt { alpha_bar, snr_prime }
    }

    /// `ᾱ(t)` without gradients.
    pub fn alpha_bar(&self, t: f64) -> f64 {
        self.at(t, false).alpha_bar.v
    }

    /// One Adam step with coupled L2 decay (`g += wd ψ`, the CT optimiser of the paper's Table 3) from `grad`.
    pub fn adam_step(&mut self, grad: &[f64], lr: f64, weight_decay: f64) {
        self.steps += 1;
        let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
        let (c1, c2) = (1.0 - b1.powi(self.steps), 1.0 - b2.powi(self.steps));
        for i in 0..self.psi.len() {
            let g = grad.get(i).copied().unwrap_or(0.0) + weight_decay * self.psi[i];
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * g;
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g;
            self.psi[i] -= lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps);
        }
    }
}
