//! ForwardGNN's link-prediction learners: ForwardGNN-CE, ForwardGNN-FF and ForwardGNN-CE-Top-To-Input.
//! Implements docs/algorithms/forwardgnn.md, Eqs. (15)-(18) (the paper's Sec. 3.4, Eq. 9, Alg. 4); equation
//! numbers below are that page's. The backprop baseline (Eq. (20)) is in [`super::backprop`].
//!
//! A pair's score is the dot product of its nodes' embeddings, `s_uv = <z_u, z_v>`, trained with
//! binary cross-entropy against 1 (edge) / 0 (sampled non-edge); the link probability is `σ(s_uv)`. The pairs
//! and both objectives are in [`super::lp_pairs`].
//!
//! - **ForwardGNN-CE** (greedy, Eqs. (15)-(16)): `z^ℓ = relu(Conv_ℓ(LN(z^{ℓ-1}), E_train))`, each layer trained alone
//!   on its own BCE, input detached; inference sums `σ(s^ℓ)` over the layers (the paper averages: same ranking).
//! - **ForwardGNN-FF** (greedy, Eq. (17); the paper's Sec. 4.3): the same layers and schedule with the forward-forward
//!   objective on the edge goodness `g_uv = Σ_d (z_u,d z_v,d)²` (θ = 2); inference sums `σ(g^ℓ − θ)`. The paper has no
//!   script for it; it is the code's `GNNForward(forward_learning_type="FF")`.
//! - **ForwardGNN-CE-Top-To-Input** (Eq. (18)): layer ℓ < L reads `[LN(S_{ℓ-1}) || LN(S_{ℓ+1})]`, the top layer
//!   `LN(S_{L-1})` only (no labels in LP); alternating time steps; Adam **without** weight decay; inference: bottom-up
//!   with zero top-down input, 10 steps, `σ` summed over steps 2..9 and all layers.
//! - **Backprop**: in [`super::backprop`] (`LpBackprop`).
//!
//! Validation pairs are scored on the training graph, test pairs on training ∪ validation edges.

use super::lp_pairs::{LinkObjective, PairIndex};
use super::topdown::{learn_relu_layer, top_input_step, Pass, TopInput, TEST_TIME_STEPS};
use super::{paper_adam, rows_input, EvalScores, NodeLearner, HIDDEN, LN_EPS};
use crate::data::LinkTask;
use crate::error::{Error, Result};
use crate::nn::{FeatureBlock, Features, GnnConv, GnnGraph, GnnKind, Optimizer, OptimizerConfig};
use crate::rng::Rng;
use crate::tensor::{activation, activation_backward, add_scaled, l2_normalize_rows, Activation, Device, Tensor};

/// What the three link learners share: graphs, pairs and the normalised input.
#[derive(Debug)]
pub(crate) struct LinkData {
    pub(crate) train_graph: GnnGraph,
    pub(crate) test_graph: GnnGraph,
    pub(crate) train: PairIndex,
    /// Validation `[0]` and test `[1]` pairs.
    pub(crate) eval: [PairIndex; 2],
}

impl LinkData {
    pub(crate) fn new(task: &LinkTask, kind: GnnKind, device: &Device) -> Result<Self> {
        let n = task.num_nodes;
        Ok(LinkData {
            train_graph: GnnGraph::new(kind, device, n, &task.train_graph)?,
            test_graph: GnnGraph::new(kind, device, n, &task.test_graph)?,
            train: PairIndex::new(&task.train, n, device)?,
            eval: [PairIndex::new(&task.val, n, device)?, PairIndex::new(&task.test, n, device)?],
        })
    }

    /// The graph split `s` (0 validation, 1 test) is scored on.
    pub(crate) fn graph(&self, s: usize) -> &GnnGraph {
        if s == 0 {
            &self.train_graph
        } else {
            &self.test_graph
        }
    }
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

pub(crate) fn check_layers(layers: usize) -> Result<()> {
    if layers == 0 {
        return Err(Error::invalid("layers", "a GNN needs at least one layer"));
    }
    Ok(())
}

/// Greedy ForwardGNN-CE or ForwardGNN-FF for link prediction.
#[derive(Debug)]
pub struct ForwardLp {
    objective: LinkObjective,
    layers: Vec<GnnConv>,
    optimizers: Vec<Optimizer>,
    data: LinkData,
    /// Inputs of the layer being trained, on the training graph `[0]` and the test graph `[1]`.
    inputs: [Features; 2],
    /// `Σ σ(s^ℓ)` of the finished layers, validation `[0]` and test `[1]`.
    sums: [Option<Tensor>; 2],
}

impl ForwardLp {
    /// ForwardGNN-CE with `layers` layers of `kind` (`F -> 128 -> ... -> 128`).
    pub fn new(task: &LinkTask, kind: GnnKind, layers: usize, device: &Device, rng: &mut Rng) -> Result<Self> {
        Self::with_objective(task, LinkObjective::CrossEntropy, kind, layers, device, rng)
    }

