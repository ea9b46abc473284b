//! The backprop baseline of ForwardGNN: a GNN trained end to end, for nodes and for links.
//! Implements docs/algorithms/forwardgnn.md, Eq. (20), with the Adam of Eq. (21) and, for links, the loss of
//! Eq. (15); equation numbers below are that page's.
//!
//! [`GnnBackprop`] is the node-classification baseline: PyG's `GCN` / `GraphSAGE` / `GAT(heads = 4)` with hidden
//! width 128, `F -> 128 -> ... -> K` (one layer: `F -> K`), ReLU after every layer but the last, no dropout,
//! no normalisation, on the original graph and the `NormalizeFeatures` input. GAT's last layer averages its 4
//! heads of K outputs (`concat = False`). Cross-entropy on the training nodes, one Adam over all parameters
//! (lr 1e-3, weight decay 5e-4), the gradient flowing end to end.
//!
//! [`LpBackprop`] is the link-prediction baseline: `F -> 128 -> ... -> 128` (GAT: 4 x 32 concatenated), no
//! ReLU after the last layer, BCE on dot-product scores of the training pairs (Eq. (15)).

use super::lp::{check_layers, LinkData};
use super::{id_tensor, paper_adam, EvalScores, NodeLearner, HIDDEN};
use crate::data::{LinkTask, NodeTask};
use crate::error::{Error, Result};
use crate::nn::{Features, GatConv, GnnConv, GnnGraph, GnnKind, Matrix, Optimizer, GAT_HEADS};
use crate::rng::Rng;
use crate::tensor::{
    activation, activation_backward, gather_rows, matmul, reduce, scatter_add_rows, softmax_cross_entropy, Activation,
    Device, Reduction, Tensor,
};

/// End-to-end backprop through a GNN.
#[derive(Debug)]
pub struct GnnBackprop {
    layers: Vec<GnnConv>,
    optimizer: Optimizer,
    graph: GnnGraph,
    input: Features,
    /// GAT only: `(4 K) x K` averaging the last layer's heads.
    head_mean: Option<Tensor>,
    train: Vec<u32>,
    train_ids: Tensor,
    labels: Tensor,
    nodes: usize,
}

impl GnnBackprop {
    /// `layers` layers of `kind`.
    pub fn new(task: &NodeTask, kind: GnnKind, layers: usize, device: &Device, rng: &mut Rng) -> Result<Self> {
        if layers == 0 {
            return Err(Error::invalid("layers", "a GNN needs at least one layer"));
        }
        let k = task.num_classes;
        let mut convs = Vec::with_capacity(layers);
        for l in 0..layers {
            let inputs = if l == 0 { task.features.cols } else { HIDDEN };
            let last = l + 1 == layers;
            convs.push(match (kind, last) {
                (GnnKind::Gat, true) => GnnConv::Gat(GatConv::new(device, inputs, GAT_HEADS, k, rng)?),
                (_, true) => GnnConv::new(kind, device, inputs, k, rng)?,
                (_, false) => GnnConv::new(kind, device, inputs, HIDDEN, rng)?,
            });
        }
        let head_mean = if kind == GnnKind::Gat {
            let mut m = vec![0.0f32; GAT_HEADS * k * k];
            for h in 0..GAT_HEADS {
                for c in 0..k {
                    m[(h * k + c) * k + c] = 1.0 / GAT_HEADS as f32;
                }
            }
            Some(device.tensor(GAT_HEADS * k, k, &m)?)
        } else {
            None
        };
        Ok(GnnBackprop {
            layers: convs,
            optimizer: Optimizer::new(paper_adam()),
            graph: GnnGraph::new(kind, device, task.num_nodes, &task.edges)?,
            input: Features::from(Matrix::upload(&task.features, device)?),
            head_mean,
            train: task.train.clone(),
            train_ids: id_tensor(device, &task.train)?,
            labels: id_tensor(device, &task.labels_of(&task.train))?,
            nodes: task.num_nodes,
        })
    }

    /// Logits of every node; with `train`, layers cache for the backward. Returns `(pre-activations, logits)`.
    fn run(&mut self, train: bool) -> Result<(Vec<Tensor>, Tensor)> {
        let mut pre = Vec::with_capacity(self.layers.len());
        let mut x = self.input.try_clone()?;
        let last = self.layers.len() - 1;
        for l in 0..=last {
            let z =
                if train { self.layers[l].forward(&self.graph, x)? } else { self.layers[l].infer(&self.graph, &x)? };
            if l == last {
                let logits = match &self.head_mean {
                    Some(m) => matmul(&z, m, false, false)?,
                    None => z,
                };
                return Ok((pre, logits));
            }
            x = Features::from(activation(&z, Activation::Relu)?);
            pre.push(z);
        }
        Err(Error::invalid("backprop", "no layers"))
    }
}

impl NodeLearner for GnnBackprop {
    fn stages(&self) -> usize {
        1
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }

