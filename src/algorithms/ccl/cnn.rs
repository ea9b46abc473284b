//! The CCL paper's convolutional network `cnn_pool`, trained by counter-current learning or end to end by backprop.
//! Implements docs/algorithms/ccl.md, Eqs. (8)-(11), with the update (13)-(17) of `updates.rs`; equation numbers
//! below are that page's.
//!
//! The network (docs/algorithms/ccl.md, "Architectures and hyper-parameters"): five 3x3 convolutions,
//! 128-128-256-256-512 channels, each followed by ELU and 2x2 max pooling, then a bias-free linear classifier;
//! trained end to end it is the paper's Table 3 backprop baseline.
//!
//! CCL (Eq. (10)): the feedback network G mirrors F — `c_5 = ELU(V_6)` on the K x K identity, then
//! `c_{l-1} = ELU(conv(upsample2x(SG(c_l)), V_l))` with no activation on `c_0` (image-shaped). Each pair
//! `(a_l, c_l)`, `l = 0..5`, has the cosine loss of Eqs. (8)-(9):
//! `s_C mse(Â P̂ᵀ, Y) + s_ssl mse(Â Âᵀ, I_B) + s_ssl mse(P̂ P̂ᵀ, I_K)` with rows normalised by `‖·‖ + 1e-8`,
//! after the flooding mask of Eq. (11) zeroes the rows of confidently right examples (`p_true > 0.9`, computed
//! from this step's logits as `CE_i >= -ln 0.9`). Pair `l` trains `U_l` and `V_{l+1}`; CE trains `U_6` only.
//! Gradients are analytic (Eq. (6) with convolutions); the update is warm-up, centralisation, separate clipping
//! and two SGD steps (Eqs. (13)-(16)), with the cosine schedule (17) once per epoch.
//!
//! Backprop: the same F, with the BP configs' batch norm on every conv input (statistics only: the reference
//! never trains γ/β; "Frozen batch norm" in docs/algorithms/ccl.md, "Where we had to choose"), gradients
//! through every layer.

use super::losses::{centralize_rows, cosine_pair_loss};
use super::updates::CclUpdates;
use crate::algorithms::{Algorithm, Problem};
use crate::config::{CclOptions, RunConfig};
use crate::error::{Error, Result};
use crate::nn::{centralize_gradients, softmax_cross_entropy, BatchNorm, Param};
use crate::rng::Rng;
use crate::tensor::{
    activation, activation_backward, concat, conv2d, conv2d_input_grad, conv2d_weight_grad, matmul, max_pool2x2,
    max_pool2x2_backward, one_hot, reduce, scale_rows, slice, upsample2x, Activation, Conv2dShape, Device, Reduction,
    Tensor,
};

/// Channels of the five convolutions.
pub const CHANNELS: [usize; 5] = [128, 128, 256, 256, 512];
const ACT: Activation = Activation::Elu;
/// `CE_i >= -ln(0.9)` ⇔ `p_true <= 0.9`: the rows the flooding mask keeps.
const FLOOD_CE: f32 = 0.105_360_5;
/// Rows per forward pass in `predict` (a 32x32x128 activation of 256 images is 134 MB).
const PREDICT_CHUNK: usize = 256;

/// How the network is trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Counter-current learning.
    Ccl,
    /// End-to-end backprop with frozen-affine batch norm on every conv input.
    Backprop,
}

/// `cnn_pool` and, for CCL, its feedback network.
#[derive(Debug)]
pub struct CnnPool {
    mode: Mode,
    classes: usize,
    /// Channels `[C_in, 128, 128, 256, 256, 512]` and sizes `[32, 16, 8, 4, 2, 1]` of `a_0..a_5`.
    channels: [usize; 6],
    sizes: [usize; 6],
    /// `U_1..U_5` (`out x (in 9)`) and `U_6` (`512 x K`).
    forward: Vec<Param>,
    /// `V_1..V_5` (`in x (out 9)`, mapping `a_l`'s channels back to `a_{l-1}`'s) and `V_6` (`K x 512`).
    feedback: Vec<Param>,
    batch_norms: Vec<BatchNorm>,
    zero_bias: Vec<Tensor>,
    updates: CclUpdates,
    options: CclOptions,
    last_losses: Option<Tensor>,
}

pub(crate) fn build_ccl(cfg: &RunConfig, p: Problem, d: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(CnnPool::new(cfg, p, d, rng, Mode::Ccl)?))
}

pub(crate) fn build_backprop(cfg: &RunConfig, p: Problem, d: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(CnnPool::new(cfg, p, d, rng, Mode::Backprop)?))
}

