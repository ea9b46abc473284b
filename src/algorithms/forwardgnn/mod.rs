//! ForwardGNN (Park et al., *Forward Learning of Graph Neural Networks*, ICLR 2024) and what its variants share.
//! Implements docs/algorithms/forwardgnn.md, Eqs. (2), (4)-(9) and (21). Equation numbers below are that page's,
//! written "Eq. (n)"; the paper's own are written "the paper's Eq. n".
//!
//! This file holds what the variants share: the virtual-node augmentation (Eq. (4)), label matrices (Eq. (5)),
//! the per-row L2 "LayerNormalization" (Eq. (2)), the SF contrastive loss and prediction (Eqs. (6)-(7); the
//! paper's Eq. 6), the forward-forward loss and score (Eqs. (8)-(9)), the paper's Adam (Eq. (21)) and the
//! [`NodeLearner`] interface the trainer drives with the shared validation / early-stopping protocol
//! ("Protocol and hyper-parameters" on that page). The variants live beside it: [`sf`] (SF, the paper's Sec.
//! 3.2), [`ff`] (FF-LA and FF-VN, Sec. 3.1), [`topdown`] (SF-Top-To-Input and SF-Top-To-Loss, Sec. 3.3), [`lp`]
//! and [`lp_pairs`] (link prediction, Sec. 3.4) and [`backprop`] (the BP baseline, Eq. (20)); [`build`] holds
//! the builders the registry names.

pub mod backprop;
pub mod build;
pub mod ff;
pub mod lp;
pub mod lp_pairs;
pub mod sf;
pub mod topdown;

use crate::data::{NodeTask, SparseRows};
use crate::error::Result;
use crate::nn::{Features, GnnConv, Matrix, Optimizer, OptimizerConfig};
use crate::rng::Rng;
use crate::tensor::{
    add_row, add_scaled, bce_with_logits, goodness, goodness_backward, matmul, reduce, scatter_add_rows, slice,
    softmax, softmax_cross_entropy, Device, Reduction, Tensor,
};

/// Hidden width of every ForwardGNN layer (App. B).
pub const HIDDEN: usize = 128;
/// Forward-forward threshold θ (`--ff-theta 2.0`).
pub const THETA: f32 = 2.0;
/// SF temperature τ (`--temperature 1.0`).
pub const TAU: f32 = 1.0;
/// eps of the per-row L2 normalisation, added to the norm (Eq. (2)).
pub const LN_EPS: f32 = 1e-8;
/// Grad-norm clip of SF-Top-To-Loss only (Eq. (14)).
pub const TOP_LOSS_CLIP: f32 = 1.0;

/// Adam with L2-style weight decay (added to the gradient), lr 1e-3, wd 5e-4 (Eq. (21)).
pub fn paper_adam() -> OptimizerConfig {
    OptimizerConfig::Adam { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 5e-4, decoupled: false }
}

/// Validation-time class scores of every real node (`N x K`; higher = more likely).
#[derive(Debug)]
pub struct EvalScores {
    /// Scores used for the validation nodes.
    pub val: Tensor,
    /// Scores for the test nodes where they differ (FF-LA and FF-VN reveal the validation labels at test
    /// time, Eqs. (10)-(11)); `None` = the same as `val`.
    pub test: Option<Tensor>,
}

