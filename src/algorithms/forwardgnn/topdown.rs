//! ForwardGNN with top-down signals trains all of a GNN's layers together, for many time steps.
//! Implements docs/algorithms/forwardgnn.md, Eqs. (12)-(14) (the paper's Sec. 3.3, Alg. 3); equation numbers
//! below are that page's. Each layer's local SF loss (Eq. (6)) sees the states of the layers above from the
//! previous step.
//!
//! - **SF-Top-To-Input** (Eqs. (12)-(13); the paper's Eq. 7): layer ℓ reads `[LN(S_{ℓ-1}) || LN(S_{ℓ+1})]`; the state
//!   above the top layer is the label matrix `Y_aug` (Eq. (5)). Updates alternate: layers 1, 3, 5, … first from the
//!   previous states, then 2, 4, … from the fresh ones (`--alternating-update`). Inference: bottom-up pass with zero
//!   top-down input, then 10 steps of the same schedule; softmax scores of every layer at steps 2..9 summed.
//! - **SF-Top-To-Loss** (Eq. (14); the paper's Eq. 8): layer ℓ reads `S_{ℓ-1}` only; its loss uses
//!   `u = mean(z, S_{ℓ+1}, …, S_L)` (upper states L2-normalised, detached); Jacobi updates; per-layer grad-norm clip 1.
//!   Inference: the bottom-up states, then `argmax Σ_ℓ softmax(<u_i, u_{N+k}>)`.

use super::{
    augment_edges, augmented_features, label_matrix, node_mask, paper_adam, rows_input, scaled, sf_loss,
    sf_probabilities, virtual_features, EvalScores, NodeLearner, SfTargets, HIDDEN, LN_EPS, TOP_LOSS_CLIP,
};
use crate::data::NodeTask;
use crate::error::{Error, Result};
use crate::nn::{clip_gradients, FeatureBlock, Features, GnnConv, GnnGraph, GnnKind, Optimizer};
use crate::rng::Rng;
use crate::tensor::{activation, activation_backward, add_scaled, l2_normalize_rows, Activation, Device, Tensor};

/// Test-time steps of SF-Top-To-Input (`--test-time-steps 10`) and the steps whose scores count (2..9).
pub const TEST_TIME_STEPS: usize = 10;
const STORED_FROM: usize = 2;

/// SF-Top-To-Input's update order (`--alternating-update`, Eq. (12)): first the layers with even code index
/// (layers 1, 3, 5, … reading the previous step's states), then the odd ones (reading the fresh outputs).
pub fn update_phases(depth: usize) -> [Vec<usize>; 2] {
    [(0..depth).step_by(2).collect(), (1..depth).step_by(2).collect()]
}

/// Which top-down variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopDown {
    /// Top-down signal concatenated to the layer input (Eq. (12); the paper's Eq. 7).
    ToInput,
    /// Top-down signal merged into the loss only (Eq. (14); the paper's Eq. 8).
    ToLoss,
}

/// What one Top-To-Input time step does (node classification and link prediction).
#[derive(Clone, Copy)]
pub(crate) enum Pass<'a> {
    /// Forward, local loss and an Adam step for every layer.
    Learn,
    /// Inference only, with `bottom` standing for `LN(X_aug)` (a projected block: [`GnnConv::project`]).
    Infer { bottom: &'a Features },
}

/// A top-down ForwardGNN learner.
#[derive(Debug)]
pub struct ForwardTopDown {
    mode: TopDown,
    layers: Vec<GnnConv>,
    optimizers: Vec<Optimizer>,
    graph: GnnGraph,
    targets: SfTargets,
    /// `LN(X_aug)` (Top-To-Input and Top-To-Loss states `S_0`).
    bottom: Features,
    /// Raw `X_aug` (Top-To-Loss's bottom-up pass feeds it un-normalised, Eq. (14)).
    bottom_raw: Features,
    /// `LN(Y_aug)`, the state above the top layer (Top-To-Input).
    top: Tensor,
    /// `S_1 .. S_L` of the previous time step (Top-To-Input: raw outputs; Top-To-Loss: L2-normalised).
    states: Vec<Tensor>,
    rows: usize,
}

