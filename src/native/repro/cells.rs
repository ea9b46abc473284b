//! The ForwardGNN paper's tables (node classification: arXiv v1 App. E, Tables 3(a), 4(a), 5; link prediction:
//! Tables 9(a), 10(a), 10(b)) and the [`Cell`] a run fills: what `repro forwardgnn` prints and what `--merge`
//! pools, so that neither imports the other.

use serde_json::json;

/// `(dataset, algorithm, model, [(mean, std); L = 1..4])`, in percent.
type PaperRow = (&'static str, &'static str, &'static str, [(f64, f64); 4]);

/// Node classification (Tables 3(a), 4(a), 5): the paper's cells for the three shipped ForwardGNN graphs (SymBa,
/// CaFo and PEPITA have no reference code; docs/algorithms/forwardgnn.md, "Where the paper is silent").
pub const PAPER: &[PaperRow] = &[
    ("amazon-photo", "backprop", "gcn", [(45.83, 0.4), (64.88, 16.1), (91.03, 1.3), (90.21, 2.2)]),
    ("amazon-photo", "forwardgnn-ff-la", "gcn", [(91.20, 1.0), (48.54, 10.4), (48.08, 10.5), (49.74, 10.5)]),
    ("amazon-photo", "forwardgnn-ff-vn", "gcn", [(22.69, 1.6), (26.43, 4.5), (22.92, 3.8), (20.84, 3.3)]),
    ("amazon-photo", "forwardgnn-sf", "gcn", [(93.67, 0.6), (93.73, 0.4), (93.48, 0.2), (93.48, 0.3)]),
    ("amazon-photo", "forwardgnn-sf-top-loss", "gcn", [(93.76, 0.5), (83.18, 3.8), (60.43, 6.9), (47.40, 2.9)]),
    ("amazon-photo", "forwardgnn-sf-top-input", "gcn", [(93.19, 0.6), (92.88, 0.7), (92.16, 0.7), (92.30, 0.6)]),
    ("amazon-photo", "backprop", "sage", [(33.79, 6.9), (91.58, 0.9), (94.55, 0.4), (93.27, 0.4)]),
    ("amazon-photo", "forwardgnn-ff-la", "sage", [(88.95, 1.1), (88.80, 1.3), (88.80, 1.3), (88.75, 1.2)]),
    ("amazon-photo", "forwardgnn-ff-vn", "sage", [(76.44, 2.3), (80.93, 1.9), (82.44, 2.0), (82.80, 2.4)]),
    ("amazon-photo", "forwardgnn-sf", "sage", [(92.90, 0.3), (93.63, 0.4), (93.70, 0.4), (93.71, 0.3)]),
    ("amazon-photo", "forwardgnn-sf-top-loss", "sage", [(93.01, 0.8), (87.88, 2.4), (87.62, 1.9), (84.92, 1.8)]),
    ("amazon-photo", "forwardgnn-sf-top-input", "sage", [(92.18, 0.9), (92.99, 0.9), (93.28, 0.8), (92.92, 0.8)]),
    ("amazon-photo", "backprop", "gat", [(37.63, 5.4), (46.54, 16.1), (90.33, 1.7), (89.33, 0.7)]),
    ("amazon-photo", "forwardgnn-ff-la", "gat", [(90.93, 1.2), (39.28, 16.0), (39.05, 16.0), (39.74, 16.0)]),
    ("amazon-photo", "forwardgnn-ff-vn", "gat", [(47.65, 28.5), (49.40, 27.9), (50.20, 28.3), (50.16, 28.6)]),
    ("amazon-photo", "forwardgnn-sf", "gat", [(60.07, 1.4), (87.02, 0.7), (90.18, 0.6), (90.68, 0.8)]),
    ("amazon-photo", "forwardgnn-sf-top-loss", "gat", [(63.14, 3.1), (90.26, 1.1), (90.73, 1.1), (91.46, 0.9)]),
    ("amazon-photo", "forwardgnn-sf-top-input", "gat", [(89.96, 0.9), (90.55, 1.6), (91.53, 1.1), (91.10, 1.0)]),
    ("citeseer-full", "backprop", "gcn", [(84.28, 3.0), (94.28, 0.7), (94.89, 0.8), (94.87, 0.5)]),
    ("citeseer-full", "forwardgnn-ff-la", "gcn", [(95.39, 0.4), (95.86, 0.7), (95.89, 0.6), (95.89, 0.6)]),
    ("citeseer-full", "forwardgnn-ff-vn", "gcn", [(43.22, 14.2), (53.31, 10.7), (52.81, 10.4), (54.28, 11.2)]),
    ("citeseer-full", "forwardgnn-sf", "gcn", [(92.60, 0.7), (94.18, 0.7), (94.33, 0.7), (94.66, 0.6)]),
    ("citeseer-full", "forwardgnn-sf-top-loss", "gcn", [(92.62, 0.4), (94.11, 0.5), (94.56, 0.5), (94.02, 0.7)]),
    ("citeseer-full", "forwardgnn-sf-top-input", "gcn", [(94.30, 0.4), (94.78, 0.2), (94.87, 0.5), (94.96, 0.7)]),
    ("citeseer-full", "backprop", "sage", [(87.28, 0.9), (94.56, 0.8), (95.20, 0.7), (95.20, 0.7)]),
    ("citeseer-full", "forwardgnn-ff-la", "sage", [(95.41, 0.7), (95.53, 0.6), (95.58, 0.8), (95.63, 0.7)]),
    ("citeseer-full", "forwardgnn-ff-vn", "sage", [(89.95, 1.0), (93.85, 0.6), (95.39, 0.6), (95.56, 0.7)]),
    ("citeseer-full", "forwardgnn-sf", "sage", [(79.88, 2.1), (89.60, 1.8), (92.27, 1.1), (92.74, 1.0)]),
    ("citeseer-full", "forwardgnn-sf-top-loss", "sage", [(79.39, 1.7), (92.51, 0.7), (94.02, 0.8), (93.43, 0.9)]),
    ("citeseer-full", "forwardgnn-sf-top-input", "sage", [(90.57, 0.5), (93.90, 0.5), (93.40, 0.7), (93.22, 0.7)]),
    ("citeseer-full", "backprop", "gat", [(79.17, 1.5), (94.18, 0.7), (94.78, 1.0), (94.49, 0.8)]),
    ("citeseer-full", "forwardgnn-ff-la", "gat", [(95.34, 0.4), (95.48, 0.6), (95.27, 0.5), (95.37, 0.6)]),
    ("citeseer-full", "forwardgnn-ff-vn", "gat", [(90.99, 1.2), (94.04, 1.0), (95.48, 0.6), (95.39, 0.6)]),
    ("citeseer-full", "forwardgnn-sf", "gat", [(82.06, 2.4), (93.33, 0.9), (93.78, 1.1), (94.21, 1.0)]),
    ("citeseer-full", "forwardgnn-sf-top-loss", "gat", [(81.21, 2.6), (91.96, 0.8), (92.03, 0.7), (91.89, 0.8)]),
    ("citeseer-full", "forwardgnn-sf-top-input", "gat", [(91.16, 0.8), (94.02, 0.7), (93.95, 0.8), (93.83, 0.6)]),
    ("cora-ml", "backprop", "gcn", [(31.72, 4.8), (86.84, 1.0), (88.65, 1.4), (86.61, 2.3)]),
    ("cora-ml", "forwardgnn-ff-la", "gcn", [(81.74, 1.9), (63.77, 2.7), (63.71, 2.7), (64.54, 3.0)]),
    ("cora-ml", "forwardgnn-ff-vn", "gcn", [(28.61, 1.9), (28.11, 3.2), (27.25, 3.5), (25.81, 4.6)]),
    ("cora-ml", "forwardgnn-sf", "gcn", [(87.75, 1.4), (87.95, 1.4), (88.15, 1.5), (88.48, 1.2)]),
    ("cora-ml", "forwardgnn-sf-top-loss", "gcn", [(87.55, 1.4), (84.07, 0.9), (85.64, 1.6), (84.67, 2.6)]),
    ("cora-ml", "forwardgnn-sf-top-input", "gcn", [(87.05, 1.4), (86.08, 1.6), (87.05, 1.5), (87.68, 1.3)]),
    ("cora-ml", "backprop", "sage", [(42.87, 5.0), (88.75, 1.1), (88.21, 1.8), (85.98, 2.2)]),
    ("cora-ml", "forwardgnn-ff-la", "sage", [(85.41, 1.4), (85.34, 0.8), (85.08, 1.3), (85.18, 1.3)]),
    ("cora-ml", "forwardgnn-ff-vn", "sage", [(86.01, 0.7), (87.68, 1.6), (87.85, 1.4), (87.71, 1.3)]),
    ("cora-ml", "forwardgnn-sf", "sage", [(85.14, 1.6), (87.35, 1.4), (87.61, 1.5), (87.55, 1.5)]),
    ("cora-ml", "forwardgnn-sf-top-loss", "sage", [(84.77, 1.4), (85.94, 1.3), (85.28, 1.3), (85.31, 1.8)]),
    ("cora-ml", "forwardgnn-sf-top-input", "sage", [(86.08, 2.4), (86.58, 1.2), (86.84, 1.2), (86.84, 1.1)]),
    ("cora-ml", "backprop", "gat", [(33.82, 2.1), (80.97, 1.1), (87.58, 1.6), (86.04, 1.7)]),
    ("cora-ml", "forwardgnn-ff-la", "gat", [(82.67, 1.2), (61.80, 6.4), (63.57, 4.9), (63.24, 4.1)]),
    ("cora-ml", "forwardgnn-ff-vn", "gat", [(84.61, 1.5), (85.64, 1.5), (86.48, 2.1), (86.74, 2.1)]),
    ("cora-ml", "forwardgnn-sf", "gat", [(66.81, 2.0), (83.17, 2.0), (84.34, 1.9), (85.14, 2.2)]),
    ("cora-ml", "forwardgnn-sf-top-loss", "gat", [(65.21, 2.9), (79.50, 2.4), (83.57, 1.5), (84.17, 1.8)]),
    ("cora-ml", "forwardgnn-sf-top-input", "gat", [(83.27, 2.0), (84.51, 2.1), (85.28, 1.7), (84.84, 2.8)]),
];

/// The paper's link-prediction ROC-AUC (Tables 9(a), 10(a), 10(b)), in percent.
pub const PAPER_LINKS: &[PaperRow] = &[
    ("citeseer-full", "backprop", "gcn", [(90.00, 0.6), (84.31, 0.6), (80.93, 1.0), (80.05, 0.9)]),
    ("citeseer-full", "forwardgnn-lp-ce", "gcn", [(89.32, 2.4), (93.61, 1.0), (93.49, 0.9), (93.61, 1.0)]),
    ("citeseer-full", "forwardgnn-lp-ff", "gcn", [(85.11, 0.7), (91.94, 0.5), (91.95, 0.5), (91.94, 0.5)]),
    ("citeseer-full", "forwardgnn-lp-ce-top-input", "gcn", [(92.15, 0.6), (88.39, 1.1), (88.47, 0.7), (88.06, 0.6)]),
    ("citeseer-full", "backprop", "sage", [(86.46, 0.5), (70.63, 0.8), (68.35, 1.4), (67.71, 1.5)]),
    ("citeseer-full", "forwardgnn-lp-ce", "sage", [(87.16, 0.6), (88.02, 0.5), (87.94, 0.5), (88.02, 0.5)]),
    ("citeseer-full", "forwardgnn-lp-ff", "sage", [(85.31, 0.4), (85.01, 0.4), (85.13, 0.4), (85.01, 0.4)]),
    ("citeseer-full", "forwardgnn-lp-ce-top-input", "sage", [(75.51, 1.0), (79.31, 0.5), (80.15, 0.9), (79.28, 0.3)]),
    ("citeseer-full", "backprop", "gat", [(88.42, 0.5), (84.83, 0.8), (81.02, 3.0), (77.27, 0.9)]),
    ("citeseer-full", "forwardgnn-lp-ce", "gat", [(87.68, 0.4), (90.22, 0.6), (90.12, 0.5), (90.22, 0.6)]),
    ("citeseer-full", "forwardgnn-lp-ff", "gat", [(78.14, 5.5), (89.64, 0.7), (89.62, 0.7), (89.64, 0.7)]),
    ("citeseer-full", "forwardgnn-lp-ce-top-input", "gat", [(88.21, 0.7), (84.98, 0.7), (84.20, 1.0), (85.06, 0.4)]),
    ("amazon-photo", "backprop", "gcn", [(82.41, 0.3), (81.38, 0.3), (88.69, 0.1), (89.47, 0.2)]),
    ("amazon-photo", "forwardgnn-lp-ce", "gcn", [(93.84, 0.2), (95.49, 0.2), (95.38, 0.2), (95.49, 0.2)]),
    ("amazon-photo", "forwardgnn-lp-ff", "gcn", [(96.18, 0.2), (96.16, 0.2), (96.17, 0.2), (96.16, 0.2)]),
    ("amazon-photo", "forwardgnn-lp-ce-top-input", "gcn", [(97.13, 0.1), (96.81, 0.3), (96.32, 0.6), (95.84, 0.7)]),
    ("amazon-photo", "backprop", "sage", [(70.73, 0.4), (83.43, 0.1), (86.10, 0.2), (87.07, 2.5)]),
    ("amazon-photo", "forwardgnn-lp-ce", "sage", [(93.28, 0.1), (94.96, 0.1), (94.88, 0.1), (94.96, 0.1)]),
    ("amazon-photo", "forwardgnn-lp-ff", "sage", [(94.07, 0.5), (94.94, 0.6), (94.86, 0.5), (94.94, 0.6)]),
    ("amazon-photo", "forwardgnn-lp-ce-top-input", "sage", [(97.13, 0.1), (95.11, 0.6), (95.15, 0.6), (95.12, 0.6)]),
    ("amazon-photo", "backprop", "gat", [(71.67, 0.8), (68.54, 1.2), (67.02, 1.8), (66.50, 1.8)]),
    ("amazon-photo", "forwardgnn-lp-ce", "gat", [(92.31, 0.5), (94.34, 0.2), (94.36, 0.2), (94.34, 0.2)]),
    ("amazon-photo", "forwardgnn-lp-ff", "gat", [(94.00, 1.2), (94.10, 1.1), (94.10, 1.1), (94.10, 1.1)]),
    ("amazon-photo", "forwardgnn-lp-ce-top-input", "gat", [(96.90, 0.1), (96.97, 0.6), (93.02, 0.9), (93.41, 0.6)]),
    ("cora-ml", "backprop", "gcn", [(82.20, 0.3), (79.86, 0.7), (79.97, 0.6), (79.71, 0.5)]),
    ("cora-ml", "forwardgnn-lp-ce", "gcn", [(91.77, 0.3), (93.30, 0.3), (93.26, 0.3), (93.30, 0.3)]),
    ("cora-ml", "forwardgnn-lp-ff", "gcn", [(91.91, 1.3), (92.46, 0.9), (92.39, 1.1), (92.46, 0.9)]),
    ("cora-ml", "forwardgnn-lp-ce-top-input", "gcn", [(93.64, 0.2), (91.03, 0.6), (91.57, 0.4), (91.53, 0.9)]),
    ("cora-ml", "backprop", "sage", [(65.48, 0.6), (76.75, 2.0), (74.65, 0.5), (74.21, 0.8)]),
    ("cora-ml", "forwardgnn-lp-ce", "sage", [(90.36, 0.6), (91.96, 0.5), (91.93, 0.4), (91.96, 0.5)]),
    ("cora-ml", "forwardgnn-lp-ff", "sage", [(89.06, 0.5), (88.96, 0.5), (89.00, 0.5), (88.96, 0.5)]),
    ("cora-ml", "forwardgnn-lp-ce-top-input", "sage", [(89.39, 0.3), (89.72, 0.5), (89.32, 0.5), (89.18, 0.4)]),
    ("cora-ml", "backprop", "gat", [(76.75, 0.8), (77.69, 1.0), (69.61, 0.3), (66.04, 0.7)]),
    ("cora-ml", "forwardgnn-lp-ce", "gat", [(88.96, 0.4), (90.98, 0.4), (90.96, 0.5), (90.98, 0.4)]),
    ("cora-ml", "forwardgnn-lp-ff", "gat", [(89.42, 0.8), (90.45, 0.9), (90.45, 0.9), (90.45, 0.9)]),
    ("cora-ml", "forwardgnn-lp-ce-top-input", "gat", [(91.07, 0.4), (88.87, 0.8), (89.90, 0.5), (89.70, 0.6)]),
];

fn paper(dataset: &str, algo: &str, model: &str, link: bool) -> Option<[(f64, f64); 4]> {
    let table = if link { PAPER_LINKS } else { PAPER };
    table.iter().find(|r| r.0 == dataset && r.1 == algo && r.2 == model).map(|r| r.3)
}

pub fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    (mean, (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt())
}

/// One cell of a paper table: a variant of one model on one dataset at one depth.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub dataset: String,
    pub algo: String,
    pub model: String,
    pub layers: usize,
    pub link: bool,
    pub seed_offset: u64,
    /// The depth actually trained: greedy variants report shallower depths as prefixes of the deepest run.
    pub trained_layers: usize,
}

