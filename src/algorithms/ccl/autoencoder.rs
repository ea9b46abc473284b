//! CCL's convolutional autoencoder, trained by counter-current learning or end to end by backprop.
//! Implements docs/algorithms/ccl.md, Eq. (12), with the update (13)-(17) of `updates.rs`; the network is the
//! authors' `C2Model_ConvAutoEncoder_Legacy` ("Architectures and hyper-parameters" on that page), and the backprop
//! baseline trains it on the reconstruction MSE.
//!
//! Four stride-2 encoder convolutions and four decoder blocks (nearest upsample x2, then a stride-1 conv), each
//! followed by batch norm (γ/β frozen, as in the reference) and ReLU, except the decoder's last conv (the output). The
//! feedback network G mirrors every block the other way and is fed the *target image* (per-sample pairing, no class
//! rows). Pairs `(x, d_0), (a_1, d_1) .. (a_3, d_3), (a_4, c_5), (b_4, c_4), (b_3, c_3), (b_2, c_2), (out, target)`;
//! interior pairs have the loss of Eq. (12), `H s_C mse(A, B) + H s_D mse(Ā, B̄)` (Ā: every (image, channel) plane
//! centred and L2-normalised, `H` the plane's height), the two end pairs only the first term.
//!
//! The paper's STL-10 widths (128, 256, 1024, 2048 at 96x96) are far too heavy for MNIST on a CPU, so the
//! widths are the paper's times `width` (default 1/8: 16, 32, 128, 256), on MNIST/Fashion-MNIST padded to
//! 32x32 in `[0, 1]`.

use super::losses::{ae_pair_loss, total};
use super::updates::CclUpdates;
use crate::algorithms::{Algorithm, Problem};
use crate::config::{CclOptions, RunConfig};
use crate::error::{Error, Result};
use crate::nn::{orthogonal, ConvUnit, ConvUnitCache, Param};
use crate::rng::Rng;
use crate::tensor::{add_scaled, concat, matmul, mse, reduce, slice, Conv2dShape, Device, Reduction, Tensor};

/// The paper's encoder widths (STL-10).
pub const PAPER_WIDTHS: [usize; 4] = [128, 256, 1024, 2048];
const PREDICT_CHUNK: usize = 256;

/// How the autoencoder is trained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AeMode {
    /// Counter-current learning.
    Ccl,
    /// Backprop on `mse(out, x)`.
    Backprop,
}

/// The autoencoder F, its feedback network G (CCL only) and their optimisers.
#[derive(Debug)]
pub struct ConvAutoencoder {
    mode: AeMode,
    /// F: enc1..enc4, dec4..dec1.
    forward: Vec<ConvUnit>,
    /// G, in the same block order: enc1.rev (→ d_0) .. enc4.rev (→ d_3), dec4.rev (→ c_5) .. dec1.rev (→ c_2).
    feedback: Vec<ConvUnit>,
    /// Spatial height of F's outputs `a_1..a_4, b_4, b_3, b_2, out`, and of the input.
    heights: Vec<usize>,
    updates: CclUpdates,
    options: CclOptions,
    last_losses: Option<Tensor>,
}

pub(crate) fn build_ccl(cfg: &RunConfig, p: Problem, d: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(ConvAutoencoder::new(cfg, p, d, rng, AeMode::Ccl)?))
}

pub(crate) fn build_backprop(cfg: &RunConfig, p: Problem, d: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(ConvAutoencoder::new(cfg, p, d, rng, AeMode::Backprop)?))
}

