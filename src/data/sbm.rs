//! A seeded stochastic block model with block-correlated binary features: graphs of any size, for scaling
//! benchmarks (ForwardGNN issue: 10^2 to 10^6 edges) and tests.
//!
//! `N` nodes in `C` equal blocks (the classes). Each undirected edge joins a uniformly drawn node to a partner
//! from the same block with probability `homophily`, else to any node; duplicates and self loops are dropped, so
//! the graph has close to (at most) the requested number of undirected edges. Node `i` of block `b` has
//! feature `j` (of `C · per_class` features) with probability 0.2 when `j` belongs to block `b`'s group, 0.02
//! otherwise: the features alone predict the class, the edges help.

use super::{Graph, LABEL_UNKNOWN};
use crate::rng::Rng;

/// Sizes and mixing of a synthetic graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SbmOptions {
    /// Nodes.
    pub nodes: usize,
    /// Undirected edges to draw (before removing duplicates).
    pub edges: usize,
    /// Blocks = classes.
    pub classes: usize,
    /// Feature columns per class.
    pub features_per_class: usize,
    /// Probability that an edge stays inside its block.
    pub homophily: f32,
}

/// Draws a graph; the fixed split is empty (use [`Graph::kfold_split`]).
pub fn stochastic_block_model(o: &SbmOptions, rng: &mut Rng) -> Graph {
    let (n, c) = (o.nodes.max(2), o.classes.clamp(1, LABEL_UNKNOWN as usize - 1));
    let labels: Vec<u8> = (0..n).map(|i| (i * c / n) as u8).collect();
    let block_start = |b: usize| (b * n).div_ceil(c);
    let mut pairs: Vec<[u32; 2]> = Vec::with_capacity(2 * o.edges);
    for _ in 0..o.edges {
        let u = rng.below(n);
        let v = if rng.uniform(0.0, 1.0) < o.homophily {
            let b = labels[u] as usize;
            let (lo, hi) = (block_start(b), block_start(b + 1).min(n));
            lo + rng.below(hi - lo)
        } else {
            rng.below(n)
        };
        if u != v {
            pairs.push([u as u32, v as u32]);
            pairs.push([v as u32, u as u32]);
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let f = c * o.features_per_class.max(1);
    let mut feat_indptr = vec![0u32];
    let mut feat_indices: Vec<u16> = Vec::new();
    for &label in &labels {
        let own = label as usize * o.features_per_class.max(1)..(label as usize + 1) * o.features_per_class.max(1);
        for j in 0..f.min(u16::MAX as usize) {
            let p = if own.contains(&j) { 0.2 } else { 0.02 };
            if rng.uniform(0.0, 1.0) < p {
                feat_indices.push(j as u16);
            }
        }
        feat_indptr.push(feat_indices.len() as u32);
    }
    Graph {
        name: format!("sbm-{n}-{}", pairs.len() / 2),
        num_nodes: n,
        edges: pairs,
        num_features: f,
        feat_indptr,
        feat_indices,
        num_classes: c,
        labels,
        split: vec![0; n],
        splits_forwardgnn: Vec::new(),
        splits_geomgcn: Vec::new(),
        class_names: Vec::new(),
    }
}
