//! The networks of NoProp: the DT block and the CT/FM network, at any width.
//! Implements the architectures of docs/algorithms/noprop.md ("Architectures and hyper-parameters"; the paper's
//! Fig. 6 and v2 Table 5) and the time embedding of Eq. (14) of that page.
//!
//! * Image path: conv 3x3 (32) → ReLU → max-pool 2x2 → dropout 0.2 → conv 3x3 (64) → ReLU → dropout → conv 3x3
//!   (128) → ReLU → max-pool → dropout → flatten → FC(256) → batch norm (DT) or ReLU (CT/FM). Convolutions are
//!   *valid* (no padding): only that reproduces Table 5's parameter counts.
//! * Label path: DT `h1 = ReLU(BN(FC(z)))`, `out = h1 + BN(FC(ReLU(BN(FC(h1)))))`; CT/FM `ReLU(FC(z))`; with
//!   prototype embeddings (d = image size) a second, separately parameterised image path on `z` as an image.
//! * Time path (CT/FM): 64-d sinusoidal embedding → FC(256) → ReLU.
//! * Fusion: concat → FC(256) → \[BN\] → ReLU → FC(128) → \[BN\] → ReLU → FC(m) = logits (BN only in DT).
//!
//! `width` scales every channel count and hidden width (1 = the paper); the page's light preset uses less.

use crate::algorithms::Problem;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::nn::{ActivationLayer, BatchNorm, Conv2d, Dropout, Layer, Linear, MaxPool2x2, Param, Sequential};
use crate::rng::Rng;
use crate::tensor::{add_scaled, concat, slice, Activation, Conv2dShape, Device, Tensor};

/// Dimension of the sinusoidal time embedding (Fig. 6).
pub const TIME_EMBEDDING: usize = 64;
/// Dropout after each convolution block.
pub const DROPOUT: f32 = 0.2;

/// Discrete-time block (with batch norm) or the continuous-time / flow-matching network (time input, no BN).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetKind {
    Discrete,
    Continuous,
}

/// What a network is built for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NetShape {
    /// `[channels, height, width]` of the input images.
    pub image: [usize; 3],
    /// `m`.
    pub classes: usize,
    /// `d`, the label-embedding dimension (`= image size` for prototypes).
    pub dim: usize,
    /// Width multiplier (1 = the paper).
    pub width: f32,
    pub kind: NetKind,
}

impl NetShape {
    /// `n` channels or units scaled by the width multiplier (at least 1).
    pub fn scaled(&self, n: usize) -> usize {
        ((n as f32 * self.width).round() as usize).max(1)
    }

    /// Values per image.
    pub fn pixels(&self) -> usize {
        self.image.iter().product()
    }

    /// True when `z` is image-shaped (prototype embeddings, Eq. (23)) and goes through its own convolutional path.
    pub fn prototype(&self) -> bool {
        self.dim == self.pixels()
    }
}

/// The sinusoidal embedding of times `ts` (`len x 64`, row-major): `[sin(1000 t f_j), cos(1000 t f_j)]` with
/// `f_j = exp(-ln(10000) j / 32)`, `j < 32` (Eq. (14)).
pub fn time_embedding(ts: &[f32]) -> Vec<f32> {
    let half = TIME_EMBEDDING / 2;
    let mut out = Vec::with_capacity(ts.len() * TIME_EMBEDDING);
    for &t in ts {
        let freqs = (0..half).map(|j| (-(10000f64.ln()) * j as f64 / half as f64).exp() * 1000.0 * f64::from(t));
        let f: Vec<f64> = freqs.collect();
        out.extend(f.iter().map(|v| v.sin() as f32));
        out.extend(f.iter().map(|v| v.cos() as f32));
    }
    out
}

