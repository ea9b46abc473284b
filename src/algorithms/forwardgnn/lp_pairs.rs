//! The labelled node pairs of link prediction on the device, and the two per-layer objectives on them.
//! Implements docs/algorithms/forwardgnn.md, Eqs. (15)-(17); equation numbers below are that page's:
//! ForwardGNN-CE's BCE on dot products (Eq. (15), the paper's Eq. 9), ForwardGNN-FF's edge goodness (Eq. (17),
//! the paper's Sec. 4.3) and the link scores summed over layers (Eq. (16)).
//! Pair scores are dot products of node rows read by index ([`row_dot_pairs`]); their gradient goes back to the nodes
//! as one sparse product with the pairs' pattern, weighted by the per-pair gradient ([`spmm_weighted`]), and its
//! transpose. Neither materialises a `pairs x features` matrix.

use crate::data::LabelledPairs;
use crate::error::Result;
use crate::tensor::{
    activation, activation_backward, add_row, add_scaled, bce_with_logits, reduce, row_dot_pairs, scale_rows,
    spmm_transposed_weighted, spmm_weighted, Activation, Csr, Device, Reduction, Tensor,
};

/// ForwardGNN-FF's goodness threshold θ (Eq. (17)).
pub const FF_THRESHOLD: f32 = 2.0;

/// What a greedy link-prediction layer is trained on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkObjective {
    /// ForwardGNN-CE (Eq. (15)): `s_uv = <z_u, z_v>`, `mean BCEWithLogits(s, label)`, probability `σ(s)`.
    #[default]
    CrossEntropy,
    /// ForwardGNN-FF (Eq. (17)): edge embedding `e_uv = z_u ⊙ z_v`, goodness `g_uv = Σ_d e_uv,d²`,
    /// loss `mean_pos softplus(θ − g) + mean_neg softplus(g − θ)` with θ = 2, probability `σ(g − θ)`.
    ForwardForward,
}

/// Labelled pairs on the device.
#[derive(Debug)]
pub struct PairIndex {
    u_dev: Tensor,
    v_dev: Tensor,
    pub(crate) labels: Tensor,
    /// `1 / #positives` on positive pairs, `1 / #negatives` on negative ones (FF's two means).
    class_weights: Tensor,
    /// `−θ` on every pair.
    minus_theta: Tensor,
    /// The `nodes x nodes` pattern with an entry `(u_p, v_p)` per pair.
    pattern: Csr,
}

impl PairIndex {
    /// Uploads `pairs` of a graph with `nodes` nodes.
    pub fn new(pairs: &LabelledPairs, nodes: usize, device: &Device) -> Result<Self> {
        let (u, v): (Vec<u32>, Vec<u32>) = pairs.pairs.iter().copied().unzip();
        let ids = |x: &[u32]| device.tensor(x.len(), 1, &x.iter().map(|&i| i as f32).collect::<Vec<_>>());
        let n = pairs.labels.len();
        let positives = pairs.labels.iter().filter(|&&l| l == 1.0).count();
        let weight = |count: usize| 1.0 / count.max(1) as f32;
        let weights: Vec<f32> =
            pairs.labels.iter().map(|&l| if l == 1.0 { weight(positives) } else { weight(n - positives) }).collect();
        Ok(PairIndex {
            u_dev: ids(&u)?,
            v_dev: ids(&v)?,
            labels: device.tensor(n, 1, &pairs.labels)?,
            class_weights: device.tensor(n, 1, &weights)?,
            minus_theta: device.tensor(1, 1, &[-FF_THRESHOLD])?,
            pattern: Csr::pattern(device, nodes, nodes, &pairs.pairs)?,
        })
    }

    /// `s_uv = <r_u, r_v>` (`pairs x 1`).
    fn dots(&self, r: &Tensor) -> Result<Tensor> {
        row_dot_pairs(r, &self.u_dev, &self.v_dev)
    }

    /// The pair logits under `objective`: `<z_u, z_v>` (CE), or `<z_u², z_v²> − θ = Σ_d (z_u,d z_v,d)² − θ` (FF);
    /// with the rows `r = z²` they were computed from for FF (`None`: `r = z`).
    fn logits(&self, z: &Tensor, objective: LinkObjective) -> Result<(Tensor, Option<Tensor>)> {
        match objective {
            LinkObjective::CrossEntropy => Ok((self.dots(z)?, None)),
            LinkObjective::ForwardForward => {
                let r = activation(z, Activation::Square)?;
                Ok((add_row(&self.dots(&r)?, &self.minus_theta)?, Some(r)))
            }
        }
    }

    /// Link probabilities `σ(<z_u, z_v>)` (ForwardGNN-CE and backprop).
    pub fn probabilities(&self, z: &Tensor) -> Result<Tensor> {
        self.probabilities_with(z, LinkObjective::CrossEntropy)
    }

    /// Link probabilities under `objective`.
    pub fn probabilities_with(&self, z: &Tensor, objective: LinkObjective) -> Result<Tensor> {
        activation(&self.logits(z, objective)?.0, Activation::Sigmoid)
    }

    /// Mean BCE of the pair scores (Eq. (15)) and its gradient with respect to `z`.
    pub fn loss(&self, z: &Tensor) -> Result<(Tensor, Tensor)> {
        self.loss_with(z, LinkObjective::CrossEntropy)
    }

    /// The loss of `objective` (`1 x 1`) and its gradient with respect to `z`. FF's two means are one weighted
    /// BCE: `softplus(θ − g) = BCE(g − θ, 1)` and `softplus(g − θ) = BCE(g − θ, 0)`.
    pub fn loss_with(&self, z: &Tensor, objective: LinkObjective) -> Result<(Tensor, Tensor)> {
        let (s, squares) = self.logits(z, objective)?;
        let (loss, grad_s) = match objective {
            LinkObjective::CrossEntropy => {
                let (per_pair, grad) = bce_with_logits(&s, &self.labels, 1.0 / s.rows().max(1) as f32)?;
                (reduce(&per_pair, 0, Reduction::Mean)?, grad)
            }
            LinkObjective::ForwardForward => {
                let (per_pair, grad) = bce_with_logits(&s, &self.labels, 1.0)?;
                let weighted = scale_rows(&per_pair, &self.class_weights, None)?;
                (reduce(&weighted, 0, Reduction::Sum)?, scale_rows(&grad, &self.class_weights, None)?)
            }
        };
        // ∂/∂r_u = Σ_{p: u_p = u} g_p r_{v_p} and ∂/∂r_v = Σ_{p: v_p = v} g_p r_{u_p}.
        let r = squares.as_ref().unwrap_or(z);
        let mut grad = spmm_weighted(&self.pattern, &grad_s, r)?;
        add_scaled(&mut grad, &spmm_transposed_weighted(&self.pattern, &grad_s, r)?, 1.0)?;
        if objective == LinkObjective::ForwardForward {
            grad = activation_backward(z, &grad, Activation::Square)?;
        }
        Ok((loss, grad))
    }
}