    /// The greedy learner with either objective.
    pub fn with_objective(
        task: &LinkTask,
        objective: LinkObjective,
        kind: GnnKind,
        layers: usize,
        device: &Device,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_layers(layers)?;
        let convs = (0..layers)
            .map(|l| GnnConv::new(kind, device, if l == 0 { task.features.cols } else { HIDDEN }, HIDDEN, rng))
            .collect::<Result<Vec<_>>>()?;
        let x = rows_input(&task.features.l2_normalized(LN_EPS), device)?;
        Ok(ForwardLp {
            objective,
            optimizers: (0..layers).map(|_| Optimizer::new(paper_adam())).collect(),
            layers: convs,
            data: LinkData::new(task, kind, device)?,
            inputs: [x.try_clone()?, x],
            sums: [None, None],
        })
    }

    fn output(&self, stage: usize, s: usize) -> Result<Tensor> {
        activation(&self.layers[stage].infer(self.data.graph(s), &self.inputs[s])?, Activation::Relu)
    }

    /// `Σ σ` over layers `0..=stage` of split `s`'s pairs (0 validation, 1 test).
    fn split(&self, stage: usize, s: usize) -> Result<Tensor> {
        let mut p = self.data.eval[s].probabilities_with(&self.output(stage, s)?, self.objective)?;
        if let Some(sum) = &self.sums[s] {
            add_scaled(&mut p, sum, 1.0)?;
        }
        Ok(p)
    }
}

impl NodeLearner for ForwardLp {
    fn stages(&self) -> usize {
        self.layers.len()
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }

    fn train_epoch(&mut self, stage: usize) -> Result<Vec<Tensor>> {
        let z = self.layers[stage].forward(&self.data.train_graph, self.inputs[0].try_clone()?)?;
        let (loss, grad) = self.data.train.loss_with(&activation(&z, Activation::Relu)?, self.objective)?;
        self.layers[stage]
            .backward_params(&self.data.train_graph, &activation_backward(&z, &grad, Activation::Relu)?)?;
        self.optimizers[stage].step(self.layers[stage].params_mut())?;
        Ok(vec![loss])
    }

    fn loss_names(&self, stage: usize) -> Vec<String> {
        vec![format!("layer {}", stage + 1)]
    }

    fn scores(&mut self, stage: usize) -> Result<EvalScores> {
        Ok(EvalScores { val: self.split(stage, 0)?, test: Some(self.split(stage, 1)?) })
    }

    fn split_scores(&mut self, stage: usize, split: usize) -> Result<Option<Tensor>> {
        self.split(stage, split).map(Some)
    }

    fn finish_stage(&mut self, stage: usize) -> Result<()> {
        for s in 0..2 {
            let z = self.output(stage, s)?;
            accumulate(&mut self.sums[s], self.data.eval[s].probabilities_with(&z, self.objective)?)?;
            self.inputs[s] = Features::from(l2_normalize_rows(&z, LN_EPS)?);
        }
        Ok(())
    }

    fn gnn_layers(&mut self) -> &mut [GnnConv] {
        &mut self.layers
    }

    fn optimizers(&mut self) -> &mut [Optimizer] {
        &mut self.optimizers
    }
}

/// ForwardGNN-CE-Top-To-Input for link prediction.
#[derive(Debug)]
pub struct LpTopInput {
    layers: Vec<GnnConv>,
    optimizers: Vec<Optimizer>,
    data: LinkData,
    x: Features,
    states: Vec<Tensor>,
    nodes: usize,
}

impl LpTopInput {
    /// `layers` layers; layer ℓ < L reads `F or 128` plus `128` top-down columns.
    pub fn new(task: &LinkTask, kind: GnnKind, layers: usize, device: &Device, rng: &mut Rng) -> Result<Self> {
        check_layers(layers)?;
        let mut convs = Vec::with_capacity(layers);
        for l in 0..layers {
            let below = if l == 0 { task.features.cols } else { HIDDEN };
            let above = if l + 1 < layers { HIDDEN } else { 0 };
            convs.push(GnnConv::new(kind, device, below + above, HIDDEN, rng)?);
        }
        let no_decay = OptimizerConfig::adam(1e-3);
        let mut learner = LpTopInput {
            optimizers: (0..layers).map(|_| Optimizer::new(no_decay.clone())).collect(),
            layers: convs,
            data: LinkData::new(task, kind, device)?,
            x: rows_input(&task.features.l2_normalized(LN_EPS), device)?,
            states: Vec::new(),
            nodes: task.num_nodes,
        };
        learner.states = learner.bottom_up(0, &learner.x)?;
        Ok(learner)
    }