/// The convolutional image path and its output width.
fn image_path(device: &Device, s: &NetShape, rng: &mut Rng) -> Result<(Sequential, usize)> {
    let [c, h, w] = s.image;
    if h < 14 || w < 14 {
        return Err(Error::invalid("model", format!("NoProp's conv path needs images of at least 14x14, got {h}x{w}")));
    }
    let (c1, c2, c3, f) = (s.scaled(32), s.scaled(64), s.scaled(128), s.scaled(256));
    let conv = |in_ch, height, width, out_ch| Conv2dShape { in_ch, height, width, out_ch, stride: 1, pad: 0 };
    let relu = || Layer::Activation(ActivationLayer::new(Activation::Relu));
    let drop = || Layer::Dropout(Dropout::new(DROPOUT));
    let (h1, w1) = (h - 2, w - 2);
    let (h2, w2) = (h1 / 2, w1 / 2);
    let (h3, w3) = (h2 - 4, w2 - 4);
    let flat = c3 * (h3 / 2) * (w3 / 2);
    let mut layers = vec![
        Layer::Conv2d(Conv2d::new(device, conv(c, h, w, c1), true, rng)?),
        relu(),
        Layer::MaxPool(MaxPool2x2::new(c1, h1, w1)),
        drop(),
        Layer::Conv2d(Conv2d::new(device, conv(c1, h2, w2, c2), true, rng)?),
        relu(),
        drop(),
        Layer::Conv2d(Conv2d::new(device, conv(c2, h2 - 2, w2 - 2, c3), true, rng)?),
        relu(),
        Layer::MaxPool(MaxPool2x2::new(c3, h3, w3)),
        drop(),
        Layer::Linear(Linear::torch(device, flat, f, rng)?),
    ];
    layers.push(match s.kind {
        NetKind::Discrete => Layer::BatchNorm(BatchNorm::new(device, f)?),
        NetKind::Continuous => relu(),
    });
    Ok((Sequential::new(layers), f))
}

/// How `z` enters the network.
#[derive(Debug)]
enum LabelPath {
    /// DT: `h1 = first(z)`, `out = h1 + second(h1)`.
    Residual { first: Sequential, second: Sequential },
    /// CT/FM: one layer.
    Dense(Sequential),
    /// Prototype embeddings: `z` is an image.
    Image(Sequential),
}

/// `Block_t(x, z)` of NoProp-DT, or `Net(x, z, t)` of NoProp-CT/FM: logits over the classes.
#[derive(Debug)]
pub struct DenoiseNet {
    pub shape: NetShape,
    image: Sequential,
    label: LabelPath,
    time: Option<Sequential>,
    fusion: Sequential,
    features: usize,
    params: usize,
}

impl DenoiseNet {
    /// A network with PyTorch's default initialisation (our choice; the paper gives none) drawn from `rng`.
    pub fn new(device: &Device, shape: NetShape, rng: &mut Rng) -> Result<Self> {
        let (image, f) = image_path(device, &shape, rng)?;
        let bn = shape.kind == NetKind::Discrete;
        let relu = || Layer::Activation(ActivationLayer::new(Activation::Relu));
        let norm = |n| BatchNorm::new(device, n).map(Layer::BatchNorm);
        let label = if shape.prototype() {
            LabelPath::Image(image_path(device, &shape, rng)?.0)
        } else if bn {
            let first =
                Sequential::new(vec![Layer::Linear(Linear::torch(device, shape.dim, f, rng)?), norm(f)?, relu()]);
            let second = Sequential::new(vec![
                Layer::Linear(Linear::torch(device, f, f, rng)?),
                norm(f)?,
                relu(),
                Layer::Linear(Linear::torch(device, f, f, rng)?),
                norm(f)?,
            ]);
            LabelPath::Residual { first, second }
        } else {
            LabelPath::Dense(Sequential::new(vec![Layer::Linear(Linear::torch(device, shape.dim, f, rng)?), relu()]))
        };
        let time = (!bn)
            .then(|| {
                Linear::torch(device, TIME_EMBEDDING, f, rng).map(|l| Sequential::new(vec![Layer::Linear(l), relu()]))
            })
            .transpose()?;
        let inputs = if bn { 2 * f } else { 3 * f };
        let hidden = shape.scaled(128);
        let mut fusion = vec![Layer::Linear(Linear::torch(device, inputs, f, rng)?)];
        if bn {
            fusion.push(norm(f)?);
        }
        fusion.push(relu());
        fusion.push(Layer::Linear(Linear::torch(device, f, hidden, rng)?));
        if bn {
            fusion.push(norm(hidden)?);
        }
        fusion.push(relu());
        fusion.push(Layer::Linear(Linear::torch(device, hidden, shape.classes, rng)?));
        let mut net = DenoiseNet { shape, image, label, time, fusion: Sequential::new(fusion), features: f, params: 0 };
        net.params = net.params_mut().iter().map(|p| p.len()).sum();
        Ok(net)
    }

