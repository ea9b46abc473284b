//! One interface over the three graph layers ForwardGNN trains (docs/algorithms/forwardgnn.md, Eq. (3)):
//! [`GnnKind`] picks GCN, SAGE or GAT; [`GnnGraph`] is the propagation structure that kind needs for one edge
//! list; [`GnnConv`] is a layer of that kind (without its ReLU).

use super::{FeatureBlock, Features, GatConv, GcnConv, Param, SageConv, SharedProducts};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{slice, Csr, Device, GatGraph, Tensor};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// Heads of a ForwardGNN GAT layer (`GATConv(in, out / 4, heads = 4)`).
pub const GAT_HEADS: usize = 4;

/// The graph layer family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GnnKind {
    /// `GCNConv`: symmetric normalisation with self-loops.
    #[default]
    Gcn,
    /// `SAGEConv(aggr = "mean")`: neighbour mean plus a root weight.
    Sage,
    /// `GATConv` with 4 concatenated heads.
    Gat,
}

impl GnnKind {
    /// Parses `gcn`, `sage` or `gat`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "gcn" => Ok(GnnKind::Gcn),
            "sage" | "graphsage" => Ok(GnnKind::Sage),
            "gat" => Ok(GnnKind::Gat),
            other => Err(Error::invalid("model", format!("`{other}` is not a graph layer (use gcn, sage or gat)"))),
        }
    }

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            GnnKind::Gcn => "gcn",
            GnnKind::Sage => "sage",
            GnnKind::Gat => "gat",
        }
    }
}

/// The propagation structure of one edge list for one layer kind.
#[allow(clippy::large_enum_variant)] // a few per run
pub enum GnnGraph {
    /// `Â = D^-1/2 (A + I) D^-1/2` (rows = destinations).
    Gcn(Csr),
    /// The mean over incoming edges.
    Sage(Csr),
    /// Edge lists for attention (self-loops replaced by one per node).
    Gat(GatGraph),
}

impl std::fmt::Debug for GnnGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GnnGraph::Gcn(a) | GnnGraph::Sage(a) => write!(f, "GnnGraph({a:?})"),
            GnnGraph::Gat(g) => write!(f, "GnnGraph(GAT, {} nodes, {} edges)", g.nodes(), g.edges()),
        }
    }
}

impl GnnGraph {
    /// Builds the structure of `edges` (`src -> dst`) on `nodes` nodes.
    pub fn new(kind: GnnKind, device: &Device, nodes: usize, edges: &[(u32, u32)]) -> Result<Self> {
        Ok(match kind {
            GnnKind::Gcn => GnnGraph::Gcn(Csr::gcn_normalized(device, nodes, edges)?),
            GnnKind::Sage => GnnGraph::Sage(Csr::mean_aggregation(device, nodes, edges)?),
            GnnKind::Gat => GnnGraph::Gat(GatGraph::new(device, nodes, edges)?),
        })
    }
}

/// A graph layer `Z = conv(X, graph)` of one kind.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // a few per run
pub enum GnnConv {
    /// GCN.
    Gcn(GcnConv),
    /// GraphSAGE.
    Sage(SageConv),
    /// GAT (4 heads of `out / 4`, concatenated).
    Gat(GatConv),
}

fn wrong_graph() -> Error {
    Error::invalid("graph layer", "the graph structure was built for another layer kind")
}

impl GnnConv {
    /// A layer `inputs -> outputs` with PyG's initialisation (GAT: `outputs` must be a multiple of 4).
    pub fn new(kind: GnnKind, device: &Device, inputs: usize, outputs: usize, rng: &mut Rng) -> Result<Self> {
        Ok(match kind {
            GnnKind::Gcn => GnnConv::Gcn(GcnConv::new(device, inputs, outputs, rng)?),
            GnnKind::Sage => GnnConv::Sage(SageConv::new(device, inputs, outputs, rng)?),
            GnnKind::Gat => {
                if !outputs.is_multiple_of(GAT_HEADS) {
                    return Err(Error::invalid("GAT", format!("width {outputs} is not a multiple of {GAT_HEADS}")));
                }
                GnnConv::Gat(GatConv::new(device, inputs, GAT_HEADS, outputs / GAT_HEADS, rng)?)
            }
        })
    }

    /// The output, caching what [`GnnConv::backward`] needs.
    pub fn forward(&mut self, graph: &GnnGraph, x: Features) -> Result<Tensor> {
        match (self, graph) {
            (GnnConv::Gcn(l), GnnGraph::Gcn(g)) => l.forward_features(g, x),
            (GnnConv::Sage(l), GnnGraph::Sage(g)) => l.forward_features(g, x),
            (GnnConv::Gat(l), GnnGraph::Gat(g)) => l.forward_features(g, x),
            _ => Err(wrong_graph()),
        }
    }

