//! Counter-current learning (CCL): the MLP's forward and feedback networks and their training step.
//! Implements docs/algorithms/ccl.md, Eqs. (1)-(7) and (13)-(16) for the MLP: the networks (1)-(2) and weight
//! gradients (6) here, the pair loss (3)-(5) in `losses.rs`, the output layer's cross-entropy (7) in `nn::loss`
//! and the update (13)-(16) in `updates.rs`; the CNN, Eqs. (8)-(11), and the autoencoder, Eq. (12), are in
//! `cnn.rs` and `autoencoder.rs`. Equation numbers below are that page's.
//!
//! The paper: Chia-Hsiang Kao & Bharath Hariharan, "Counter-Current Learning: A Biologically Plausible Dual
//! Network Approach for Deep Learning", NeurIPS 2024 (arXiv 2409.19841). Where the paper and the authors' code
//! differ we follow the code (docs/algorithms/ccl.md, "Where we had to choose").
//!
//! Two networks of mirrored shapes run in opposite directions (Eqs. (1)-(2)):
//! - the forward network F: `a_l = ELU(SG(a_{l-1}) U_l)` for `l = 1..L-1`, logits `z = SG(a_{L-1}) U_L`;
//! - the feedback network G, fed the K x K identity (one row per class, independent of the batch):
//!   `c_{L-1} = ELU(V_L)`, `c_{l-1} = ELU(SG(c_l) V_l)`, and `c_0 = SG(c_1) V_1` without activation.
//!
//! `SG` is a stop-gradient: here it is simply that no code carries a gradient from one layer into the one below.
//! Each pair `(a_l, c_l)`, `l = 0..L-1` (with `a_0 = x`), has the local loss of Eqs. (3)-(4) (MLP):
//! `L_l = mse(A Pᵀ, Y) · loss_scale · 256 / d_l` with `Y` the B x K one-hot labels, and the top layer `U_L` is trained
//! by cross-entropy alone (Eq. (7)). Pair `l` trains `U_l` (none for `l = 0`) and `V_{l+1}` (the table of "What trains
//! what (MLP)"); every parameter gets gradient from exactly one term. The update (Eqs. (13)-(16)) is: optional
//! loss-scale warm-up, optional gradient centralisation, global-norm clipping of F and of G separately, then one SGD
//! for each. Gradients are the analytic ones of Eqs. (5)-(6). All updates use the pre-update weights ("Compute all,
//! then update" in "Where we had to choose").

pub mod autoencoder;
pub mod cnn;
pub mod losses;
pub mod updates;

use super::{Algorithm, Problem, Views};
use crate::config::{Architecture, CclOptions, RunConfig};
use crate::error::{Error, Result};
use crate::nn::{centralize_gradients, softmax_cross_entropy, OptimizerConfig, Param};
use crate::rng::Rng;
use crate::tensor::{
    activation, activation_backward, concat, matmul, one_hot, reduce, Activation, Device, Reduction, Tensor,
};
use losses::{mlp_pair_loss, mlp_pair_scale};
use updates::CclUpdates;

const ACT: Activation = Activation::Elu;

/// The forward network F, the feedback network G and their two optimisers.
#[derive(Debug)]
pub struct Ccl {
    /// `U_1..U_L`, stored `d_{l-1} x d_l` (`a_l = a_{l-1} U_l`).
    forward: Vec<Param>,
    /// `V_1..V_L`, stored `d_l x d_{l-1}` (`c_{l-1} = c_l V_l`); `V_L` is `K x d_{L-1}`.
    feedback: Vec<Param>,
    widths: Vec<usize>,
    updates: CclUpdates,
    options: CclOptions,
    last_losses: Option<Tensor>,
}

/// CCL's learning rate and momentum on the 2-D sets.
const PLANE_LR: f32 = 0.03;
const PLANE_MOMENTUM: f32 = 0.9;