    fn train_epoch(&mut self, _stage: usize) -> Result<Vec<Tensor>> {
        let (pre, logits) = self.run(true)?;
        let picked = gather_rows(&logits, &self.train_ids)?;
        let (loss, grad) = softmax_cross_entropy(&picked, &self.labels, 1.0 / self.train.len() as f32)?;
        let mut grad = scatter_add_rows(&grad, &self.train, self.nodes)?;
        if let Some(m) = &self.head_mean {
            grad = matmul(&grad, m, false, true)?;
        }
        for l in (0..self.layers.len()).rev() {
            if l == 0 {
                self.layers[0].backward_params(&self.graph, &grad)?;
            } else {
                let grad_x = self.layers[l].backward(&self.graph, &grad)?;
                grad = activation_backward(&pre[l - 1], &grad_x, Activation::Relu)?;
            }
        }
        let params = self.layers.iter_mut().flat_map(GnnConv::params_mut).collect();
        self.optimizer.step(params)?;
        Ok(vec![reduce(&loss, 0, Reduction::Mean)?])
    }

    fn loss_names(&self, _stage: usize) -> Vec<String> {
        vec!["cross-entropy".into()]
    }

    fn scores(&mut self, _stage: usize) -> Result<EvalScores> {
        Ok(EvalScores { val: self.run(false)?.1, test: None })
    }

    fn gnn_layers(&mut self) -> &mut [GnnConv] {
        &mut self.layers
    }

    fn optimizers(&mut self) -> &mut [Optimizer] {
        std::slice::from_mut(&mut self.optimizer)
    }
}

/// Backprop through the whole GNN for link prediction (PyG's models with `out_channels = None`).
#[derive(Debug)]
pub struct LpBackprop {
    layers: Vec<GnnConv>,
    optimizer: Optimizer,
    data: LinkData,
    x: Features,
}

impl LpBackprop {
    /// `layers` layers of `kind`, all 128 wide.
    pub fn new(task: &LinkTask, kind: GnnKind, layers: usize, device: &Device, rng: &mut Rng) -> Result<Self> {
        check_layers(layers)?;
        let mut convs = Vec::with_capacity(layers);
        for l in 0..layers {
            let inputs = if l == 0 { task.features.cols } else { HIDDEN };
            convs.push(match kind {
                GnnKind::Gat => GnnConv::Gat(GatConv::new(device, inputs, GAT_HEADS, HIDDEN / GAT_HEADS, rng)?),
                _ => GnnConv::new(kind, device, inputs, HIDDEN, rng)?,
            });
        }
        Ok(LpBackprop {
            layers: convs,
            optimizer: Optimizer::new(paper_adam()),
            data: LinkData::new(task, kind, device)?,
            x: Features::from(crate::nn::Matrix::upload(&task.features, device)?),
        })
    }

    fn run(&mut self, s: usize, train: bool) -> Result<(Vec<Tensor>, Tensor)> {
        let mut pre = Vec::new();
        let mut x = self.x.try_clone()?;
        let last = self.layers.len() - 1;
        for l in 0..=last {
            let graph = self.data.graph(s);
            let z = if train { self.layers[l].forward(graph, x)? } else { self.layers[l].infer(graph, &x)? };
            if l == last {
                return Ok((pre, z));
            }
            x = Features::from(activation(&z, Activation::Relu)?);
            pre.push(z);
        }
        Err(Error::invalid("backprop", "no layers"))
    }
}

impl NodeLearner for LpBackprop {
    fn stages(&self) -> usize {
        1
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }

    fn train_epoch(&mut self, _stage: usize) -> Result<Vec<Tensor>> {
        let (pre, z) = self.run(0, true)?;
        let (loss, mut grad) = self.data.train.loss(&z)?;
        for l in (0..self.layers.len()).rev() {
            if l == 0 {
                self.layers[0].backward_params(&self.data.train_graph, &grad)?;
            } else {
                let grad_x = self.layers[l].backward(&self.data.train_graph, &grad)?;
                grad = activation_backward(&pre[l - 1], &grad_x, Activation::Relu)?;
            }
        }
        let params = self.layers.iter_mut().flat_map(GnnConv::params_mut).collect();
        self.optimizer.step(params)?;
        Ok(vec![loss])
    }

    fn loss_names(&self, _stage: usize) -> Vec<String> {
        vec!["binary cross-entropy".into()]
    }

    fn scores(&mut self, stage: usize) -> Result<EvalScores> {
        let val = self.split_scores(stage, 0)?.ok_or_else(|| Error::invalid("link", "no scores"))?;
        Ok(EvalScores { val, test: self.split_scores(stage, 1)? })
    }

    fn split_scores(&mut self, _stage: usize, split: usize) -> Result<Option<Tensor>> {
        let z = self.run(split, false)?.1;
        self.data.eval[split].probabilities(&z).map(Some)
    }

    fn gnn_layers(&mut self) -> &mut [GnnConv] {
        &mut self.layers
    }

    fn optimizers(&mut self) -> &mut [Optimizer] {
        std::slice::from_mut(&mut self.optimizer)
    }
}