impl ForwardTopDown {
    /// `layers` layers of `kind`; Top-To-Input layer widths follow `[F] + [128]*L + [K]` (Eq. (12)).
    pub fn new(
        task: &NodeTask,
        mode: TopDown,
        kind: GnnKind,
        layers: usize,
        device: &Device,
        rng: &mut Rng,
    ) -> Result<Self> {
        if layers == 0 {
            return Err(Error::invalid("layers", "ForwardGNN needs at least one layer"));
        }
        let (f, k) = (task.features.cols, task.num_classes);
        let mut sizes = vec![f];
        sizes.extend(std::iter::repeat_n(HIDDEN, layers));
        sizes.push(k);
        let mut convs = Vec::with_capacity(layers);
        for l in 1..=layers {
            let inputs = match mode {
                TopDown::ToInput => sizes[l - 1] + sizes[l + 1],
                TopDown::ToLoss => sizes[l - 1],
            };
            convs.push(GnnConv::new(kind, device, inputs, HIDDEN, rng)?);
        }
        let v = virtual_features(task, rng);
        let train = node_mask(task.num_nodes, &task.train);
        let edges = augment_edges(task, &task.labels, &train, true);
        let rows = task.num_nodes + k;
        let y = device.tensor(rows, k, &label_matrix(task, &task.labels, &train))?;
        let mut learner = ForwardTopDown {
            mode,
            optimizers: (0..layers).map(|_| Optimizer::new(paper_adam())).collect(),
            layers: convs,
            graph: GnnGraph::new(kind, device, rows, &edges)?,
            targets: SfTargets::new(task, device)?,
            bottom: rows_input(&augmented_features(task, &v, true), device)?,
            bottom_raw: rows_input(&augmented_features(task, &v, false), device)?,
            top: l2_normalize_rows(&y, LN_EPS)?,
            states: Vec::new(),
            rows,
        };
        learner.states = learner.bottom_up(&learner.bottom)?;
        Ok(learner)
    }

    fn zeros(&self) -> Result<Tensor> {
        self.top.device().zeros(self.rows, HIDDEN)
    }

    /// Top-To-Input's input of layer `l` (0-based) from the state below and the state above (raw); `bottom`
    /// stands for `LN(X_aug)` below layer 1.
    fn input(&self, l: usize, below: Option<&Tensor>, above: Option<&Tensor>, bottom: &Features) -> Result<Features> {
        let low = match below {
            None => bottom.try_clone()?,
            Some(s) => Features::from(l2_normalize_rows(s, LN_EPS)?),
        };
        let high = match above {
            None if l + 1 == self.layers.len() => self.top.try_clone()?,
            None => self.zeros()?,
            Some(s) => l2_normalize_rows(s, LN_EPS)?,
        };
        let mut blocks = low.into_blocks();
        blocks.push(FeatureBlock::Dense(high));
        Features::concat(blocks)
    }

    /// The initial states (no gradient): Top-To-Input with zero top-down input everywhere, including the top
    /// layer, `bottom` below layer 1; Top-To-Loss through the raw, un-normalised chain (Eq. (14)), storing `LN` of
    /// each output.
    fn bottom_up(&self, bottom: &Features) -> Result<Vec<Tensor>> {
        let mut states: Vec<Tensor> = Vec::with_capacity(self.layers.len());
        match self.mode {
            TopDown::ToInput => {
                for (l, layer) in self.layers.iter().enumerate() {
                    let mut blocks = match l {
                        0 => bottom.try_clone()?.into_blocks(),
                        _ => vec![FeatureBlock::Dense(l2_normalize_rows(&states[l - 1], LN_EPS)?)],
                    };
                    let zero_width = if l + 1 == self.layers.len() { self.top.cols() } else { HIDDEN };
                    blocks.push(FeatureBlock::Dense(self.top.device().zeros(self.rows, zero_width)?));
                    let h = activation(&layer.infer(&self.graph, &Features::concat(blocks)?)?, Activation::Relu)?;
                    states.push(h);
                }
            }
            TopDown::ToLoss => {
                let mut x = self.bottom_raw.try_clone()?;
                for layer in &self.layers {
                    let h = activation(&layer.infer(&self.graph, &x)?, Activation::Relu)?;
                    states.push(l2_normalize_rows(&h, LN_EPS)?);
                    x = Features::from(h);
                }
            }
        }
        Ok(states)
    }

    /// One Top-To-Input time step over `states`. Returns the new states and the layer losses (when learning).
    fn step_to_input(&mut self, states: &[Tensor], pass: Pass) -> Result<(Vec<Tensor>, Vec<Tensor>)> {
        let (learn, bottom) = match pass {
            Pass::Learn => (true, self.bottom.try_clone()?),
            Pass::Infer { bottom } => (false, bottom.try_clone()?),
        };
        top_input_step(self, states, learn, &bottom)
    }