/// PyTorch's default conv init `U(±1/sqrt(in 9))`, stored `out x (in 9)`.
fn conv_weight(device: &Device, out_ch: usize, in_ch: usize, rng: &mut Rng) -> Result<Param> {
    let bound = 1.0 / ((in_ch * 9) as f32).sqrt();
    let w: Vec<f32> = (0..out_ch * in_ch * 9).map(|_| rng.uniform(-bound, bound)).collect();
    Ok(Param::new(device.tensor(out_ch, in_ch * 9, &w)?))
}

fn linear_weight(device: &Device, inputs: usize, outputs: usize, rng: &mut Rng) -> Result<Param> {
    let bound = 1.0 / (inputs as f32).sqrt();
    let w: Vec<f32> = (0..inputs * outputs).map(|_| rng.uniform(-bound, bound)).collect();
    Ok(Param::new(device.tensor(inputs, outputs, &w)?))
}

/// Everything one forward pass of F keeps for the backward pass.
struct ForwardPass {
    /// `a_0 = x, a_1, .., a_5` (after pooling).
    acts: Vec<Tensor>,
    /// Inputs the convolutions saw (`a_{l-1}`, or its batch norm for backprop).
    conv_inputs: Vec<Tensor>,
    /// Pre-activations `z_1..z_5` and the pooling winners.
    pre: Vec<Tensor>,
    winners: Vec<Tensor>,
    logits: Tensor,
}

