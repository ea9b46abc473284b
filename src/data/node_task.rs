//! A node-classification task cut from a shipped [`Graph`]: features preprocessed as ForwardGNN's loader does
//! (PyG `NormalizeFeatures`, docs/algorithms/forwardgnn.md, Eq. (1)), labels, and one train/validation/test
//! split.
//!
//! Which split: the paper's five folds (`splits_forwardgnn`) where shipped, else Geom-GCN's ten splits, else
//! the Planetoid split where it has validation nodes (as fold 0; folds 1.. are then k-fold splits), else a
//! seeded 64/16/20 k-fold split ([`Graph::kfold_split`], the same permutation for every fold).

use super::graph::{Graph, LABEL_UNKNOWN};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Seed of the node permutation behind the k-fold splits (ForwardGNN's `KFold(random_state = 101)`).
pub const KFOLD_SEED: u64 = 101;

/// Node classification on one graph with one split.
#[derive(Clone, Debug)]
pub struct NodeTask {
    /// Graph id, e.g. `cora-ml`.
    pub name: String,
    /// Nodes `N`.
    pub num_nodes: usize,
    /// Classes `K`.
    pub num_classes: usize,
    /// `N x F` features after `NormalizeFeatures` (identity rows for a graph without features).
    pub features: SparseRows,
    /// Directed edges `(src, dst)`, both directions of every undirected edge.
    pub edges: Vec<(u32, u32)>,
    /// Class per node ([`LABEL_UNKNOWN`] as `u32` where unknown).
    pub labels: Vec<u32>,
    /// Training nodes, ascending.
    pub train: Vec<u32>,
    /// Validation nodes, ascending.
    pub val: Vec<u32>,
    /// Test nodes, ascending.
    pub test: Vec<u32>,
    /// Where the split came from: `forwardgnn`, `geomgcn`, `planetoid` or `kfold`.
    pub split_source: &'static str,
    /// Class names, if stored.
    pub class_names: Vec<String>,
}

impl NodeTask {
    /// The task for split `fold` of `graph` (see the module docs for which split that is).
    pub fn new(graph: &Graph, fold: usize) -> Result<Self> {
        Self::with_kfold_seed(graph, fold, KFOLD_SEED)
    }

    /// [`NodeTask::new`], cutting the k-fold split (a graph without shipped splits) with `seed` instead of
    /// [`KFOLD_SEED`]: an uploaded graph is split with the run's seed.
    pub fn with_kfold_seed(graph: &Graph, fold: usize, seed: u64) -> Result<Self> {
        let bad_fold =
            |n: usize| Error::invalid("fold", format!("{} has {n} splits (0..{}); got {fold}", graph.name, n - 1));
        let counts = Graph::split_counts(&graph.split);
        let (split, split_source) = if !graph.splits_forwardgnn.is_empty() {
            (
                graph.splits_forwardgnn.get(fold).ok_or_else(|| bad_fold(graph.splits_forwardgnn.len()))?.clone(),
                "forwardgnn",
            )
        } else if !graph.splits_geomgcn.is_empty() {
            (graph.splits_geomgcn.get(fold).ok_or_else(|| bad_fold(graph.splits_geomgcn.len()))?.clone(), "geomgcn")
        } else if counts[1] > 0 && counts[2] > 0 && fold == 0 {
            (graph.split.clone(), "planetoid")
        } else {
            (graph.kfold_split(5, fold, &mut Rng::new(seed)), "kfold")
        };
        let pick = |code: u8| -> Vec<u32> {
            (0..graph.num_nodes as u32)
                .filter(|&i| split[i as usize] == code && graph.labels[i as usize] != LABEL_UNKNOWN)
                .collect()
        };
        let (train, val, test) = (pick(1), pick(2), pick(3));
        if train.is_empty() || val.is_empty() || test.is_empty() {
            return Err(Error::invalid(
                "split",
                format!(
                    "{} split {fold}: {} train / {} val / {} test nodes",
                    graph.name,
                    train.len(),
                    val.len(),
                    test.len()
                ),
            ));
        }
        Ok(NodeTask {
            name: graph.name.clone(),
            num_nodes: graph.num_nodes,
            num_classes: graph.num_classes,
            features: normalize_features(graph),
            edges: graph.edges.iter().map(|&[s, d]| (s, d)).collect(),
            labels: graph.labels.iter().map(|&l| l as u32).collect(),
            train,
            val,
            test,
            split_source,
            class_names: graph.class_names.clone(),
        })
    }

    /// Labels of `nodes`.
    pub fn labels_of(&self, nodes: &[u32]) -> Vec<u32> {
        nodes.iter().map(|&i| self.labels[i as usize]).collect()
    }

    /// Fraction of `nodes` whose row of `scores` (`N x K`, row-major) has its maximum at the true class.
    pub fn accuracy(&self, scores: &[f32], nodes: &[u32]) -> f64 {
        let k = self.num_classes;
        let correct = nodes
            .iter()
            .filter(|&&i| {
                let row = &scores[i as usize * k..(i as usize + 1) * k];
                argmax(row) == self.labels[i as usize] as usize
            })
            .count();
        correct as f64 / nodes.len().max(1) as f64
    }
}

/// Index of the largest value (the first on ties; NaN never wins).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (j, &v) in row.iter().enumerate() {
        if v > row[best] || row[best].is_nan() {
            best = j;
        }
    }
    best
}

