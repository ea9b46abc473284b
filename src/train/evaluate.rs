//! Evaluating the current model on a split: loss, accuracy and (for the test split) the confusion counts the
//! page shows after every epoch of an image run.

use super::{loss_and_accuracy, Trainer, EVAL_CHUNK, YIELDING_EVAL_CHUNK};
use crate::error::Result;
use ndarray::Array2;

/// Adds each row's (label, argmax) to `counts` (`k x k`, row = label); rows whose label is out of range are skipped.
fn count(counts: &mut [u32], logits: &Array2<f32>, y: &[u32]) {
    let k = logits.ncols();
    for (row, &label) in logits.rows().into_iter().zip(y) {
        let predicted = row.iter().enumerate().fold(0, |best, (i, &v)| if v > row[best] { i } else { best });
        if let Some(c) = counts.get_mut(label as usize * k + predicted) {
            *c += 1;
        }
    }
}

impl Trainer {
    /// Mean cross-entropy and accuracy of the current model on the first `y.len()` rows of `x` (for a
    /// reconstruction model: the mean squared error per pixel, accuracy 0), evaluated in chunks of
    /// `EVAL_CHUNK` rows.
    pub async fn evaluate(&self, x: &Array2<f32>, y: &[u32]) -> Result<(f32, f32)> {
        self.evaluate_counting(x, y, None).await
    }

    /// [`Trainer::evaluate`], also adding each example's (label, prediction) to `confusion` (`classes x classes`,
    /// row-major; classifiers only).
    pub(super) async fn evaluate_counting(
        &self,
        x: &Array2<f32>,
        y: &[u32],
        mut confusion: Option<&mut Vec<u32>>,
    ) -> Result<(f32, f32)> {
        let (mut loss, mut correct) = (0.0f64, 0.0f64);
        let chunk_rows = if self.yield_now.is_some() { YIELDING_EVAL_CHUNK } else { EVAL_CHUNK };
        for start in (0..y.len()).step_by(chunk_rows) {
            if let Some(yield_now) = &self.yield_now {
                yield_now().await;
            }
            let end = (start + chunk_rows).min(y.len());
            let chunk = self.device.from_array(&x.slice(ndarray::s![start..end, ..]).to_owned())?;
            let output = self.algorithm.predict(&chunk)?.to_array().await?;
            let (l, a) = if self.algorithm.reconstructs() {
                // Reconstruction: mean squared error against the input, no accuracy.
                let rows = x.slice(ndarray::s![start..end, ..]);
                let sq = output.iter().zip(rows.iter()).map(|(o, t)| f64::from(o - t).powi(2)).sum::<f64>();
                ((sq / output.len().max(1) as f64) as f32, 0.0)
            } else {
                if let Some(counts) = confusion.as_deref_mut() {
                    count(counts, &output, &y[start..end]);
                }
                loss_and_accuracy(&output, &y[start..end])
            };
            loss += f64::from(l) * (end - start) as f64;
            correct += f64::from(a) * (end - start) as f64;
        }
        let n = y.len().max(1) as f64;
        Ok(((loss / n) as f32, (correct / n) as f32))
    }

    /// The test split's confusion counts at the last epoch: `classes x classes`, row-major, row = true label,
    /// column = prediction (empty before the first epoch and for reconstruction models).
    pub fn confusion(&self) -> &[u32] {
        &self.confusion
    }
}

#[cfg(test)]
mod tests {
    use super::count;
    use ndarray::array;

    #[test]
    fn counts_go_to_label_rows_and_prediction_columns() {
        let mut c = vec![0u32; 9];
        count(&mut c, &array![[0.1, 0.9, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]], &[1, 2, 2]);
        assert_eq!(c, vec![0, 0, 0, 0, 1, 0, 1, 0, 1]);
    }
}