    /// The output without caching.
    pub fn infer(&self, graph: &GnnGraph, x: &Features) -> Result<Tensor> {
        match (self, graph) {
            (GnnConv::Gcn(l), GnnGraph::Gcn(g)) => l.infer_features(g, x),
            (GnnConv::Sage(l), GnnGraph::Sage(g)) => l.infer_features(g, x),
            (GnnConv::Gat(l), GnnGraph::Gat(g)) => l.infer_features(g, x),
            _ => Err(wrong_graph()),
        }
    }

    /// A fixed leading input block multiplied once by the leading rows of each weight: `[lead || rest]` then
    /// infers as `[project(lead) || rest]` with the same result (the block-wise sum runs in the same order)
    /// while only `rest` is multiplied again. Valid until the weights change.
    pub fn project(&self, lead: &Features) -> Result<FeatureBlock> {
        let cols = lead.cols();
        let products =
            self.weights().into_iter().map(|w| lead.matmul(&slice(w, 0, 0..cols)?)).collect::<Result<_>>()?;
        Ok(FeatureBlock::Projected { cols, products: Rc::new(products) })
    }

    /// The input weights in [`Features::matmul_nth`] order.
    pub fn weights(&self) -> Vec<&Tensor> {
        match self {
            GnnConv::Gcn(l) => vec![&l.weight.value],
            GnnConv::Sage(l) => l.weights().to_vec(),
            GnnConv::Gat(l) => vec![&l.weight.value],
        }
    }

    /// `x` with its shared blocks multiplied by this layer's current weights once per `cache`
    /// ([`Features::with_shared_products`]): streams that read the same matrix share the product.
    pub fn share_products(&self, x: &Features, cache: &mut SharedProducts) -> Result<Features> {
        x.with_shared_products(&self.weights(), cache)
    }

    /// Accumulates the parameter gradients from `dL/dZ` and returns `dL/dX` (the input must have been dense).
    pub fn backward(&mut self, graph: &GnnGraph, grad_z: &Tensor) -> Result<Tensor> {
        match (self, graph) {
            (GnnConv::Gcn(l), GnnGraph::Gcn(g)) => l.backward(g, grad_z),
            (GnnConv::Sage(l), GnnGraph::Sage(g)) => l.backward(g, grad_z),
            (GnnConv::Gat(l), GnnGraph::Gat(g)) => l.backward(g, grad_z),
            _ => Err(wrong_graph()),
        }
    }

    /// Accumulates the parameter gradients only: the input is detached.
    pub fn backward_params(&mut self, graph: &GnnGraph, grad_z: &Tensor) -> Result<()> {
        match (self, graph) {
            (GnnConv::Gcn(l), GnnGraph::Gcn(g)) => l.backward_params(g, grad_z),
            (GnnConv::Sage(l), GnnGraph::Sage(g)) => l.backward_params(g, grad_z),
            (GnnConv::Gat(l), GnnGraph::Gat(g)) => l.backward_params(g, grad_z),
            _ => Err(wrong_graph()),
        }
    }

    /// The parameters, in a fixed order.
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        match self {
            GnnConv::Gcn(l) => l.params_mut().into_iter().collect(),
            GnnConv::Sage(l) => l.params_mut().into_iter().collect(),
            GnnConv::Gat(l) => l.params_mut().into_iter().collect(),
        }
    }

    /// The names of [`GnnConv::params_mut`], in its order (PyTorch Geometric's where it has them).
    pub fn param_names(&self) -> &'static [&'static str] {
        match self {
            GnnConv::Gcn(_) => &["weight", "bias"],
            GnnConv::Sage(_) => &["weight_neighbors", "weight_root", "bias"],
            GnnConv::Gat(_) => &["weight", "att_src", "att_dst", "bias"],
        }
    }

    /// Number of trainable scalars.
    pub fn parameter_count(&mut self) -> usize {
        self.params_mut().iter().map(|p| p.len()).sum()
    }

    /// Copies of the parameter values (an early-stopping checkpoint).
    pub fn snapshot(&mut self) -> Result<Vec<Tensor>> {
        self.params_mut().iter().map(|p| p.value.try_clone()).collect()
    }

    /// Restores a [`GnnConv::snapshot`].
    pub fn restore(&mut self, values: &[Tensor]) -> Result<()> {
        let mut params = self.params_mut();
        if params.len() != values.len() {
            return Err(Error::invalid("restore", "checkpoint of another layer"));
        }
        for (p, v) in params.iter_mut().zip(values) {
            p.value = v.try_clone()?;
            p.grad = None;
        }
        Ok(())
    }
}