/// A node classifier trained in stages under the shared protocol ("Protocol and hyper-parameters"): greedy variants
/// have one stage per layer, the others a single stage. The trainer calls [`NodeLearner::train_epoch`], validates every
/// second epoch with [`NodeLearner::scores`], keeps the best [`NodeLearner::checkpoint`], and at the end of a stage
/// restores it and calls [`NodeLearner::finish_stage`].
pub trait NodeLearner {
    /// Training stages.
    fn stages(&self) -> usize;
    /// Layers of the model.
    fn layers(&self) -> usize;
    /// One epoch (one full-graph step) of stage `stage`; returns each trained layer's loss as `1 x 1`.
    fn train_epoch(&mut self, stage: usize) -> Result<Vec<Tensor>>;
    /// Names of the losses [`NodeLearner::train_epoch`] returns at `stage`.
    fn loss_names(&self, stage: usize) -> Vec<String>;
    /// Scores of the model trained so far (greedy: layers `0..=stage`).
    fn scores(&mut self, stage: usize) -> Result<EvalScores>;
    /// The scores of one split alone (0 validation, 1 test) where the two cost separate passes — link
    /// prediction scores its test pairs on another graph — so that a run can skip the test pass when
    /// validation did not improve; `None` (the default) = only [`NodeLearner::scores`] gives them.
    fn split_scores(&mut self, _stage: usize, _split: usize) -> Result<Option<Tensor>> {
        Ok(None)
    }
    /// The model's layers, bottom first.
    fn gnn_layers(&mut self) -> &mut [GnnConv];
    /// The optimisers (one per layer, or one for the whole model); the trainer sets their learning rate from the
    /// run's configuration (the paper's 1e-3 by default, Eq. (21)).
    fn optimizers(&mut self) -> &mut [Optimizer];
    /// Copies of what `stage` trains (weights only; optimiser moments are not saved, as in the reference):
    /// layer `stage` alone when there is one stage per layer (greedy), else every layer.
    fn checkpoint(&mut self, stage: usize) -> Result<Vec<Vec<Tensor>>> {
        stage_layers(self, stage).iter_mut().map(GnnConv::snapshot).collect()
    }
    /// Restores a checkpoint of `stage`.
    fn restore(&mut self, stage: usize, checkpoint: &[Vec<Tensor>]) -> Result<()> {
        for (layer, values) in stage_layers(self, stage).iter_mut().zip(checkpoint) {
            layer.restore(values)?;
        }
        Ok(())
    }
    /// Freezes `stage` (greedy: computes the next layer's detached input); nothing by default.
    fn finish_stage(&mut self, _stage: usize) -> Result<()> {
        Ok(())
    }
    /// Trainable scalars.
    fn parameter_count(&mut self) -> usize {
        self.gnn_layers().iter_mut().map(GnnConv::parameter_count).sum()
    }
}

/// The layers stage `stage` trains: `[stage]` in a greedy learner (one stage per layer), else all of them.
fn stage_layers<L: NodeLearner + ?Sized>(learner: &mut L, stage: usize) -> &mut [GnnConv] {
    let greedy = learner.stages() > 1;
    let layers = learner.gnn_layers();
    if greedy {
        layers.get_mut(stage..=stage).unwrap_or_default()
    } else {
        layers
    }
}

/// Virtual-node edges (Eq. (4)): the real edges, then `i -> N + class[i]` for every `i` in `mask` (ascending),
/// then, if `bidirectional`, `N + class[i] -> i` for the same nodes.
pub fn augment_edges(task: &NodeTask, class: &[u32], mask: &[bool], bidirectional: bool) -> Vec<(u32, u32)> {
    let n = task.num_nodes as u32;
    let linked: Vec<u32> = (0..n).filter(|&i| mask[i as usize]).collect();
    let mut edges = task.edges.clone();
    edges.extend(linked.iter().map(|&i| (i, n + class[i as usize])));
    if bidirectional {
        edges.extend(linked.iter().map(|&i| (n + class[i as usize], i)));
    }
    edges
}

/// The `(N + K) x K` label matrix `Y_aug` (Eq. (5)): one-hot of `class[i]` for `i` in `mask`, uniform
/// `1/K` for the other real nodes, one-hot `k` for virtual node `N + k`.
pub fn label_matrix(task: &NodeTask, class: &[u32], mask: &[bool]) -> Vec<f32> {
    let (n, k) = (task.num_nodes, task.num_classes);
    let mut y = vec![0.0; (n + k) * k];
    for i in 0..n {
        if mask[i] {
            y[i * k + class[i] as usize] = 1.0;
        } else {
            y[i * k..(i + 1) * k].fill(1.0 / k as f32);
        }
    }
    for c in 0..k {
        y[(n + c) * k + c] = 1.0;
    }
    y
}

