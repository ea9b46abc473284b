//! ForwardGNN-SF ("single forward") trains a GNN's layers greedily, one after another.
//! Implements docs/algorithms/forwardgnn.md, Eqs. (6)-(7) on the graph of Eq. (4) (the paper's Sec. 3.2, Eq. 6,
//! Alg. 2); equation numbers below are that page's. Every layer trains on one virtual-node graph
//! `G' = augment(c = y, M = train)`: `h^ℓ = relu(Conv_ℓ(LN(h^{ℓ-1}), G'))`, loss `CE(<h_i, h_{N+k}> / τ, y_i)`
//! over the training nodes, the input `h^{ℓ-1}` detached. Inference (Eq. (7)):
//! `argmax_k Σ_{ℓ' ≤ ℓ} softmax_k(<h_i, h_{N+k}>)`.

use super::{
    augment_edges, augmented_features, node_mask, paper_adam, rows_input, sf_loss, sf_probabilities, virtual_features,
    EvalScores, NodeLearner, SfTargets, HIDDEN, LN_EPS,
};
use crate::data::NodeTask;
use crate::error::{Error, Result};
use crate::nn::{Features, GnnConv, GnnGraph, GnnKind, Optimizer};
use crate::rng::Rng;
use crate::tensor::{activation, activation_backward, add_scaled, l2_normalize_rows, Activation, Device, Tensor};

/// Greedy SF learner.
#[derive(Debug)]
pub struct ForwardSf {
    layers: Vec<GnnConv>,
    optimizers: Vec<Optimizer>,
    graph: GnnGraph,
    targets: SfTargets,
    /// `LN(h^{ℓ-1})` of the layer being trained (detached).
    input: Features,
    /// `Σ softmax` of the finished layers (`N x K`).
    probability_sum: Option<Tensor>,
}

impl ForwardSf {
    /// `layers` GNN layers `F -> 128 -> ... -> 128`; the virtual features are drawn after the weights (Eq. (4)).
    pub fn new(task: &NodeTask, kind: GnnKind, layers: usize, device: &Device, rng: &mut Rng) -> Result<Self> {
        if layers == 0 {
            return Err(Error::invalid("layers", "ForwardGNN needs at least one layer"));
        }
        let mut convs = Vec::with_capacity(layers);
        for l in 0..layers {
            let inputs = if l == 0 { task.features.cols } else { HIDDEN };
            convs.push(GnnConv::new(kind, device, inputs, HIDDEN, rng)?);
        }
        let v = virtual_features(task, rng);
        let train = node_mask(task.num_nodes, &task.train);
        let edges = augment_edges(task, &task.labels, &train, true);
        Ok(ForwardSf {
            optimizers: (0..layers).map(|_| Optimizer::new(paper_adam())).collect(),
            layers: convs,
            graph: GnnGraph::new(kind, device, task.num_nodes + task.num_classes, &edges)?,
            targets: SfTargets::new(task, device)?,
            input: rows_input(&augmented_features(task, &v, true), device)?,
            probability_sum: None,
        })
    }

    fn output(&self, stage: usize) -> Result<Tensor> {
        activation(&self.layers[stage].infer(&self.graph, &self.input)?, Activation::Relu)
    }

    fn probabilities(&self, stage: usize) -> Result<Tensor> {
        sf_probabilities(&self.output(stage)?, self.targets.nodes, self.targets.classes)
    }
}

impl NodeLearner for ForwardSf {
    fn stages(&self) -> usize {
        self.layers.len()
    }

    fn layers(&self) -> usize {
        self.layers.len()
    }

    fn train_epoch(&mut self, stage: usize) -> Result<Vec<Tensor>> {
        let z = self.layers[stage].forward(&self.graph, self.input.try_clone()?)?;
        let h = activation(&z, Activation::Relu)?;
        let (loss, grad_h) = sf_loss(&h, &self.targets)?;
        // the only backward of the step: into layer `stage`, never past its (detached) input
        self.layers[stage].backward_params(&self.graph, &activation_backward(&z, &grad_h, Activation::Relu)?)?;
        self.optimizers[stage].step(self.layers[stage].params_mut())?;
        Ok(vec![loss])
    }

    fn loss_names(&self, stage: usize) -> Vec<String> {
        vec![format!("layer {}", stage + 1)]
    }

    fn scores(&mut self, stage: usize) -> Result<EvalScores> {
        let mut p = self.probabilities(stage)?;
        if let Some(sum) = &self.probability_sum {
            add_scaled(&mut p, sum, 1.0)?;
        }
        Ok(EvalScores { val: p, test: None })
    }

    fn finish_stage(&mut self, stage: usize) -> Result<()> {
        let h = self.output(stage)?;
        let p = sf_probabilities(&h, self.targets.nodes, self.targets.classes)?;
        match &mut self.probability_sum {
            Some(sum) => add_scaled(sum, &p, 1.0)?,
            None => self.probability_sum = Some(p),
        }
        self.input = Features::from(l2_normalize_rows(&h, LN_EPS)?);
        Ok(())
    }

    fn gnn_layers(&mut self) -> &mut [GnnConv] {
        &mut self.layers
    }

    fn optimizers(&mut self) -> &mut [Optimizer] {
        &mut self.optimizers
    }
}