    fn check_time(&self, time: Option<&Tensor>) -> Result<()> {
        if self.time.is_some() != time.is_some() {
            return Err(Error::invalid("noprop", "the time input is required by CT/FM networks and only by them"));
        }
        Ok(())
    }

    /// Training forward (dropout on, batch statistics), caching for [`DenoiseNet::backward`]. `time` is the
    /// `B x 64` time embedding of CT/FM networks.
    pub fn forward(&mut self, x: Tensor, z: Tensor, time: Option<Tensor>, rng: &mut Rng) -> Result<Tensor> {
        self.check_time(time.as_ref())?;
        let img = self.image.forward(x, rng)?;
        let lab = match &mut self.label {
            LabelPath::Residual { first, second } => {
                let h1 = first.forward(z, rng)?;
                let mut out = second.forward(h1.try_clone()?, rng)?;
                add_scaled(&mut out, &h1, 1.0)?;
                out
            }
            LabelPath::Dense(s) | LabelPath::Image(s) => s.forward(z, rng)?,
        };
        let joined = match (&mut self.time, time) {
            (Some(path), Some(t)) => concat(&[&img, &lab, &path.forward(t, rng)?], 1)?,
            _ => concat(&[&img, &lab], 1)?,
        };
        self.fusion.forward(joined, rng)
    }

    /// From `dL/dlogits`: accumulates every parameter's gradient; returns `dL/dz` (the image's gradient is
    /// not needed by any variant and is dropped).
    pub fn backward(&mut self, grad_logits: &Tensor) -> Result<Tensor> {
        let f = self.features;
        let g = self.fusion.backward(grad_logits)?;
        self.image.backward_params(&slice(&g, 1, 0..f)?)?;
        if let Some(path) = &mut self.time {
            path.backward_params(&slice(&g, 1, 2 * f..3 * f)?)?;
        }
        let g_lab = slice(&g, 1, f..2 * f)?;
        match &mut self.label {
            LabelPath::Residual { first, second } => {
                let mut g_h1 = second.backward(&g_lab)?;
                add_scaled(&mut g_h1, &g_lab, 1.0)?;
                first.backward(&g_h1)
            }
            LabelPath::Dense(s) | LabelPath::Image(s) => s.backward(&g_lab),
        }
    }

    /// The image path in evaluation mode (it depends on `x` only, so samplers compute it once per image).
    pub fn image_features(&self, x: &Tensor) -> Result<Tensor> {
        self.image.infer(x)
    }

    /// Evaluation logits from precomputed [`DenoiseNet::image_features`].
    pub fn infer_from_features(&self, features: &Tensor, z: &Tensor, time: Option<&Tensor>) -> Result<Tensor> {
        self.check_time(time)?;
        let lab = match &self.label {
            LabelPath::Residual { first, second } => {
                let h1 = first.infer(z)?;
                let mut out = second.infer(&h1)?;
                add_scaled(&mut out, &h1, 1.0)?;
                out
            }
            LabelPath::Dense(s) | LabelPath::Image(s) => s.infer(z)?,
        };
        let joined = match (&self.time, time) {
            (Some(path), Some(t)) => concat(&[features, &lab, &path.infer(t)?], 1)?,
            _ => concat(&[features, &lab], 1)?,
        };
        self.fusion.infer(&joined)
    }