/// CCL's settings on top of `RunConfig::base` (docs/algorithms/ccl.md, "Architectures and hyper-parameters"):
/// on the 2-D sets the playground's MLP with SGD + momentum, clipped as the paper's MLPs are; the CNN as
/// `yaml/cnn/cifar10_ccl.yaml` (batch 128, lr 1, momentum 0.8, weight decay 1e-6, loss warm-up 100 steps,
/// clipping 0.3 for F and G, `loss_scale_C` 1, `loss_scale_ssl` 0.5, flooding on); the autoencoder as
/// `yaml/cnn_ae/stl10_ccl_legacy.yaml` (lr 0.01, momentum 0.9, weight decay 1e-4, warm-up 100, C = D = 1).
pub(crate) fn defaults(cfg: &mut RunConfig) {
    if cfg.dataset_kind() == Some(crate::data::DatasetKind::Plane) {
        cfg.optimizer = OptimizerConfig::Sgd { lr: PLANE_LR, momentum: PLANE_MOMENTUM, weight_decay: 0.0 };
        cfg.ccl.feedback_lr = PLANE_LR;
        cfg.grad_clip = 1.0;
    }
    match cfg.arch {
        Architecture::Autoencoder => {
            cfg.optimizer = OptimizerConfig::Sgd { lr: 0.01, momentum: 0.9, weight_decay: 1e-4 };
            cfg.loss_warmup = 100;
            cfg.ccl = CclOptions {
                loss_scale: 1.0,
                decorrelation_scale: 1.0,
                feedback_lr: 0.01,
                feedback_clip: 0.2,
                flooding: false,
            };
        }
        Architecture::Cnn => {
            cfg.batch_size = 128;
            cfg.optimizer = OptimizerConfig::Sgd { lr: 1.0, momentum: 0.8, weight_decay: 1e-6 };
            cfg.loss_warmup = 100;
            cfg.grad_clip = 0.3;
            cfg.ccl = CclOptions {
                loss_scale: 1.0,
                decorrelation_scale: 0.5,
                feedback_lr: 1.0,
                feedback_clip: 0.3,
                flooding: true,
            };
        }
        Architecture::Mlp | Architecture::NoProp => {}
    }
}

/// The quick configuration: the paper's MLP for 5 epochs at batch 64 (≈ 96 % test accuracy on MNIST).
pub(crate) fn quick(cfg: &mut RunConfig) {
    cfg.epochs = 5;
    cfg.batch_size = 64;
}

pub(crate) fn build(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    match cfg.arch {
        Architecture::Cnn => cnn::build_ccl(cfg, problem, device, rng),
        Architecture::Autoencoder => autoencoder::build_ccl(cfg, problem, device, rng),
        _ => Ok(Box::new(Ccl::new(cfg, problem, device, rng)?)),
    }
}