/// PyG's `NormalizeFeatures` of 0/1 features: subtract the global minimum (0 here), then divide each row by
/// `max(row sum, 1)`. A graph without features gets identity rows (PyG's convention for featureless graphs).
pub(crate) fn normalize_features(graph: &Graph) -> SparseRows {
    let mut out = SparseRows { cols: graph.num_features, ..Default::default() };
    if graph.num_features == 0 {
        out.cols = graph.num_nodes;
        for i in 0..graph.num_nodes {
            out.push_row([(i as u32, 1.0)]);
        }
        return out;
    }
    for r in 0..graph.num_nodes {
        let (a, b) = (graph.feat_indptr[r] as usize, graph.feat_indptr[r + 1] as usize);
        let scale = 1.0 / ((b - a) as f32).max(1.0);
        out.push_row(graph.feat_indices[a..b].iter().map(|&c| (c as u32, scale)));
    }
    out
}

/// Sparse rows on the host: CSR arrays of a `rows x cols` matrix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseRows {
    /// Columns.
    pub cols: usize,
    /// Row pointer (`rows + 1` entries).
    pub indptr: Vec<u32>,
    /// Column ids.
    pub indices: Vec<u32>,
    /// Values.
    pub values: Vec<f32>,
}

impl SparseRows {
    /// Rows.
    pub fn rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// The `(col, value)` entries of row `r`.
    pub fn row(&self, r: usize) -> impl Iterator<Item = (u32, f32)> + '_ {
        let (a, b) = (self.indptr[r] as usize, self.indptr[r + 1] as usize);
        self.indices[a..b].iter().copied().zip(self.values[a..b].iter().copied())
    }

    /// Appends a row of `(col, value)` entries.
    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (u32, f32)>) {
        if self.indptr.is_empty() {
            self.indptr.push(0);
        }
        for (c, v) in entries {
            self.indices.push(c);
            self.values.push(v);
        }
        self.indptr.push(self.indices.len() as u32);
    }

    /// Every row divided by `(its L2 norm + eps)` (ForwardGNN's "LayerNormalization", docs/algorithms/forwardgnn.md,
    /// Eq. (2)).
    pub fn l2_normalized(&self, eps: f32) -> SparseRows {
        let mut out = SparseRows { cols: self.cols, ..Default::default() };
        for r in 0..self.rows() {
            let norm = self.row(r).map(|(_, v)| v * v).sum::<f32>().sqrt();
            out.push_row(self.row(r).map(|(c, v)| (c, v / (norm + eps))));
        }
        out
    }

    /// The dense matrix (tests and tiny graphs).
    pub fn to_dense(&self) -> ndarray::Array2<f32> {
        let mut a = ndarray::Array2::zeros((self.rows(), self.cols));
        for r in 0..self.rows() {
            for (c, v) in self.row(r) {
                a[[r, c as usize]] += v;
            }
        }
        a
    }
}