    /// Top-To-Loss: `u = mean(z, S_{l+1}, …, S_L)` for layer `l` (0-based).
    fn merged(&self, l: usize, z: &Tensor, states: &[Tensor]) -> Result<Tensor> {
        let upper = &states[l + 1..];
        if upper.is_empty() {
            return z.try_clone();
        }
        let w = 1.0 / (upper.len() + 1) as f32;
        let mut u = scaled(z, w)?;
        for s in upper {
            add_scaled(&mut u, s, w)?;
        }
        Ok(u)
    }

    fn loss_input(&self, l: usize, states: &[Tensor]) -> Result<Features> {
        Ok(if l == 0 { self.bottom.try_clone()? } else { Features::from(states[l - 1].try_clone()?) })
    }

    fn step_to_loss(&mut self) -> Result<Vec<Tensor>> {
        let states = std::mem::take(&mut self.states);
        let mut new_states = Vec::with_capacity(states.len());
        let mut losses = Vec::with_capacity(states.len());
        for l in 0..self.layers.len() {
            let x = self.loss_input(l, &states)?;
            let z_pre = self.layers[l].forward(&self.graph, x)?;
            let z = activation(&z_pre, Activation::Relu)?;
            let u = self.merged(l, &z, &states)?;
            let (loss, grad_u) = sf_loss(&u, &self.targets)?;
            let share = 1.0 / (states.len() - l) as f32;
            let grad_z = activation_backward(&z_pre, &scaled(&grad_u, share)?, Activation::Relu)?;
            self.layers[l].backward_params(&self.graph, &grad_z)?;
            clip_gradients(&mut self.layers[l].params_mut(), TOP_LOSS_CLIP)?;
            self.optimizers[l].step(self.layers[l].params_mut())?;
            losses.push(loss);
            new_states.push(l2_normalize_rows(&z, LN_EPS)?);
        }
        self.states = new_states;
        Ok(losses)
    }

    fn probabilities(&self, h: &Tensor) -> Result<Tensor> {
        sf_probabilities(h, self.targets.nodes, self.targets.classes)
    }

    fn accumulate(sum: &mut Option<Tensor>, p: Tensor) -> Result<()> {
        match sum {
            Some(s) => add_scaled(s, &p, 1.0),
            None => {
                *sum = Some(p);
                Ok(())
            }
        }
    }
}

impl NodeLearner for ForwardTopDown {
    fn stages(&self) -> usize {
        1
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }

    fn train_epoch(&mut self, _stage: usize) -> Result<Vec<Tensor>> {
        match self.mode {
            TopDown::ToInput => {
                let states = std::mem::take(&mut self.states);
                let (new, losses) = self.step_to_input(&states, Pass::Learn)?;
                self.states = new;
                Ok(losses)
            }
            TopDown::ToLoss => self.step_to_loss(),
        }
    }

    fn loss_names(&self, _stage: usize) -> Vec<String> {
        (1..=self.layers.len()).map(|l| format!("layer {l}")).collect()
    }

    fn scores(&mut self, _stage: usize) -> Result<EvalScores> {
        let mut sum = None;
        match self.mode {
            TopDown::ToInput => {
                // Layer 1's bottom block is the same at every step: multiply it by W once (same outputs, bit
                // for bit; Amazon-Photo's 745 dense columns are most of a step's work).
                let bottom = Features::concat(vec![self.layers[0].project(&self.bottom)?])?;
                let mut states = self.bottom_up(&bottom)?;
                for t in 0..TEST_TIME_STEPS {
                    let (new, _) = self.step_to_input(&states, Pass::Infer { bottom: &bottom })?;
                    if t >= STORED_FROM {
                        for h in &new {
                            Self::accumulate(&mut sum, self.probabilities(h)?)?;
                        }
                    }
                    states = new;
                }
            }
            TopDown::ToLoss => {
                let states = self.bottom_up(&self.bottom)?;
                for l in 0..self.layers.len() {
                    let x = self.loss_input(l, &states)?;
                    let z = activation(&self.layers[l].infer(&self.graph, &x)?, Activation::Relu)?;
                    Self::accumulate(&mut sum, self.probabilities(&self.merged(l, &z, &states)?)?)?;
                }
            }
        }
        Ok(EvalScores { val: sum.ok_or_else(|| Error::invalid("top-down", "no layers"))?, test: None })
    }

