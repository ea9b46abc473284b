//! Forward-forward on graphs, FF-LA and FF-VN, trains a GNN's layers greedily, layer by layer.
//! Implements docs/algorithms/forwardgnn.md, Eqs. (8)-(11) (the paper's Sec. 3.1, Eqs. 4-5, Alg. 1); equation numbers
//! below are that page's. A positive stream should have goodness `G = Σ_d a²` above θ = 2 on the training nodes, the
//! K−1 negative streams below it (the loss of Eq. (8); fixed wrong classes, Eq. (10)). Inference scores each candidate
//! class `c` by `Σ_ℓ (mean_d a² − θ)` of a stream built for `c` (Eq. (9)).
//!
//! - **FF-LA** (label appending, Eq. (10)): streams differ in the labels appended to the features, `LN([X || Lab])`, on
//!   the original graph. Candidate `c` at evaluation: true labels on the training nodes (training ∪ validation nodes at
//!   test time), `c` on the evaluated nodes, uniform elsewhere. Each stream's next input is its own output.
//! - **FF-VN** (virtual nodes, Eq. (11)): streams differ in the graph — training nodes linked to the virtual node of
//!   their true (positive) or a wrong (negative) class — and share one input, the positive graph's output. Candidate
//!   `c` links the evaluated nodes to virtual node `c`.

use super::{
    augment_edges, augmented_features, ff_loss, ff_score, id_tensor, node_mask, paper_adam, rows_input,
    virtual_features, wrong_classes, EvalScores, NodeLearner, HIDDEN, LN_EPS,
};
use crate::data::NodeTask;
use crate::error::{Error, Result};
use crate::nn::{FeatureBlock, Features, GnnConv, GnnGraph, GnnKind, Matrix, Optimizer, SharedProducts};
use crate::rng::Rng;
use crate::tensor::{
    activation, activation_backward, add_scaled, concat, l2_normalize_rows, slice, Activation, Device, Tensor,
};
use std::rc::Rc;

/// How the streams differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FfMode {
    /// FF-LA: labels appended to the input features.
    LabelAppending,
    /// FF-VN: training nodes linked to class virtual nodes.
    VirtualNodes,
}

/// One forward stream: which graph it runs on and its current (detached, normalised) input.
#[derive(Debug)]
struct Stream {
    graph: usize,
    input: Features,
}

/// A greedy forward-forward learner.
#[derive(Debug)]
pub struct ForwardFf {
    mode: FfMode,
    layers: Vec<GnnConv>,
    optimizers: Vec<Optimizer>,
    graphs: Vec<GnnGraph>,
    /// Positive stream first, then the K−1 negatives.
    train: Vec<Stream>,
    /// Candidate streams per class, for validation `[0]` and test `[1]`.
    eval: [Vec<Stream>; 2],
    /// `Σ (mean a² − θ)` of the finished layers per evaluation stream (`N x 1`).
    eval_scores: [Vec<Option<Tensor>>; 2],
    train_ids: Vec<u32>,
    train_ids_dev: Tensor,
    nodes: usize,
}

/// FF-LA's layer-1 input `LN([X || Lab])` (Eq. (10)) with `label(i)`: `Some(c)` = one-hot `c`, `None` = uniform
/// `1/K`. One shared copy of `X` with per-row factors, plus the scaled label block.
pub fn appended_input(
    task: &NodeTask,
    x: &Rc<Matrix>,
    label: impl Fn(usize) -> Option<u32>,
    device: &Device,
) -> Result<Features> {
    let (n, k) = (task.num_nodes, task.num_classes);
    let mut scale = vec![0.0f32; n];
    let mut lab = vec![0.0f32; n * k];
    for i in 0..n {
        let x_sq: f32 = task.features.row(i).map(|(_, v)| v * v).sum();
        let lab_sq = match label(i) {
            Some(c) => {
                lab[i * k + c as usize] = 1.0;
                1.0
            }
            None => {
                lab[i * k..(i + 1) * k].fill(1.0 / k as f32);
                1.0 / k as f32
            }
        };
        // LN([x || lab]) = s [x || lab] with s = 1 / (||[x || lab]|| + eps)  (Eq. (2))
        scale[i] = 1.0 / ((x_sq + lab_sq).sqrt() + LN_EPS);
        lab[i * k..(i + 1) * k].iter_mut().for_each(|v| *v *= scale[i]);
    }
    Features::concat(vec![
        FeatureBlock::shared(Rc::clone(x), Some(device.tensor(n, 1, &scale)?)),
        FeatureBlock::Dense(device.tensor(n, k, &lab)?),
    ])
}