/// `mask[i]` = node `i` is in `nodes`.
pub fn node_mask(n: usize, nodes: &[u32]) -> Vec<bool> {
    let mut m = vec![false; n];
    for &i in nodes {
        m[i as usize] = true;
    }
    m
}

/// The fixed virtual-node features `V` (`K x F`, i.i.d. N(0, 1), Eq. (4)), drawn once per run.
pub fn virtual_features(task: &NodeTask, rng: &mut Rng) -> Vec<f32> {
    (0..task.num_classes * task.features.cols).map(|_| rng.normal()).collect()
}

/// `X_aug = [X ; V]` as sparse rows (the K virtual rows dense), L2-normalised per row if `normalize`.
pub fn augmented_features(task: &NodeTask, v: &[f32], normalize: bool) -> SparseRows {
    let mut rows = task.features.clone();
    let f = rows.cols;
    for c in 0..task.num_classes {
        rows.push_row((0..f).map(|j| (j as u32, v[c * f + j])));
    }
    if normalize {
        rows.l2_normalized(LN_EPS)
    } else {
        rows
    }
}

/// For every node, the K−1 wrong classes in a random order (Eq. (10)): `r = U(0,1)^{N x K}`, `r[i, y_i] = 1e7`,
/// argsort each row. Returned as `wrong[j][i]`, drawn once before training.
pub fn wrong_classes(task: &NodeTask, rng: &mut Rng) -> Vec<Vec<u32>> {
    let k = task.num_classes;
    let mut wrong = vec![vec![0u32; task.num_nodes]; k.saturating_sub(1)];
    for i in 0..task.num_nodes {
        let mut r: Vec<(f32, u32)> = (0..k as u32).map(|c| (rng.uniform(0.0, 1.0), c)).collect();
        if let Some(own) = r.get_mut(task.labels[i] as usize) {
            own.0 = 1e7;
        }
        r.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (j, w) in wrong.iter_mut().enumerate() {
            w[i] = r[j].1;
        }
    }
    wrong
}

/// A device `k x 1` tensor of ids (for [`crate::tensor::gather_rows`] and as class labels).
pub fn id_tensor(device: &Device, ids: &[u32]) -> Result<Tensor> {
    let v: Vec<f32> = ids.iter().map(|&i| i as f32).collect();
    device.tensor(ids.len(), 1, &v)
}

/// Host rows on the device as a layer input (sparse or dense, see [`Matrix::upload`]).
pub fn rows_input(rows: &SparseRows, device: &Device) -> Result<Features> {
    Ok(Features::from(Matrix::upload(rows, device)?))
}

/// The training nodes of an SF loss: ids, labels and the sizes `N`, `K`.
#[derive(Debug)]
pub struct SfTargets {
    /// Training node ids (host, for the scatter).
    pub train: Vec<u32>,
    /// The same ids on the device (`T x 1`).
    pub train_ids: Tensor,
    /// Their labels on the device (`T x 1`).
    pub labels: Tensor,
    /// Real nodes `N` (virtual node `k` is row `N + k`).
    pub nodes: usize,
    /// Classes `K`.
    pub classes: usize,
}

impl SfTargets {
    /// The training nodes of `task`.
    pub fn new(task: &NodeTask, device: &Device) -> Result<Self> {
        Ok(SfTargets {
            train: task.train.clone(),
            train_ids: id_tensor(device, &task.train)?,
            labels: id_tensor(device, &task.labels_of(&task.train))?,
            nodes: task.num_nodes,
            classes: task.num_classes,
        })
    }
}

