//! Feedback alignment (Lillicrap, Cownden, Tweed & Akerman, "Random synaptic feedback weights support error
//! backpropagation for deep learning", Nature Communications 2016): the backprop baseline's MLP and loss, but the
//! error travels down through fixed random matrices instead of the transposed forward weights, so no layer needs
//! to know the weights above it. Implements docs/algorithms/feedback-alignment.md, Eqs. (1)-(3); added by
//! following docs/adding-an-algorithm.md.

use super::{Algorithm, Problem};
use crate::config::{Architecture, RunConfig};
use crate::error::{Error, Result};
use crate::nn::{clip_gradients, softmax_cross_entropy, ActivationLayer, Linear, Optimizer, WeightInit};
use crate::rng::Rng;
use crate::tensor::{matmul, sum_rows, Device, Tensor};

/// The MLP, its fixed feedback matrices and the optimiser.
#[derive(Debug)]
pub struct FeedbackAlignment {
    linears: Vec<Linear>,
    activations: Vec<ActivationLayer>,
    /// `B_l`, shaped like `W_l` (`in x out`): the error below layer `l` is `δ_l B_lᵀ` (Eq. 2), never `δ_l W_lᵀ`.
    feedback: Vec<Tensor>,
    /// Every linear layer's input of the last forward pass.
    inputs: Vec<Tensor>,
    optimizer: Optimizer,
    clip: f32,
}

/// Builds it for a vector or image problem (the registry's `build`).
pub fn build(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(FeedbackAlignment::new(cfg, problem, device, rng)?))
}

/// Its settings on top of `RunConfig::base`: the backprop baseline's MLP and optimiser on the 2-D sets; on images
/// the first two of the paper MLP's hidden layers with SGD at lr 0.02 and momentum 0.9 (random feedback learns
/// the five-layer MLP far more slowly, and diverges at backprop's lr 1).
pub fn defaults(cfg: &mut RunConfig) {
    if cfg.is_image() {
        cfg.model.hidden.truncate(2);
        cfg.optimizer = crate::nn::OptimizerConfig::Sgd { lr: 0.02, momentum: 0.9, weight_decay: 0.0 };
    }
}

impl FeedbackAlignment {
    /// The MLP `inputs -> cfg.model.hidden -> classes` drawn as the backprop baseline draws it (same weights for
    /// the same seed), then one feedback matrix per layer from the same distribution.
    pub fn new(cfg: &RunConfig, problem: Problem, device: &Device, rng: &mut Rng) -> Result<Self> {
        if cfg.arch != Architecture::Mlp {
            return Err(Error::invalid("model", "feedback alignment trains the MLP"));
        }
        let m = &cfg.model;
        let widths: Vec<usize> =
            std::iter::once(problem.inputs).chain(m.hidden.iter().copied()).chain([problem.classes]).collect();
        let linears = widths
            .windows(2)
            .map(|w| Linear::with_init(device, w[0], w[1], m.bias, m.init, rng))
            .collect::<Result<Vec<_>>>()?;
        let feedback = widths
            .windows(2)
            .map(|w| WeightInit::KaimingUniform.draw(device, w[0], w[1], w[0], rng))
            .collect::<Result<Vec<_>>>()?;
        Ok(FeedbackAlignment {
            linears,
            activations: m.hidden.iter().map(|_| ActivationLayer::new(m.activation)).collect(),
            feedback,
            inputs: Vec::new(),
            optimizer: Optimizer::new(cfg.optimizer.clone()),
            clip: cfg.grad_clip,
        })
    }

    /// Sets every `B_l` to a copy of the current `W_l`: the next step is then exactly backprop's (Eq. 3), which
    /// the tests use to check the update.
    pub fn align_feedback(&mut self) -> Result<()> {
        self.feedback = self.linears.iter().map(|l| l.weight.value.try_clone()).collect::<Result<Vec<_>>>()?;
        Ok(())
    }

    /// Logits (Eq. 1), caching every layer's input and pre-activation.
    fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        self.inputs.clear();
        let mut h = x;
        for i in 0..self.linears.len() {
            let z = self.linears[i].infer(&h)?;
            self.inputs.push(h);
            h = match self.activations.get_mut(i) {
                Some(act) => act.forward(z)?,
                None => z,
            };
        }
        Ok(h)
    }
}

impl Algorithm for FeedbackAlignment {
    fn step(&mut self, x: Tensor, y: &Tensor) -> Result<Tensor> {
        let logits = self.forward(x)?;
        let loss = softmax_cross_entropy(&logits, y)?;
        // Eq. (2): δ_L = dL/dz_L; each layer's gradient is x_lᵀ δ_l; the error below is (δ_l B_lᵀ) ⊙ f'(z_{l-1}).
        let mut delta = loss.grad;
        for l in (0..self.linears.len()).rev() {
            let below = (l > 0).then(|| matmul(&delta, &self.feedback[l], false, true)).transpose()?;
            let layer = &mut self.linears[l];
            layer.weight.accumulate(matmul(&self.inputs[l], &delta, true, false)?)?;
            if let Some(b) = &mut layer.bias {
                b.accumulate(sum_rows(&delta)?)?;
            }
            if let Some(g) = below {
                delta = self.activations[l - 1].backward(&g)?;
            }
        }
        self.inputs.clear();
        let mut params: Vec<_> = self.linears.iter_mut().flat_map(Linear::params_mut).collect();
        clip_gradients(&mut params, self.clip)?;
        self.optimizer.step(params)?;
        Ok(loss.per_example)
    }

    fn predict(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = self.linears[0].infer(x)?;
        for i in 1..self.linears.len() {
            h = self.activations[i - 1].infer(&h)?;
            h = self.linears[i].infer(&h)?;
        }
        Ok(h)
    }

    fn parameter_count(&self) -> usize {
        self.linears.iter().map(Linear::parameter_count).sum()
    }

    fn state_mut(&mut self) -> crate::nn::State<'_> {
        let mut out = Vec::new();
        for (i, l) in self.linears.iter_mut().enumerate() {
            out.extend(l.state_mut(&format!("layers.{i}")));
        }
        out.extend(self.feedback.iter_mut().enumerate().map(|(i, b)| (format!("feedback.{i}"), b)));
        out
    }
}