impl ConvAutoencoder {
    /// The autoencoder for `problem` (square images with a side divisible by 16), widths `cfg.ae_width` times
    /// the paper's.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng, mode: AeMode) -> Result<Self> {
        let Some([c0, s0, w0]) = problem.image else {
            return Err(Error::invalid("model", "the autoencoder needs an image dataset"));
        };
        if s0 != w0 || s0 % 16 != 0 {
            return Err(Error::invalid(
                "model",
                format!("the autoencoder needs square images with a side divisible by 16, got {s0}x{w0}"),
            ));
        }
        let width = cfg.ae_width.max(1e-3);
        let ch: Vec<usize> = std::iter::once(c0)
            .chain(PAPER_WIDTHS.iter().map(|&w| ((w as f32 * width).round() as usize).max(1)))
            .collect();
        let size = [s0, s0 / 2, s0 / 4, s0 / 8, s0 / 16];
        let conv = |in_ch: usize, at: usize, out_ch: usize, stride: usize| Conv2dShape {
            in_ch,
            height: at,
            width: at,
            out_ch,
            stride,
            pad: 1,
        };
        let (mut forward, mut feedback) = (Vec::new(), Vec::new());
        // Encoders i = 1..4: F conv s2 ch[i-1] -> ch[i] at size[i-1]; G upsample + conv s1 ch[i] -> ch[i-1].
        for i in 1..=4 {
            let w = orthogonal(device, ch[i], ch[i - 1], 1.0, rng)?;
            forward.push(ConvUnit::new(device, conv(ch[i - 1], size[i - 1], ch[i], 2), false, true, true, w)?);
            let scale = if i == 1 { 0.0 } else { 0.001 };
            let w = orthogonal(device, ch[i - 1], ch[i], scale, rng)?;
            let mut unit = ConvUnit::new(device, conv(ch[i], size[i - 1], ch[i - 1], 1), true, true, i > 1, w)?;
            if let Some(b) = &mut unit.bias {
                // Feedback biases keep PyTorch's default U(±1/sqrt(fan_in)).
                let bound = 1.0 / ((ch[i] * 9) as f32).sqrt();
                let v: Vec<f32> = (0..ch[i - 1]).map(|_| rng.uniform(-bound, bound)).collect();
                b.value = device.tensor(1, ch[i - 1], &v)?;
            }
            feedback.push(unit);
        }
        // Decoders j = 4..1: F upsample + conv s1 ch[j] -> ch[j-1] at size[j-1]; G conv s2 ch[j-1] -> ch[j].
        for j in (1..=4).rev() {
            let scale = if j == 1 { 0.0 } else { 0.001 };
            let w = orthogonal(device, ch[j - 1], ch[j], scale, rng)?;
            forward.push(ConvUnit::new(device, conv(ch[j], size[j - 1], ch[j - 1], 1), true, false, j > 1, w)?);
            let w = orthogonal(device, ch[j], ch[j - 1], 1.0, rng)?;
            feedback.push(ConvUnit::new(device, conv(ch[j - 1], size[j - 1], ch[j], 2), false, false, true, w)?);
        }
        if mode == AeMode::Backprop {
            feedback.clear();
        }
        let heights = vec![size[1], size[2], size[3], size[4], size[3], size[2], size[1], size[0], size[0]];
        let updates = CclUpdates::new(cfg, "the autoencoder")?;
        Ok(ConvAutoencoder { mode, forward, feedback, heights, updates, options: cfg.ccl.clone(), last_losses: None })
    }

    /// F's outputs `[a_1..a_4, b_4, b_3, b_2, out]` and the caches.
    fn run_forward(&mut self, x: &Tensor, train: bool) -> Result<(Vec<Tensor>, Vec<ConvUnitCache>)> {
        let (mut outs, mut caches) = (Vec::new(), Vec::new());
        for k in 0..self.forward.len() {
            let input = if k == 0 { x } else { &outs[k - 1] };
            let (out, cache) = self.forward[k].forward(input, train)?;
            outs.push(out);
            caches.push(cache);
        }
        Ok((outs, caches))
    }

    fn ccl_gradients(&mut self, x: &Tensor) -> Result<Tensor> {
        let (f_out, f_cache) = self.run_forward(x, true)?;
        // G runs the other way: dec1.rev(target) first (feedback[7]), ..., enc1.rev last (feedback[0]).
        let mut g_out: Vec<Option<(Tensor, ConvUnitCache)>> = (0..8).map(|_| None).collect();
        let mut signal = x.try_clone()?;
        for k in (0..8).rev() {
            let (out, cache) = self.feedback[k].forward(&signal, true)?;
            signal = out.try_clone()?;
            g_out[k] = Some((out, cache));
        }
        let g: Vec<(Tensor, ConvUnitCache)> = g_out.into_iter().flatten().collect();
        // Pair p (0..=8): forward side A_p = [x, a1..a4, b4, b3, b2, out][p]; feedback side
        // B_p = [d0, d1, d2, d3, c5, c4, c3, c2, target][p] = g[p].0 for p < 8. A_p is F unit p-1's output;
        // B_p is G unit p's output.
        let mut values = Vec::with_capacity(9);
        let channels_of = |u: &ConvUnit| u.shape.out_ch;
        for p in 0..9 {
            let a = if p == 0 { x } else { &f_out[p - 1] };
            let b = if p == 8 { x } else { &g[p].0 };
            let height = if p == 0 { self.heights[7] } else { self.heights[p - 1] };
            let channels = if p == 0 { channels_of(&self.forward[7]) } else { channels_of(&self.forward[p - 1]) };
            let plane = a.cols() / channels.max(1);
            let [value, da, db] = ae_pair_loss(a, b, height, plane, &self.options, p != 0 && p != 8)?;
            values.push(value);
            if p > 0 {
                self.forward[p - 1].backward(&f_cache[p - 1], &da, false)?;
            }
            if p < 8 {
                let (_, cache) = &g[p];
                self.feedback[p].backward(cache, &db, false)?;
            }
        }
        let refs: Vec<&Tensor> = values.iter().collect();
        concat(&refs, 1)
    }

    fn backprop_gradients(&mut self, x: &Tensor) -> Result<Tensor> {
        let (outs, caches) = self.run_forward(x, true)?;
        let out = &outs[outs.len() - 1];
        let (per_element, grad) = mse(out, x, 1.0 / out.len().max(1) as f32)?;
        let mut g = grad;
        for k in (0..self.forward.len()).rev() {
            if let Some(d) = self.forward[k].backward(&caches[k], &g, k > 0)? {
                g = d;
            }
        }
        let mut value = x.device().zeros(1, 1)?;
        add_scaled(&mut value, &total(&per_element)?, 1.0 / out.len().max(1) as f32)?;
        Ok(value)
    }

    fn apply_updates(&mut self) -> Result<()> {
        let mut f: Vec<&mut Param> =
            self.forward.iter_mut().flat_map(|u| std::iter::once(&mut u.weight).chain(u.bias.as_mut())).collect();
        let mut g: Vec<&mut Param> =
            self.feedback.iter_mut().flat_map(|u| std::iter::once(&mut u.weight).chain(u.bias.as_mut())).collect();
        self.updates.warm_up(f.iter_mut().chain(g.iter_mut()).map(|p| &mut **p))?;
        if self.updates.centralize {
            // Conv weights are `out x (in 9)`: centre each row (output channel); biases are skipped.
            for p in f.iter_mut().chain(g.iter_mut()) {
                if p.value.rows() > 1 {
                    if let Some(t) = p.grad.as_mut() {
                        let mean = reduce(t, 1, Reduction::Mean)?;
                        let ones = t.device().tensor(1, t.cols(), &vec![1.0; t.cols()])?;
                        add_scaled(t, &matmul(&mean, &ones, false, false)?, -1.0)?;
                    }
                }
            }
        }
        self.updates.step(f, g)
    }
}