impl Cell {
    pub fn name(&self) -> String {
        format!("{} {} {} L={}", self.dataset, self.algo, self.model, self.layers)
    }

    /// The paper's (mean, std) for this cell, in percent.
    pub fn paper(&self) -> Option<(f64, f64)> {
        paper(&self.dataset, &self.algo, &self.model, self.link).map(|r| r[self.layers - 1])
    }

    /// The JSON line `repro forwardgnn` prints for this cell; `per_fold` is (fold, value in %), `seconds` the
    /// time of the runs that produced it. `--merge` reads these lines back.
    pub fn record(&self, per_fold: &[(usize, f64)], seconds: f64) -> serde_json::Value {
        let values: Vec<f64> = per_fold.iter().map(|p| p.1).collect();
        let (mean, std) = mean_std(&values);
        let p = self.paper();
        let round2 = |x: f64| (x * 100.0).round() / 100.0;
        json!({"dataset": self.dataset, "algo": self.algo, "model": self.model, "layers": self.layers,
               "metric": if self.link { "roc_auc" } else { "accuracy" },
               "ours_mean": round2(mean), "ours_std": round2(std),
               "folds": per_fold.len(), "paper_mean": p.map(|x| x.0), "paper_std": p.map(|x| x.1),
               "difference": p.filter(|_| !per_fold.is_empty()).map(|x| round2(mean - x.0)),
               "per_fold": per_fold.iter().map(|(f, v)| json!({"fold": f, "value": (v * 1e6).round() / 1e6})).collect::<Vec<_>>(),
               "seconds_all_folds": seconds.round(),
               "seed_offset": self.seed_offset,
               "trained_layers": self.trained_layers,
               "command": format!("bpfree train --algo {} --dataset {} --model {} --layers {} --fold F --seed {}+3F",
                                  self.algo, self.dataset, self.model, self.trained_layers, 10100 + self.seed_offset)})
    }
}

/// The last line of `repro forwardgnn`: how many cells are within 1.5 and 3 points of the paper.
pub fn summary(gaps: &[(String, f64)]) -> serde_json::Value {
    let within = |t: f64| gaps.iter().filter(|g| g.1.abs() <= t).count();
    json!({"summary": {"cells": gaps.len(), "within_1.5": within(1.5), "within_3": within(3.0),
           "mean_abs_difference": gaps.iter().map(|g| g.1.abs()).sum::<f64>() / gaps.len().max(1) as f64,
           "largest": gaps.iter().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map(|g| json!({"cell": g.0, "difference": g.1}))}})
}