impl Ccl {
    /// The MLP `inputs -> cfg.model.hidden -> classes` (no biases) and its mirror, drawn with `cfg.model.init`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        if cfg.arch != Architecture::Mlp {
            return Err(Error::invalid(
                "model",
                format!("counter-current learning runs the MLP and the CNN (`{}` is not built yet)", cfg.arch.name()),
            ));
        }
        if cfg.model.hidden.is_empty() {
            return Err(Error::invalid("model", "CCL needs at least one hidden layer"));
        }
        let widths: Vec<usize> =
            std::iter::once(problem.inputs).chain(cfg.model.hidden.iter().copied()).chain([problem.classes]).collect();
        let init = cfg.model.init;
        let mut forward = Vec::new();
        let mut feedback = Vec::new();
        for w in widths.windows(2) {
            forward.push(Param::new(init.draw(device, w[0], w[1], w[0], rng)?));
            feedback.push(Param::new(init.draw(device, w[1], w[0], w[1], rng)?));
        }
        let updates = CclUpdates::new(cfg, "CCL")?;
        Ok(Ccl { forward, feedback, widths, updates, options: cfg.ccl.clone(), last_losses: None })
    }

    /// Layer widths `d_0 = inputs, d_1, ..., d_L = classes`.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// The forward weights `U_1..U_L` (`d_{l-1} x d_l`).
    pub fn forward_weights(&self) -> impl Iterator<Item = &Tensor> {
        self.forward.iter().map(|p| &p.value)
    }

    /// The feedback weights `V_1..V_L` (`d_l x d_{l-1}`).
    pub fn feedback_weights(&self) -> impl Iterator<Item = &Tensor> {
        self.feedback.iter().map(|p| &p.value)
    }

    /// Mutable access to every parameter, forward network first (for tests and checkpoints).
    pub fn params_mut(&mut self) -> (Vec<&mut Param>, Vec<&mut Param>) {
        (self.forward.iter_mut().collect(), self.feedback.iter_mut().collect())
    }

    /// Forward activations `[a_0 = x, a_1, .., a_{L-1}]`, their pre-activations `[_, z_1, .., z_{L-1}]` and the
    /// logits (Eq. (1)).
    fn run_forward(&self, x: &Tensor) -> Result<(Vec<Tensor>, Vec<Tensor>, Tensor)> {
        let top = self.forward.len() - 1;
        let mut acts = vec![x.try_clone()?];
        let mut pre = vec![x.device().zeros(1, 1)?];
        for u in &self.forward[..top] {
            let z = matmul(&acts[acts.len() - 1], &u.value, false, false)?;
            acts.push(activation(&z, ACT)?);
            pre.push(z);
        }
        let logits = matmul(&acts[top], &self.forward[top].value, false, false)?;
        Ok((acts, pre, logits))
    }

    /// Feedback activations `[c_0, .., c_{L-1}]` (K rows each) and their pre-activations (Eq. (2)). The input
    /// is the K x K identity, so `c_{L-1} = ELU(V_L)` without a product.
    pub fn feedback_signals(&self) -> Result<(Vec<Tensor>, Vec<Tensor>)> {
        let top = self.feedback.len() - 1;
        let mut pre: Vec<Tensor> = Vec::with_capacity(top + 1);
        let mut sig: Vec<Tensor> = Vec::with_capacity(top + 1);
        pre.push(self.feedback[top].value.try_clone()?);
        sig.push(activation(&pre[0], ACT)?);
        for l in (0..top).rev() {
            // c_l = f(c_{l+1} V_{l+1}), V_{l+1} = feedback[l]; the lists are built top-down, reversed below.
            let z = matmul(&sig[sig.len() - 1], &self.feedback[l].value, false, false)?;
            sig.push(if l == 0 { z.try_clone()? } else { activation(&z, ACT)? });
            pre.push(z);
        }
        pre.reverse();
        sig.reverse();
        Ok((sig, pre))
    }

    /// The B x K similarity matrix `a_l c_lᵀ` of layer `l` (`0..L`) for inputs `x`: what the local loss pulls
    /// towards the one-hot labels.
    pub fn alignment(&self, x: &Tensor, layer: usize) -> Result<Tensor> {
        let (acts, _, _) = self.run_forward(x)?;
        let (sig, _) = self.feedback_signals()?;
        let (a, c) = acts.get(layer).zip(sig.get(layer)).ok_or_else(|| {
            Error::invalid("layer", format!("{layer} (the network has pairs 0..{})", self.widths.len() - 1))
        })?;
        matmul(a, c, false, true)
    }

    /// Gradients of every local loss and of the CE, accumulated into the parameters; returns the per-example CE
    /// and the `1 x (L+1)` loss values `[L_0, .., L_{L-1}, CE]`.
    pub fn accumulate_gradients(&mut self, x: &Tensor, y: &Tensor) -> Result<(Tensor, Tensor)> {
        let classes = *self.widths.last().unwrap_or(&0);
        let top = self.forward.len() - 1;
        let y_hot = one_hot(y, classes)?;
        let (acts, pre, logits) = self.run_forward(x)?;
        let (sig, sig_pre) = self.feedback_signals()?;
        let mut values = Vec::with_capacity(top + 2);
        for l in 0..=top {
            let s = mlp_pair_scale(self.options.loss_scale, self.widths[l]);
            let pair = mlp_pair_loss(&acts[l], &sig[l], &y_hot, s)?;
            values.push(pair.value);
            if l > 0 {
                // U_l: dZ = dA ⊙ ELU'(z_l), dU_l = SG(a_{l-1})ᵀ dZ. Nothing flows into a_{l-1}.
                let dz = activation_backward(&pre[l], &pair.grad_a, ACT)?;
                self.forward[l - 1].accumulate(matmul(&acts[l - 1], &dz, true, false)?)?;
            }
            // V_{l+1}: c_l = f(SG(c_{l+1}) V_{l+1}) (c_L = I_K, so dV_L = d pre).
            let d_pre = if l == 0 { pair.grad_p } else { activation_backward(&sig_pre[l], &pair.grad_p, ACT)? };
            let grad_v = if l == top { d_pre } else { matmul(&sig[l + 1], &d_pre, true, false)? };
            self.feedback[l].accumulate_into(l + 1, grad_v)?;
        }
        // U_L: cross-entropy on z = SG(a_{L-1}) U_L only (Eq. (7)).
        let ce = softmax_cross_entropy(&logits, y)?;
        self.forward[top].accumulate(matmul(&acts[top], &ce.grad, true, false)?)?;
        let mean_ce = reduce(&ce.per_example, 0, Reduction::Mean)?;
        values.push(mean_ce);
        let refs: Vec<&Tensor> = values.iter().collect();
        Ok((ce.per_example, concat(&refs, 1)?))
    }

    /// Eqs. (13)-(16) after the gradients: warm-up scale, centralisation, separate clipping, two SGD steps.
    fn apply_updates(&mut self) -> Result<()> {
        self.updates.warm_up(self.forward.iter_mut().chain(self.feedback.iter_mut()))?;
        let mut f: Vec<&mut Param> = self.forward.iter_mut().collect();
        let mut g: Vec<&mut Param> = self.feedback.iter_mut().collect();
        if self.updates.centralize {
            centralize_gradients(&mut f)?;
            centralize_gradients(&mut g)?;
        }
        self.updates.step(f, g)
    }
}

