//! What the page shows of an algorithm beyond losses and accuracies.

use super::Trainer;
use crate::algorithms::Views;
use crate::error::Result;
use ndarray::Array2;

/// What the page shows of a counter-current learner (docs/algorithms/ccl.md).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CclViews {
    /// Pair shown by `alignment` (0 = the input pair `(x, c_0)`).
    pub layer: usize,
    /// `rows x K` similarities `a_l c_lᵀ` for the first test images; the local loss pulls them to one-hot.
    pub alignment: Array2<f32>,
    /// Labels of those test images.
    pub labels: Vec<u32>,
    /// `K x inputs`: the feedback network's bottom output `c_0`, one input-shaped "prototype" per class.
    pub prototypes: Array2<f32>,
}

/// What the page shows of a NoProp model: the denoising trajectory and the label embedding.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoPropViews {
    /// Per step of the sampler (the T blocks of DT; evenly spaced checkpoints of CT/FM), `rows x classes`
    /// class probabilities of the first test images.
    pub steps: Vec<Array2<f32>>,
    /// Labels of those test images.
    pub labels: Vec<u32>,
    /// `W_Embed`, `classes x d`.
    pub embedding: Array2<f32>,
}

impl Trainer {
    /// NoProp's views on the first `rows` test images, or `None` for other algorithms.
    pub async fn noprop_views(&self, rows: usize) -> Result<Option<NoPropViews>> {
        let rows = rows.min(self.data.y_test.len());
        let x = self.device.from_array(&self.data.x_test.slice(ndarray::s![..rows, ..]).to_owned())?;
        let Views::Denoising(model) = self.algorithm.views() else { return Ok(None) };
        let mut steps = Vec::new();
        for p in model.trajectory(&x)? {
            steps.push(p.to_array().await?);
        }
        let embedding = model.label_embedding().to_array().await?;
        Ok(Some(NoPropViews { steps, labels: self.data.y_test[..rows].to_vec(), embedding }))
    }

    /// CCL's views for pair `layer` on the first `rows` test images, or `None` for other algorithms.
    pub async fn ccl_views(&self, layer: usize, rows: usize) -> Result<Option<CclViews>> {
        let Views::CounterCurrent(ccl) = self.algorithm.views() else { return Ok(None) };
        let rows = rows.min(self.data.y_test.len());
        let layer = layer.min(ccl.widths().len().saturating_sub(2));
        let x = self.device.from_array(&self.data.x_test.slice(ndarray::s![..rows, ..]).to_owned())?;
        let alignment = ccl.alignment(&x, layer)?.to_array().await?;
        let (signals, _) = ccl.feedback_signals()?;
        let prototypes = match signals.first() {
            Some(c0) => c0.to_array().await?,
            None => Array2::zeros((0, 0)),
        };
        Ok(Some(CclViews { layer, alignment, labels: self.data.y_test[..rows].to_vec(), prototypes }))
    }
}
