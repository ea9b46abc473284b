//! The builders the registry names for ForwardGNN's variants and the GNN backprop baseline.
//! Implements the variant table of docs/algorithms/forwardgnn.md ("The idea"): one function per learner and
//! task, each reading the layer kind and depth from `cfg.graph`; each builder names the equations of that page
//! its learner implements (numbers below are that page's).

use super::backprop::{GnnBackprop, LpBackprop};
use super::ff::{FfMode, ForwardFf};
use super::lp::{ForwardLp, LpTopInput};
use super::lp_pairs::LinkObjective;
use super::sf::ForwardSf;
use super::topdown::{ForwardTopDown, TopDown};
use super::NodeLearner;
use crate::config::RunConfig;
use crate::data::{LinkTask, NodeTask};
use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::Device;

/// Builds a node classifier on a task with weights drawn from the RNG.
pub type NodeBuildFn = fn(&NodeTask, &RunConfig, &Device, &mut Rng) -> Result<Box<dyn NodeLearner>>;
/// Builds a link predictor on a task with weights drawn from the RNG.
pub type LinkBuildFn = fn(&LinkTask, &RunConfig, &Device, &mut Rng) -> Result<Box<dyn NodeLearner>>;

type Learner = Result<Box<dyn NodeLearner>>;

/// SF (Eqs. (6)-(7)), greedy.
pub fn sf(task: &NodeTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    Ok(Box::new(ForwardSf::new(task, cfg.graph.model, cfg.graph.layers, device, rng)?))
}

/// SF-Top-To-Input (Eqs. (12)-(13)).
pub fn sf_top_input(task: &NodeTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    let (kind, layers) = (cfg.graph.model, cfg.graph.layers);
    Ok(Box::new(ForwardTopDown::new(task, TopDown::ToInput, kind, layers, device, rng)?))
}

/// SF-Top-To-Loss (Eq. (14)).
pub fn sf_top_loss(task: &NodeTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    let (kind, layers) = (cfg.graph.model, cfg.graph.layers);
    Ok(Box::new(ForwardTopDown::new(task, TopDown::ToLoss, kind, layers, device, rng)?))
}

/// FF-LA: forward-forward with the label appended to the features (Eqs. (8)-(10)), greedy.
pub fn ff_la(task: &NodeTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    let (kind, layers) = (cfg.graph.model, cfg.graph.layers);
    Ok(Box::new(ForwardFf::new(task, FfMode::LabelAppending, kind, layers, device, rng)?))
}

/// FF-VN: forward-forward with class virtual nodes (Eqs. (8), (9) and (11)), greedy.
pub fn ff_vn(task: &NodeTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    let (kind, layers) = (cfg.graph.model, cfg.graph.layers);
    Ok(Box::new(ForwardFf::new(task, FfMode::VirtualNodes, kind, layers, device, rng)?))
}

/// The GNN trained end to end on node classification (Eq. (20)).
pub fn backprop_nodes(task: &NodeTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    Ok(Box::new(GnnBackprop::new(task, cfg.graph.model, cfg.graph.layers, device, rng)?))
}

/// ForwardGNN-CE: greedy link prediction with BCE on dot-product scores (Eqs. (15)-(16)).
pub fn lp_ce(task: &LinkTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    Ok(Box::new(ForwardLp::new(task, cfg.graph.model, cfg.graph.layers, device, rng)?))
}

/// ForwardGNN-FF: greedy link prediction with the forward-forward objective on edge goodness (Eq. (17)).
pub fn lp_ff(task: &LinkTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    let (kind, layers) = (cfg.graph.model, cfg.graph.layers);
    Ok(Box::new(ForwardLp::with_objective(task, LinkObjective::ForwardForward, kind, layers, device, rng)?))
}

/// ForwardGNN-CE-Top-To-Input: link prediction with every layer learning at once, reading the layer above
/// (Eq. (18)).
pub fn lp_ce_top_input(task: &LinkTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    Ok(Box::new(LpTopInput::new(task, cfg.graph.model, cfg.graph.layers, device, rng)?))
}

/// The GNN trained end to end on link prediction (Eq. (20)).
pub fn backprop_links(task: &LinkTask, cfg: &RunConfig, device: &Device, rng: &mut Rng) -> Learner {
    Ok(Box::new(LpBackprop::new(task, cfg.graph.model, cfg.graph.layers, device, rng)?))
}

/// The link-prediction variants' settings: the run predicts links.
pub fn link_defaults(cfg: &mut RunConfig) {
    cfg.graph.link = true;
}

/// The node variants' settings: ForwardGNN's protocol is `RunConfig::base`'s graph defaults.
pub fn node_defaults(_: &mut RunConfig) {}