impl ForwardFf {
    /// `layers` layers of `kind` (`F (+K for FF-LA) -> 128 -> ... -> 128`).
    pub fn new(
        task: &NodeTask,
        mode: FfMode,
        kind: GnnKind,
        layers: usize,
        device: &Device,
        rng: &mut Rng,
    ) -> Result<Self> {
        if layers == 0 || task.num_classes < 2 {
            return Err(Error::invalid("forward-forward", "needs at least one layer and two classes"));
        }
        let (n, k) = (task.num_nodes, task.num_classes);
        let first = task.features.cols + if mode == FfMode::LabelAppending { k } else { 0 };
        let mut convs = Vec::with_capacity(layers);
        for l in 0..layers {
            convs.push(GnnConv::new(kind, device, if l == 0 { first } else { HIDDEN }, HIDDEN, rng)?);
        }
        let wrong = wrong_classes(task, rng);
        let train_mask = node_mask(n, &task.train);
        let val_mask = node_mask(n, &task.val);
        let test_mask = node_mask(n, &task.test);
        // nodes whose true label evaluation may use: training (validation), training ∪ validation (test)
        let known = [train_mask.clone(), (0..n).map(|i| train_mask[i] || val_mask[i]).collect::<Vec<_>>()];
        let evaluated = [val_mask, test_mask];
        let mut graphs = Vec::new();
        let (train, eval) = match mode {
            FfMode::LabelAppending => {
                graphs.push(GnnGraph::new(kind, device, n, &task.edges)?);
                let x = Matrix::upload(&task.features, device)?;
                let mut train = vec![Stream {
                    graph: 0,
                    input: appended_input(task, &x, |i| train_mask[i].then_some(task.labels[i]), device)?,
                }];
                for w in &wrong {
                    let input = appended_input(task, &x, |i| train_mask[i].then_some(w[i]), device)?;
                    train.push(Stream { graph: 0, input });
                }
                let mut eval: [Vec<Stream>; 2] = [Vec::new(), Vec::new()];
                for s in 0..2 {
                    for c in 0..k as u32 {
                        let label = |i: usize| {
                            if known[s][i] {
                                Some(task.labels[i])
                            } else {
                                evaluated[s][i].then_some(c)
                            }
                        };
                        eval[s].push(Stream { graph: 0, input: appended_input(task, &x, label, device)? });
                    }
                }
                (train, eval)
            }
            FfMode::VirtualNodes => {
                let v = virtual_features(task, rng);
                let x_aug = rows_input(&augmented_features(task, &v, true), device)?;
                let add = |class: &[u32], mask: &[bool], graphs: &mut Vec<GnnGraph>| -> Result<Stream> {
                    graphs.push(GnnGraph::new(kind, device, n + k, &augment_edges(task, class, mask, true))?);
                    Ok(Stream { graph: graphs.len() - 1, input: x_aug.try_clone()? })
                };
                let mut train = vec![add(&task.labels, &train_mask, &mut graphs)?];
                for w in &wrong {
                    train.push(add(w, &train_mask, &mut graphs)?);
                }
                let mut eval: [Vec<Stream>; 2] = [Vec::new(), Vec::new()];
                for s in 0..2 {
                    let mask: Vec<bool> = (0..n).map(|i| known[s][i] || evaluated[s][i]).collect();
                    for c in 0..k as u32 {
                        let class: Vec<u32> = (0..n).map(|i| if known[s][i] { task.labels[i] } else { c }).collect();
                        eval[s].push(add(&class, &mask, &mut graphs)?);
                    }
                }
                (train, eval)
            }
        };
        Ok(ForwardFf {
            mode,
            optimizers: (0..layers).map(|_| Optimizer::new(paper_adam())).collect(),
            layers: convs,
            graphs,
            train,
            eval_scores: [(0..k).map(|_| None).collect(), (0..k).map(|_| None).collect()],
            eval,
            train_ids: task.train.clone(),
            train_ids_dev: id_tensor(device, &task.train)?,
            nodes: n,
        })
    }

    /// The ReLU output of layer `stage` on stream `s`; streams sharing an input matrix multiply it once per
    /// `cache` (one per weight state).
    fn output(&self, stage: usize, s: &Stream, cache: &mut SharedProducts) -> Result<Tensor> {
        let layer = &self.layers[stage];
        activation(&layer.infer(&self.graphs[s.graph], &layer.share_products(&s.input, cache)?)?, Activation::Relu)
    }

