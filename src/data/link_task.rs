//! A link-prediction task cut from a shipped [`Graph`] as ForwardGNN does with PyG's `RandomLinkSplit`
//! (docs/algorithms/forwardgnn.md, "Protocol and hyper-parameters"): the undirected edges are shuffled (seed
//! `101 · fold`) into 64 % train, 16 % validation and 20 % test positives; one fixed draw of as many non-edges as
//! positives gives the 1:1 negatives of each split. Message passing uses the training positives (both directions) for
//! training and validation, and training ∪ validation positives at test time.

use super::graph::Graph;
use super::node_task::{normalize_features, SparseRows};
use crate::error::{Error, Result};
use crate::rng::Rng;
use std::collections::HashSet;

/// Labelled node pairs: `(u, v)` and 1 (edge) or 0 (non-edge).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelledPairs {
    /// The pairs.
    pub pairs: Vec<(u32, u32)>,
    /// 1.0 for an edge, 0.0 for a sampled non-edge.
    pub labels: Vec<f32>,
}

/// Link prediction on one graph with one edge split.
#[derive(Clone, Debug)]
pub struct LinkTask {
    /// Graph id.
    pub name: String,
    /// Nodes.
    pub num_nodes: usize,
    /// `N x F` features after `NormalizeFeatures`.
    pub features: SparseRows,
    /// Message-passing edges for training and validation (training positives, both directions).
    pub train_graph: Vec<(u32, u32)>,
    /// Message-passing edges at test time (training and validation positives, both directions).
    pub test_graph: Vec<(u32, u32)>,
    /// Training pairs (positives once, plus as many negatives).
    pub train: LabelledPairs,
    /// Validation pairs.
    pub val: LabelledPairs,
    /// Test pairs.
    pub test: LabelledPairs,
}

fn both_ways(edges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    edges.iter().flat_map(|&(u, v)| [(u, v), (v, u)]).collect()
}

impl LinkTask {
    /// The edge split `fold` of `graph`.
    pub fn new(graph: &Graph, fold: usize) -> Result<Self> {
        let mut undirected: Vec<(u32, u32)> =
            graph.edges.iter().filter(|e| e[0] < e[1]).map(|e| (e[0], e[1])).collect();
        let e = undirected.len();
        let (n_val, n_test) = ((0.16 * e as f64) as usize, (0.2 * e as f64) as usize);
        if e < 10 || e - n_val - n_test == 0 || n_val == 0 || n_test == 0 {
            return Err(Error::invalid("link split", format!("{} has only {e} edges", graph.name)));
        }
        let mut rng = Rng::new(101 * fold as u64 + 1);
        let order = rng.permutation(e);
        undirected = order.into_iter().map(|i| undirected[i]).collect();
        let (val, rest) = undirected.split_at(n_val);
        let (test, train) = rest.split_at(n_test);
        // one draw of as many non-edges as positives, split like the positives (fixed for the whole run)
        let n = graph.num_nodes as u32;
        let existing: HashSet<(u32, u32)> = undirected.iter().copied().collect();
        let possible = (n as u64) * (n as u64 - 1) / 2 - e as u64;
        if possible < e as u64 {
            return Err(Error::invalid("link split", format!("{} is too dense for 1:1 negatives", graph.name)));
        }
        let mut negatives = Vec::with_capacity(e);
        let mut seen = HashSet::with_capacity(e);
        while negatives.len() < e {
            let (a, b) = (rng.below(n as usize) as u32, rng.below(n as usize) as u32);
            let pair = (a.min(b), a.max(b));
            if a != b && !existing.contains(&pair) && seen.insert(pair) {
                negatives.push(pair);
            }
        }
        let (neg_val, neg_rest) = negatives.split_at(n_val);
        let (neg_test, neg_train) = neg_rest.split_at(n_test);
        let labelled = |pos: &[(u32, u32)], neg: &[(u32, u32)]| LabelledPairs {
            pairs: pos.iter().chain(neg).copied().collect(),
            labels: std::iter::repeat_n(1.0, pos.len()).chain(std::iter::repeat_n(0.0, neg.len())).collect(),
        };
        let train_val: Vec<(u32, u32)> = train.iter().chain(val).copied().collect();
        Ok(LinkTask {
            name: graph.name.clone(),
            num_nodes: graph.num_nodes,
            features: normalize_features(graph),
            train_graph: both_ways(train),
            test_graph: both_ways(&train_val),
            train: labelled(train, neg_train),
            val: labelled(val, neg_val),
            test: labelled(test, neg_test),
        })
    }
}

/// ROC-AUC of `scores` against 0/1 `labels` (the probability that a random positive outscores a random
/// negative; ties count one half), as sklearn's `roc_auc_score`.
pub fn roc_auc(scores: &[f32], labels: &[f32]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // average ranks over ties
    let mut ranks = vec![0.0f64; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    let positives = labels.iter().filter(|&&l| l > 0.5).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return f64::NAN;
    }
    let rank_sum: f64 = labels.iter().zip(&ranks).filter(|(l, _)| **l > 0.5).map(|(_, r)| r).sum();
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_pairs_and_half_ties() {
        assert_eq!(roc_auc(&[0.1, 0.4, 0.35, 0.8], &[0.0, 0.0, 1.0, 1.0]), 0.75);
        assert_eq!(roc_auc(&[0.5, 0.5], &[1.0, 0.0]), 0.5);
        assert_eq!(roc_auc(&[0.9, 0.1], &[1.0, 0.0]), 1.0);
    }
}