    fn gnn_layers(&mut self) -> &mut [GnnConv] {
        &mut self.layers
    }

    fn optimizers(&mut self) -> &mut [Optimizer] {
        &mut self.optimizers
    }
}

/// What one Top-To-Input time step asks of its learner: SF-Top-To-Input on nodes ([`ForwardTopDown`]) and
/// CE-Top-To-Input on links (`super::lp::LpTopInput`).
pub(crate) trait TopInput {
    /// Layers of the model.
    fn depth(&self) -> usize;
    /// Layer `l`'s input from the freshest states below and above it; `bottom` stands for the input of layer 1.
    fn layer_input(
        &self,
        l: usize,
        below: Option<&Tensor>,
        above: Option<&Tensor>,
        bottom: &Features,
    ) -> Result<Features>;
    /// Trains layer `l` on `x` by its local loss (one optimiser step); returns its output and the loss.
    fn learn_layer(&mut self, l: usize, x: Features) -> Result<(Tensor, Tensor)>;
    /// Layer `l`'s output on `x`, without training.
    fn infer_layer(&self, l: usize, x: &Features) -> Result<Tensor>;
}

/// One Top-To-Input time step over `states` (docs/algorithms/forwardgnn.md, Eqs. (12) and (18)): the layers update
/// in the phases of [`update_phases`], each reading the freshest state below and above it. Returns the new states
/// and, when `learn`, the layers' losses.
pub(crate) fn top_input_step(
    m: &mut impl TopInput,
    states: &[Tensor],
    learn: bool,
    bottom: &Features,
) -> Result<(Vec<Tensor>, Vec<Tensor>)> {
    let depth = m.depth();
    let mut fresh: Vec<Option<Tensor>> = (0..depth).map(|_| None).collect();
    let mut losses: Vec<Option<Tensor>> = (0..depth).map(|_| None).collect();
    for phase in update_phases(depth) {
        for l in phase {
            let below = if l == 0 { None } else { fresh[l - 1].as_ref().or(states.get(l - 1)) };
            let above = if l + 1 < depth { fresh[l + 1].as_ref().or(states.get(l + 1)) } else { None };
            let x = m.layer_input(l, below, above, bottom)?;
            let h = if learn {
                let (h, loss) = m.learn_layer(l, x)?;
                losses[l] = Some(loss);
                h
            } else {
                m.infer_layer(l, &x)?
            };
            fresh[l] = Some(h);
        }
    }
    let new = fresh.into_iter().map(|h| h.ok_or_else(|| Error::invalid("top-down", "layer not updated")));
    Ok((new.collect::<Result<_>>()?, losses.into_iter().flatten().collect()))
}

/// Trains one GNN layer by a local loss on its ReLU output: forward on `graph`, `loss(h)` (the loss and `dL/dh`),
/// backward, one optimiser step. Returns `h` and the loss.
pub(crate) fn learn_relu_layer(
    layer: &mut GnnConv,
    optimizer: &mut Optimizer,
    graph: &GnnGraph,
    x: Features,
    loss: impl FnOnce(&Tensor) -> Result<(Tensor, Tensor)>,
) -> Result<(Tensor, Tensor)> {
    let z = layer.forward(graph, x)?;
    let h = activation(&z, Activation::Relu)?;
    let (value, grad_h) = loss(&h)?;
    let grad_z = activation_backward(&z, &grad_h, Activation::Relu)?;
    layer.backward_params(graph, &grad_z)?;
    optimizer.step(layer.params_mut())?;
    Ok((h, value))
}

impl TopInput for ForwardTopDown {
    fn depth(&self) -> usize {
        self.layers.len()
    }

    fn layer_input(
        &self,
        l: usize,
        below: Option<&Tensor>,
        above: Option<&Tensor>,
        bottom: &Features,
    ) -> Result<Features> {
        self.input(l, below, above, bottom)
    }

    fn learn_layer(&mut self, l: usize, x: Features) -> Result<(Tensor, Tensor)> {
        let targets = &self.targets;
        learn_relu_layer(&mut self.layers[l], &mut self.optimizers[l], &self.graph, x, |h| sf_loss(h, targets))
    }

    fn infer_layer(&self, l: usize, x: &Features) -> Result<Tensor> {
        activation(&self.layers[l].infer(&self.graph, x)?, Activation::Relu)
    }
}
