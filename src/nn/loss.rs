//! Classification loss: mean softmax cross-entropy over a batch.

use crate::error::Result;
use crate::tensor::{softmax_cross_entropy as sce, Tensor};

/// A loss's per-example values (kept on the device) and its gradient with respect to the logits.
#[derive(Debug)]
pub struct LossOutput {
    /// `batch x 1` per-example losses; their mean is the batch loss.
    pub per_example: Tensor,
    /// `dL/dlogits` for the mean loss.
    pub grad: Tensor,
}

/// `L = mean_r [logsumexp(z_r) - z_{r, y_r}]` and `dL/dz = (softmax(z) - onehot(y)) / batch`.
pub fn softmax_cross_entropy(logits: &Tensor, labels: &Tensor) -> Result<LossOutput> {
    let scale = 1.0 / logits.rows().max(1) as f32;
    let (per_example, grad) = sce(logits, labels, scale)?;
    Ok(LossOutput { per_example, grad })
}