    /// Class scores (`N x K`) of split `s` (0 validation, 1 test: the validation labels revealed, Eq. (10)).
    fn split(&self, stage: usize, s: usize, cache: &mut SharedProducts) -> Result<Tensor> {
        let mut columns = Vec::with_capacity(self.eval[s].len());
        for (c, stream) in self.eval[s].iter().enumerate() {
            let mut score = self.real_scores(&self.output(stage, stream, cache)?)?;
            if let Some(acc) = &self.eval_scores[s][c] {
                add_scaled(&mut score, acc, 1.0)?;
            }
            columns.push(score);
        }
        concat(&columns.iter().collect::<Vec<_>>(), 1)
    }

    /// `mean_d a² − θ` of the real nodes (`N x 1`).
    fn real_scores(&self, a: &Tensor) -> Result<Tensor> {
        slice(&ff_score(a)?, 0, 0..self.nodes)
    }
}

impl NodeLearner for ForwardFf {
    fn stages(&self) -> usize {
        self.layers.len()
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }

    fn train_epoch(&mut self, stage: usize) -> Result<Vec<Tensor>> {
        let negatives = (self.train.len() - 1) as f32;
        let mut total: Option<Tensor> = None;
        let mut cache = SharedProducts::default();
        for (j, s) in self.train.iter().enumerate() {
            let graph = &self.graphs[s.graph];
            let input = self.layers[stage].share_products(&s.input, &mut cache)?;
            let z = self.layers[stage].forward(graph, input)?;
            let a = activation(&z, Activation::Relu)?;
            // L = mean softplus(θ − G_pos) + (1 / (K−1)) Σ_j mean softplus(G_neg_j − θ)   (Eq. (8))
            let weight = if j == 0 { 1.0 } else { 1.0 / negatives };
            let (loss, grad_a) = ff_loss(&a, &self.train_ids, &self.train_ids_dev, j == 0, weight)?;
            self.layers[stage].backward_params(graph, &activation_backward(&z, &grad_a, Activation::Relu)?)?;
            match &mut total {
                Some(t) => add_scaled(t, &loss, 1.0)?,
                None => total = Some(loss),
            }
        }
        self.optimizers[stage].step(self.layers[stage].params_mut())?;
        Ok(total.into_iter().collect())
    }

    fn loss_names(&self, stage: usize) -> Vec<String> {
        vec![format!("layer {}", stage + 1)]
    }

    fn scores(&mut self, stage: usize) -> Result<EvalScores> {
        let mut cache = SharedProducts::default();
        Ok(EvalScores { val: self.split(stage, 0, &mut cache)?, test: Some(self.split(stage, 1, &mut cache)?) })
    }

    fn split_scores(&mut self, stage: usize, split: usize) -> Result<Option<Tensor>> {
        self.split(stage, split, &mut SharedProducts::default()).map(Some)
    }

    fn finish_stage(&mut self, stage: usize) -> Result<()> {
        let mut cache = SharedProducts::default();
        match self.mode {
            FfMode::LabelAppending => {
                for j in 0..self.train.len() {
                    let a = self.output(stage, &self.train[j], &mut cache)?;
                    self.train[j].input = Features::from(l2_normalize_rows(&a, LN_EPS)?);
                }
            }
            FfMode::VirtualNodes => {
                // every graph of the next layer reads the positive graph's output (Alg. 1 line 18): one
                // shared matrix, so the next layer multiplies it once for all K streams
                let a = l2_normalize_rows(&self.output(stage, &self.train[0], &mut cache)?, LN_EPS)?;
                let shared = Rc::new(Matrix::Dense(a));
                for s in &mut self.train {
                    s.input = Features::from(Rc::clone(&shared));
                }
            }
        }
        for s in 0..2 {
            for c in 0..self.eval[s].len() {
                let a = self.output(stage, &self.eval[s][c], &mut cache)?;
                let score = self.real_scores(&a)?;
                match &mut self.eval_scores[s][c] {
                    Some(acc) => add_scaled(acc, &score, 1.0)?,
                    None => self.eval_scores[s][c] = Some(score),
                }
                self.eval[s][c].input = Features::from(l2_normalize_rows(&a, LN_EPS)?);
            }
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