/// Accumulating into a feedback weight, with the layer number in the error (the table of "What trains what
/// (MLP)" pairs pair `l` with `V_{l+1}`).
trait AccumulateInto {
    fn accumulate_into(&mut self, layer: usize, g: Tensor) -> Result<()>;
}

impl AccumulateInto for Param {
    fn accumulate_into(&mut self, layer: usize, g: Tensor) -> Result<()> {
        if g.shape() != self.value.shape() {
            return Err(Error::shape(
                "ccl feedback",
                format!("dV_{layer} {:?} vs V {:?}", g.shape(), self.value.shape()),
            ));
        }
        self.accumulate(g)
    }
}

impl Algorithm for Ccl {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let (per_example, losses) = self.accumulate_gradients(&x, y)?;
        self.apply_updates()?;
        self.last_losses = Some(losses);
        Ok(per_example)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        Ok(self.run_forward(x)?.2)
    }

    fn parameter_count(&self) -> usize {
        self.forward.iter().chain(&self.feedback).map(Param::len).sum()
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = crate::nn::indexed("forward", &mut self.forward);
        out.extend(crate::nn::indexed("feedback", &mut self.feedback));
        out
    }

    fn local_loss_names(&self) -> Vec<String> {
        let top = self.forward.len() - 1;
        let mut names: Vec<String> =
            (0..=top).map(|l| if l == 0 { "x·c0".into() } else { format!("a{l}·c{l}") }).collect();
        names.push("CE".into());
        names
    }

    fn take_local_losses(&mut self) -> Option<Tensor> {
        self.last_losses.take()
    }

    fn end_epoch(&mut self, epochs_done: usize) {
        self.updates.end_epoch(epochs_done);
    }

    fn views(&self) -> Views<'_> {
        Views::CounterCurrent(self)
    }
}