impl Algorithm for ConvAutoencoder {
    fn step(&mut self, x: Tensor, _y: &Tensor) -> Result<Tensor> {
        let mse_value = match self.mode {
            AeMode::Ccl => {
                // The (out, target) pair's loss is H s_C mse(out, x): report the plain MSE.
                let losses = self.ccl_gradients(&x)?;
                let mut plain = x.device().zeros(1, 1)?;
                let scale = self.heights[7] as f32 * self.options.loss_scale;
                add_scaled(&mut plain, &slice(&losses, 1, 8..9)?, 1.0 / scale.max(1e-12))?;
                self.last_losses = Some(losses);
                plain
            }
            AeMode::Backprop => self.backprop_gradients(&x)?,
        };
        self.apply_updates()?;
        // Per-example "loss" rows for the trainer: the batch's reconstruction loss on every row.
        let ones = x.device().tensor(x.rows(), 1, &vec![1.0; x.rows()])?;
        matmul(&ones, &mse_value, false, false)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let mut parts = Vec::new();
        for start in (0..x.rows()).step_by(PREDICT_CHUNK) {
            let mut h = slice(x, 0, start..(start + PREDICT_CHUNK).min(x.rows()))?;
            for unit in &self.forward {
                h = unit.infer(&h)?;
            }
            parts.push(h);
        }
        let refs: Vec<&Tensor> = parts.iter().collect();
        concat(&refs, 0)
    }

    fn parameter_count(&self) -> usize {
        self.forward.iter().chain(&self.feedback).map(|u| u.weight.len() + u.bias.as_ref().map_or(0, Param::len)).sum()
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = Vec::new();
        for (i, u) in self.forward.iter_mut().enumerate() {
            out.extend(u.state_mut(&format!("forward.{i}")));
        }
        for (i, u) in self.feedback.iter_mut().enumerate() {
            out.extend(u.state_mut(&format!("feedback.{i}")));
        }
        out
    }

    fn local_loss_names(&self) -> Vec<String> {
        if self.mode == AeMode::Backprop {
            return Vec::new();
        }
        ["x·d0", "a1·d1", "a2·d2", "a3·d3", "a4·c5", "b4·c4", "b3·c3", "b2·c2", "out·target"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn take_local_losses(&mut self) -> Option<Tensor> {
        self.last_losses.take()
    }

    fn end_epoch(&mut self, epochs_done: usize) {
        self.updates.end_epoch(epochs_done);
    }

    fn reconstructs(&self) -> bool {
        true
    }
}