/// SF's contrastive loss (Eq. (6)): `logits_ik = <h_i, h_{N+k}> / τ` for training nodes `i`, cross-entropy
/// against `y_i`, mean over the training nodes. `h` is `(N + K) x d`; returns the mean loss (`1 x 1`) and
/// `dL/dh`, which flows into both the real rows and the virtual-node rows ("What trains what").
pub fn sf_loss(h: &Tensor, t: &SfTargets) -> Result<(Tensor, Tensor)> {
    let rows = t.nodes + t.classes;
    let ht = crate::tensor::gather_rows(h, &t.train_ids)?;
    let hv = slice(h, 0, t.nodes..rows)?;
    let logits = matmul(&ht, &hv, false, true)?;
    let logits = if TAU == 1.0 { logits } else { scaled(&logits, 1.0 / TAU)? };
    let (loss, mut grad) = softmax_cross_entropy(&logits, &t.labels, 1.0 / t.train.len() as f32)?;
    if TAU != 1.0 {
        grad = scaled(&grad, 1.0 / TAU)?;
    }
    let grad_ht = matmul(&grad, &hv, false, false)?;
    let grad_hv = matmul(&grad, &ht, true, false)?;
    let mut grad_h = scatter_add_rows(&grad_ht, &t.train, rows)?;
    let virtual_rows: Vec<u32> = (t.nodes as u32..rows as u32).collect();
    add_scaled(&mut grad_h, &scatter_add_rows(&grad_hv, &virtual_rows, rows)?, 1.0)?;
    Ok((reduce(&loss, 0, Reduction::Mean)?, grad_h))
}

/// SF's class probabilities of the real nodes: `softmax_k(<h_i, h_{N+k}> / τ)` (`N x K`).
pub fn sf_probabilities(h: &Tensor, nodes: usize, classes: usize) -> Result<Tensor> {
    let logits = matmul(&slice(h, 0, 0..nodes)?, &slice(h, 0, nodes..nodes + classes)?, false, true)?;
    softmax(&if TAU == 1.0 { logits } else { scaled(&logits, 1.0 / TAU)? }, false)
}

/// The forward-forward loss of one stream (Eq. (8)): `G_i = Σ_d a_id²` over the rows `ids` of `a`, logit
/// `G − θ`, binary cross-entropy against `positive`, times `weight / |ids|`. Returns the weighted mean loss
/// (`1 x 1`) and `dL/da` (`a`'s shape; zero outside `ids`).
pub fn ff_loss(a: &Tensor, ids: &[u32], ids_dev: &Tensor, positive: bool, weight: f32) -> Result<(Tensor, Tensor)> {
    let device = a.device();
    let at = crate::tensor::gather_rows(a, ids_dev)?;
    let g = goodness(&at, false)?;
    let logit = add_row(&g, &device.tensor(1, 1, &[-THETA])?)?;
    let target = device.tensor(ids.len(), 1, &vec![if positive { 1.0 } else { 0.0 }; ids.len()])?;
    let scale = weight / ids.len() as f32;
    let (loss, grad_logit) = bce_with_logits(&logit, &target, scale)?;
    let grad_at = goodness_backward(&at, &grad_logit, false)?;
    let mean = scaled(&reduce(&loss, 0, Reduction::Mean)?, weight)?;
    Ok((mean, scatter_add_rows(&grad_at, ids, a.rows())?))
}

/// The forward-forward score of every row at inference (Eq. (9)): `mean_d a² − θ` (`rows x 1`).
pub fn ff_score(a: &Tensor) -> Result<Tensor> {
    add_row(&goodness(a, true)?, &a.device().tensor(1, 1, &[-THETA])?)
}

/// `s · x` (a new tensor).
pub fn scaled(x: &Tensor, s: f32) -> Result<Tensor> {
    let mut out = x.device().zeros(x.rows(), x.cols())?;
    add_scaled(&mut out, x, s)?;
    Ok(out)
}