impl CnnPool {
    /// The network for `problem` (32x32 images), weights drawn from `rng`.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng, mode: Mode) -> Result<Self> {
        Self::with_channels(cfg, problem, device, rng, mode, CHANNELS)
    }

    /// The same network with other conv widths (the tests use tiny ones to check gradients numerically).
    pub fn with_channels(
        cfg: &RunConfig,
        problem: Problem,
        device: &Device,
        rng: &mut Rng,
        mode: Mode,
        widths: [usize; 5],
    ) -> Result<Self> {
        let Some([c_in, h, w]) = problem.image else {
            return Err(Error::invalid("model", "the CNN needs an image dataset"));
        };
        if h != 32 || w != 32 {
            return Err(Error::invalid(
                "model",
                format!("cnn_pool takes 32x32 images (CIFAR-10); this dataset's are {h}x{w}: use --model mlp"),
            ));
        }
        let channels = [c_in, widths[0], widths[1], widths[2], widths[3], widths[4]];
        let sizes = [32, 16, 8, 4, 2, 1];
        let classes = problem.classes;
        let mut forward = Vec::new();
        let mut feedback = Vec::new();
        for l in 0..5 {
            forward.push(conv_weight(device, channels[l + 1], channels[l], rng)?);
            if mode == Mode::Ccl {
                feedback.push(conv_weight(device, channels[l], channels[l + 1], rng)?);
            }
        }
        forward.push(linear_weight(device, channels[5], classes, rng)?);
        if mode == Mode::Ccl {
            feedback.push(linear_weight(device, classes, channels[5], rng)?);
        }
        let batch_norms = match mode {
            Mode::Backprop => (0..5).map(|l| BatchNorm::new(device, channels[l])).collect::<Result<Vec<_>>>()?,
            Mode::Ccl => Vec::new(),
        };
        let zero_bias = channels.iter().map(|&c| device.zeros(1, c)).collect::<Result<Vec<_>>>()?;
        let updates = CclUpdates::new(cfg, "the CNN configurations")?;
        Ok(CnnPool {
            mode,
            classes,
            channels,
            sizes,
            forward,
            feedback,
            batch_norms,
            zero_bias,
            updates,
            options: cfg.ccl.clone(),
            last_losses: None,
        })
    }

    /// Forward conv `l` (0-based): `channels[l] -> channels[l+1]` at `sizes[l]`.
    fn forward_shape(&self, l: usize) -> Conv2dShape {
        let s = self.sizes[l];
        Conv2dShape { in_ch: self.channels[l], height: s, width: s, out_ch: self.channels[l + 1], stride: 1, pad: 1 }
    }

    /// Feedback conv `V_{l+1}` (0-based `l`): `channels[l+1] -> channels[l]` at `sizes[l]` (after upsampling).
    fn feedback_shape(&self, l: usize) -> Conv2dShape {
        let s = self.sizes[l];
        Conv2dShape { in_ch: self.channels[l + 1], height: s, width: s, out_ch: self.channels[l], stride: 1, pad: 1 }
    }

    /// F on `x`; `train` uses (and updates) batch statistics in backprop mode.
    fn run_forward(&mut self, x: &Tensor, train: bool) -> Result<ForwardPass> {
        let mut acts = vec![x.try_clone()?];
        let (mut conv_inputs, mut pre, mut winners) = (Vec::new(), Vec::new(), Vec::new());
        for l in 0..5 {
            let input = match (self.mode, train) {
                (Mode::Backprop, true) => self.batch_norms[l].forward(acts[l].try_clone()?)?,
                (Mode::Backprop, false) => self.batch_norms[l].infer(&acts[l])?,
                (Mode::Ccl, _) => acts[l].try_clone()?,
            };
            let shape = self.forward_shape(l);
            let z = conv2d(&input, &self.forward[l].value, &self.zero_bias[l + 1], &shape)?;
            let (pooled, winner) = max_pool2x2(&activation(&z, ACT)?, shape.out_ch, shape.height, shape.width)?;
            conv_inputs.push(input);
            pre.push(z);
            winners.push(winner);
            acts.push(pooled);
        }
        let logits = matmul(&acts[5], &self.forward[5].value, false, false)?;
        Ok(ForwardPass { acts, conv_inputs, pre, winners, logits })
    }

    /// G on the K x K identity: `[c_0..c_5]`, their pre-activations, and the upsampled inputs of `V_1..V_5`.
    pub fn feedback_signals(&self) -> Result<(Vec<Tensor>, Vec<Tensor>, Vec<Tensor>)> {
        let mut sig: Vec<Option<Tensor>> = (0..6).map(|_| None).collect();
        let mut pre: Vec<Option<Tensor>> = (0..6).map(|_| None).collect();
        let mut ups: Vec<Option<Tensor>> = (0..5).map(|_| None).collect();
        let top = self.feedback[5].value.try_clone()?;
        sig[5] = Some(activation(&top, ACT)?);
        pre[5] = Some(top);
        for l in (0..5).rev() {
            let above = sig[l + 1].as_ref().ok_or_else(|| Error::invalid("ccl", "feedback order"))?;
            let up = upsample2x(above, self.channels[l + 1], self.sizes[l + 1], self.sizes[l + 1])?;
            let z = conv2d(&up, &self.feedback[l].value, &self.zero_bias[l], &self.feedback_shape(l))?;
            sig[l] = Some(if l == 0 { z.try_clone()? } else { activation(&z, ACT)? });
            pre[l] = Some(z);
            ups[l] = Some(up);
        }
        let unwrap = |v: Vec<Option<Tensor>>| v.into_iter().flatten().collect::<Vec<_>>();
        Ok((unwrap(sig), unwrap(pre), unwrap(ups)))
    }

    /// Every weight, forward network first (tests and checkpoints).
    pub fn params_mut(&mut self) -> (Vec<&mut Param>, Vec<&mut Param>) {
        (self.forward.iter_mut().collect(), self.feedback.iter_mut().collect())
    }

    /// CCL gradients (Eqs. (6)-(11)) accumulated into every weight; returns per-example CE and `[L_0..L_5, CE]`.
    pub fn ccl_gradients(&mut self, x: &Tensor, y: &Tensor) -> Result<(Tensor, Tensor)> {
        let fwd = self.run_forward(x, true)?;
        let (sig, sig_pre, ups) = self.feedback_signals()?;
        let y_hot = one_hot(y, self.classes)?;
        let ce = softmax_cross_entropy(&fwd.logits, y)?;
        let mask = |t: &Tensor| -> Result<Tensor> {
            if self.options.flooding {
                scale_rows(t, &ce.per_example, Some(FLOOD_CE))
            } else {
                t.try_clone()
            }
        };
        let mut values = Vec::with_capacity(7);
        for l in 0..6 {
            let a = mask(&fwd.acts[l])?;
            let [value, da, dp] = cosine_pair_loss(&a, &sig[l], &y_hot, &self.options, l > 0)?;
            values.extend(value);
            if let Some(da) = da {
                // U_l: mask, unpool, ELU', weight gradient against the conv's (detached) input a_{l-1}.
                let shape = self.forward_shape(l - 1);
                let da = mask(&da)?;
                let de = max_pool2x2_backward(&da, &fwd.winners[l - 1], shape.out_ch, shape.height, shape.width)?;
                let dz = activation_backward(&fwd.pre[l - 1], &de, ACT)?;
                self.forward[l - 1].accumulate(conv2d_weight_grad(&dz, &fwd.conv_inputs[l - 1], &shape)?)?;
            }
            // V_{l+1}: c_l = f(conv(up(SG(c_{l+1})), V_{l+1})), or ELU(V_6) at the top.
            let dp = dp.ok_or_else(|| Error::invalid("ccl", "missing feedback gradient"))?;
            let dz = if l == 0 { dp } else { activation_backward(&sig_pre[l], &dp, ACT)? };
            let grad = if l == 5 { dz } else { conv2d_weight_grad(&dz, &ups[l], &self.feedback_shape(l))? };
            self.feedback[l].accumulate(grad)?;
        }
        self.forward[5].accumulate(matmul(&fwd.acts[5], &ce.grad, true, false)?)?;
        values.push(reduce(&ce.per_example, 0, Reduction::Mean)?);
        let refs: Vec<&Tensor> = values.iter().collect();
        Ok((ce.per_example, concat(&refs, 1)?))
    }

    /// Backprop gradients through every layer and batch norm.
    fn backprop_gradients(&mut self, x: &Tensor, y: &Tensor) -> Result<Tensor> {
        let fwd = self.run_forward(x, true)?;
        let ce = softmax_cross_entropy(&fwd.logits, y)?;
        self.forward[5].accumulate(matmul(&fwd.acts[5], &ce.grad, true, false)?)?;
        let mut grad = matmul(&ce.grad, &self.forward[5].value, false, true)?;
        for l in (0..5).rev() {
            let shape = self.forward_shape(l);
            let de = max_pool2x2_backward(&grad, &fwd.winners[l], shape.out_ch, shape.height, shape.width)?;
            let dz = activation_backward(&fwd.pre[l], &de, ACT)?;
            self.forward[l].accumulate(conv2d_weight_grad(&dz, &fwd.conv_inputs[l], &shape)?)?;
            if l > 0 {
                let d_in = conv2d_input_grad(&dz, &self.forward[l].value, &shape)?;
                grad = self.batch_norms[l].backward(&d_in)?;
            }
            // γ, β are in no optimiser (the reference's frozen batch norm): drop their gradients.
            self.batch_norms[l].gamma.grad = None;
            self.batch_norms[l].beta.grad = None;
        }
        Ok(ce.per_example)
    }

    /// Warm-up, centralisation, clipping (F and G apart) and the SGD steps (Eqs. (13)-(16)).
    fn apply_updates(&mut self) -> Result<()> {
        self.updates.warm_up(self.forward.iter_mut().chain(self.feedback.iter_mut()))?;
        if self.updates.centralize {
            for p in self.forward[..5].iter_mut().chain(self.feedback.iter_mut().take(5)) {
                if let Some(g) = p.grad.as_mut() {
                    centralize_rows(g)?;
                }
            }
            let mut linear: Vec<&mut Param> =
                self.forward[5..].iter_mut().chain(self.feedback.iter_mut().skip(5)).collect();
            centralize_gradients(&mut linear)?;
        }
        self.updates.step(self.forward.iter_mut().collect(), self.feedback.iter_mut().collect())
    }
}