    /// Layer `l`'s input; `bottom` stands for `LN(X)` below layer 1.
    fn input(&self, l: usize, below: Option<&Tensor>, above: Option<&Tensor>, bottom: &Features) -> Result<Features> {
        let mut blocks = match below {
            None => bottom.try_clone()?.into_blocks(),
            Some(s) => vec![FeatureBlock::Dense(l2_normalize_rows(s, LN_EPS)?)],
        };
        if l + 1 < self.layers.len() {
            blocks.push(FeatureBlock::Dense(match above {
                Some(s) => l2_normalize_rows(s, LN_EPS)?,
                None => self.x_device().zeros(self.nodes, HIDDEN)?,
            }));
        }
        Features::concat(blocks)
    }

    fn x_device(&self) -> Device {
        self.data.train.labels.device()
    }

    /// States from zero top-down input, on the graph of split `s` (0: training/validation, 1: test).
    fn bottom_up(&self, s: usize, bottom: &Features) -> Result<Vec<Tensor>> {
        let mut states: Vec<Tensor> = Vec::with_capacity(self.layers.len());
        for l in 0..self.layers.len() {
            let x = self.input(l, l.checked_sub(1).map(|i| &states[i]), None, bottom)?;
            states.push(activation(&self.layers[l].infer(self.data.graph(s), &x)?, Activation::Relu)?);
        }
        Ok(states)
    }

    /// Inference on split `s` (0 validation, 1 test): 10 steps from the bottom-up states, `σ` summed over
    /// steps 2..9 and every layer; `bottom` is layer 1's projected input.
    fn split(&mut self, s: usize, bottom: &Features) -> Result<Tensor> {
        let mut states = self.bottom_up(s, bottom)?;
        let mut sum = None;
        for t in 0..TEST_TIME_STEPS {
            let (new, _) = self.step(s, &states, Pass::Infer { bottom })?;
            if t >= 2 {
                for h in &new {
                    accumulate(&mut sum, self.data.eval[s].probabilities(h)?)?;
                }
            }
            states = new;
        }
        sum.ok_or_else(|| Error::invalid("link", "no scores"))
    }

    /// One CE-Top-To-Input time step on split `s` (training: the training graph).
    fn step(&mut self, s: usize, states: &[Tensor], pass: Pass) -> Result<(Vec<Tensor>, Vec<Tensor>)> {
        let (learn, bottom) = match pass {
            Pass::Learn => (true, self.x.try_clone()?),
            Pass::Infer { bottom } => (false, bottom.try_clone()?),
        };
        top_input_step(&mut OnSplit { learner: self, split: s }, states, learn, &bottom)
    }
}

/// The CE-Top-To-Input learner evaluated on one split (0 validation, 1 test).
struct OnSplit<'a> {
    learner: &'a mut LpTopInput,
    split: usize,
}

impl TopInput for OnSplit<'_> {
    fn depth(&self) -> usize {
        self.learner.layers.len()
    }

    fn layer_input(
        &self,
        l: usize,
        below: Option<&Tensor>,
        above: Option<&Tensor>,
        bottom: &Features,
    ) -> Result<Features> {
        self.learner.input(l, below, above, bottom)
    }

    fn learn_layer(&mut self, l: usize, x: Features) -> Result<(Tensor, Tensor)> {
        let LpTopInput { layers, optimizers, data, .. } = &mut *self.learner;
        learn_relu_layer(&mut layers[l], &mut optimizers[l], &data.train_graph, x, |h| data.train.loss(h))
    }

    fn infer_layer(&self, l: usize, x: &Features) -> Result<Tensor> {
        activation(&self.learner.layers[l].infer(self.learner.data.graph(self.split), x)?, Activation::Relu)
    }
}

impl NodeLearner for LpTopInput {
    fn stages(&self) -> usize {
        1
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }

    fn train_epoch(&mut self, _stage: usize) -> Result<Vec<Tensor>> {
        let states = std::mem::take(&mut self.states);
        let (new, losses) = self.step(0, &states, Pass::Learn)?;
        self.states = new;
        Ok(losses)
    }

    fn loss_names(&self, _stage: usize) -> Vec<String> {
        (1..=self.layers.len()).map(|l| format!("layer {l}")).collect()
    }

    fn scores(&mut self, _stage: usize) -> Result<EvalScores> {
        // layer 1's bottom block is the same at every step and on both graphs: multiply it by W once
        let bottom = Features::concat(vec![self.layers[0].project(&self.x)?])?;
        Ok(EvalScores { val: self.split(0, &bottom)?, test: Some(self.split(1, &bottom)?) })
    }

    fn split_scores(&mut self, _stage: usize, split: usize) -> Result<Option<Tensor>> {
        let bottom = Features::concat(vec![self.layers[0].project(&self.x)?])?;
        self.split(split, &bottom).map(Some)
    }

    fn gnn_layers(&mut self) -> &mut [GnnConv] {
        &mut self.layers
    }

    fn optimizers(&mut self) -> &mut [Optimizer] {
        &mut self.optimizers
    }
}