    /// Evaluation logits (dropout off, running batch-norm statistics).
    pub fn infer(&self, x: &Tensor, z: &Tensor, time: Option<&Tensor>) -> Result<Tensor> {
        self.infer_from_features(&self.image_features(x)?, z, time)
    }

    /// `{prefix}.image.*`, `.label.*` (`.label.0.*`/`.label.1.*` for the residual path), `.time.*` and
    /// `.fusion.*`, each a `Sequential`'s state.
    pub fn state_mut(&mut self, prefix: &str) -> crate::nn::State<'_> {
        let mut out = self.image.state_mut(&format!("{prefix}.image"));
        match &mut self.label {
            LabelPath::Residual { first, second } => {
                out.extend(first.state_mut(&format!("{prefix}.label.0")));
                out.extend(second.state_mut(&format!("{prefix}.label.1")));
            }
            LabelPath::Dense(s) | LabelPath::Image(s) => out.extend(s.state_mut(&format!("{prefix}.label"))),
        }
        if let Some(t) = &mut self.time {
            out.extend(t.state_mut(&format!("{prefix}.time")));
        }
        out.extend(self.fusion.state_mut(&format!("{prefix}.fusion")));
        out
    }

    /// Every trainable parameter.
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        let mut out = self.image.params_mut();
        match &mut self.label {
            LabelPath::Residual { first, second } => {
                out.extend(first.params_mut());
                out.extend(second.params_mut());
            }
            LabelPath::Dense(s) | LabelPath::Image(s) => out.extend(s.params_mut()),
        }
        if let Some(t) = &mut self.time {
            out.extend(t.params_mut());
        }
        out.extend(self.fusion.params_mut());
        out
    }

    /// Number of trainable scalars (919,946 for the DT MNIST one-hot block, as in the paper's v2 Table 5).
    pub fn count(&self) -> usize {
        self.params
    }
}

/// The network shape of a NoProp run on `problem`.
pub fn net_shape(cfg: &RunConfig, problem: Problem, kind: NetKind) -> Result<NetShape> {
    let image = problem.image.ok_or_else(|| Error::invalid("dataset", "NoProp trains on image datasets"))?;
    let pixels = image.iter().product();
    if !(cfg.noprop.width > 0.0 && cfg.noprop.width <= 4.0) {
        return Err(Error::invalid("width", format!("{} (use a multiplier in (0, 4])", cfg.noprop.width)));
    }
    let shape = NetShape {
        image,
        classes: problem.classes,
        dim: super::embedding_dim(cfg.noprop.embedding, problem.classes, pixels),
        width: cfg.noprop.width,
        kind,
    };
    check_size(&shape, if kind == NetKind::Discrete { cfg.noprop.blocks } else { 1 })?;
    Ok(shape)
}

/// Refuses a NoProp model whose blocks would not fit before any of them is built on the run's device: one block
/// is built on the CPU to count its parameters, and `nets` of them, each with a gradient and two Adam moments,
/// must stay under [`crate::config::MAX_MODEL_BYTES`] (1 GiB in the page, 8 GiB natively).
fn check_size(shape: &NetShape, nets: usize) -> Result<()> {
    let per_net = DenoiseNet::new(&Device::Cpu, *shape, &mut Rng::new(0))?.count() as u64;
    let bytes = per_net.saturating_mul(nets as u64).saturating_mul(4 * 4);
    let limit = crate::config::MAX_MODEL_BYTES;
    if bytes > limit {
        return Err(Error::invalid(
            "model size",
            format!(
                "NoProp's {nets} block(s) of {per_net} parameters need about {} MiB with their gradients and \
                 optimiser state; the limit is {} MiB: use fewer blocks or a narrower width",
                bytes >> 20,
                limit >> 20
            ),
        ));
    }
    Ok(())
}