impl Algorithm for CnnPool {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let per_example = match self.mode {
            Mode::Ccl => {
                let (per_example, losses) = self.ccl_gradients(&x, y)?;
                self.last_losses = Some(losses);
                per_example
            }
            Mode::Backprop => self.backprop_gradients(&x, y)?,
        };
        self.apply_updates()?;
        Ok(per_example)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        // Evaluation never touches the batch statistics, so a shared borrow would do; run_forward takes
        // `&mut self` for training, so evaluation repeats its loop without caching.
        let mut parts = Vec::new();
        for start in (0..x.rows()).step_by(PREDICT_CHUNK) {
            let mut h = slice(x, 0, start..(start + PREDICT_CHUNK).min(x.rows()))?;
            for l in 0..5 {
                if self.mode == Mode::Backprop {
                    h = self.batch_norms[l].infer(&h)?;
                }
                let shape = self.forward_shape(l);
                let z = conv2d(&h, &self.forward[l].value, &self.zero_bias[l + 1], &shape)?;
                h = max_pool2x2(&activation(&z, ACT)?, shape.out_ch, shape.height, shape.width)?.0;
            }
            parts.push(matmul(&h, &self.forward[5].value, false, false)?);
        }
        let refs: Vec<&Tensor> = parts.iter().collect();
        concat(&refs, 0)
    }

    fn parameter_count(&self) -> usize {
        self.forward.iter().chain(&self.feedback).map(Param::len).sum()
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = crate::nn::indexed("forward", &mut self.forward);
        out.extend(crate::nn::indexed("feedback", &mut self.feedback));
        for (i, bn) in self.batch_norms.iter_mut().enumerate() {
            out.extend(bn.state_mut(&format!("batch_norms.{i}")));
        }
        out
    }

    fn local_loss_names(&self) -> Vec<String> {
        if self.mode == Mode::Backprop {
            return Vec::new();
        }
        let mut names: Vec<String> =
            (0..6).map(|l| if l == 0 { "x·c0".into() } else { format!("a{l}·c{l}") }).collect();
        names.push("CE".into());
        names
    }

    fn take_local_losses(&mut self) -> Option<Tensor> {
        self.last_losses.take()
    }

    fn end_epoch(&mut self, epochs_done: usize) {
        self.updates.end_epoch(epochs_done);
    }
}
