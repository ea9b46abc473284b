//! What one epoch measured, which epoch a run reports, and when a run has diverged.

use crate::config::Selection;
use serde::{Deserialize, Serialize};

/// Metrics of one finished epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// Epochs finished (1 for the first).
    pub epoch: usize,
    /// Mini-batch steps taken so far.
    pub steps: u64,
    /// Mean training loss over the epoch's mini-batches (as they were seen, weights changing).
    pub train_loss: f32,
    /// Loss on the whole test set at the end of the epoch.
    pub test_loss: f32,
    /// Fraction of training examples classified correctly at the end of the epoch.
    pub train_accuracy: f32,
    /// Fraction of test examples classified correctly at the end of the epoch.
    pub test_accuracy: f32,
    /// Loss on the validation split (model selection), if the dataset has one.
    pub val_loss: Option<f32>,
    /// Accuracy on the validation split, if the dataset has one.
    pub val_accuracy: Option<f32>,
    /// The algorithm's local losses averaged over the epoch's steps (see `Algorithm::local_loss_names`).
    pub local_losses: Vec<f32>,
}

impl EpochMetrics {
    /// The message the page shows when this epoch's training loss is not a number (NaN or ∞): training has
    /// diverged and further epochs cannot recover. `lr` is the run's learning rate, named in the advice.
    pub fn divergence(&self, lr: f32) -> Option<String> {
        (!self.train_loss.is_finite()).then(|| {
            format!(
                "Training diverged at epoch {}: the training loss is {} — the weights are no longer numbers. \
                 Lower the learning rate (now {lr}) and press Reset.",
                self.epoch, self.train_loss
            )
        })
    }
}

/// The epoch model selection picks from `history` under `rule`: the lowest validation loss (CCL's reference code;
/// docs/algorithms/ccl.md, "Where we had to choose") or the highest validation accuracy (the CCL paper's App. 6.1); an
/// accuracy rule without validation accuracies (an autoencoder) falls back to the loss rule, and a run without a
/// validation split to its last epoch. Ties go to the earlier epoch. The page shows the same pick as `bpfree train`.
pub fn select_epoch(history: &[EpochMetrics], rule: Selection) -> Option<&EpochMetrics> {
    let by_loss = || {
        let with_val = history.iter().filter(|m| m.val_loss.is_some());
        with_val.reduce(|best, m| if m.val_loss < best.val_loss { m } else { best })
    };
    let by_accuracy = || {
        let with_val = history.iter().filter(|m| m.val_accuracy.is_some_and(f32::is_finite));
        with_val.reduce(|best, m| if m.val_accuracy > best.val_accuracy { m } else { best })
    };
    let best = match rule {
        Selection::ValLoss => by_loss(),
        Selection::ValAccuracy => by_accuracy().or_else(by_loss),
    };
    best.or(history.last())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(n: usize, train_loss: f32, val_loss: Option<f32>) -> EpochMetrics {
        validated(n, train_loss, val_loss, None)
    }

    fn validated(n: usize, train_loss: f32, val_loss: Option<f32>, val_accuracy: Option<f32>) -> EpochMetrics {
        EpochMetrics {
            epoch: n,
            steps: 10 * n as u64,
            train_loss,
            test_loss: 1.0,
            train_accuracy: 0.5,
            test_accuracy: 0.1 * n as f32,
            val_loss,
            val_accuracy,
            local_losses: Vec::new(),
        }
    }

    #[test]
    fn selection_takes_the_lowest_validation_loss_else_the_last_epoch() {
        let validated = [epoch(1, 1.0, Some(0.9)), epoch(2, 0.8, Some(0.5)), epoch(3, 0.7, Some(0.6))];
        assert_eq!(select_epoch(&validated, Selection::ValLoss).map(|m| m.epoch), Some(2));
        let plain = [epoch(1, 1.0, None), epoch(2, 0.8, None)];
        assert_eq!(select_epoch(&plain, Selection::ValLoss).map(|m| m.epoch), Some(2));
        assert_eq!(select_epoch(&plain, Selection::ValAccuracy).map(|m| m.epoch), Some(2));
        assert!(select_epoch(&[], Selection::ValLoss).is_none());
    }

    #[test]
    fn the_accuracy_rule_takes_the_first_best_validation_accuracy() {
        // Backprop on Fashion-MNIST: the validation loss bottoms out early while the accuracy keeps rising.
        let run = [
            validated(1, 0.9, Some(0.40), Some(0.85)),
            validated(2, 0.5, Some(0.30), Some(0.88)),
            validated(3, 0.3, Some(0.35), Some(0.90)),
            validated(4, 0.2, Some(0.45), Some(0.90)),
        ];
        assert_eq!(select_epoch(&run, Selection::ValLoss).map(|m| m.epoch), Some(2));
        assert_eq!(select_epoch(&run, Selection::ValAccuracy).map(|m| m.epoch), Some(3));
        // An autoencoder has validation losses only: the accuracy rule falls back to the loss rule.
        let ae = [epoch(1, 1.0, Some(0.2)), epoch(2, 0.8, Some(0.1)), epoch(3, 0.7, Some(0.3))];
        assert_eq!(select_epoch(&ae, Selection::ValAccuracy).map(|m| m.epoch), Some(2));
    }

    #[test]
    fn a_non_finite_training_loss_is_divergence() {
        assert!(epoch(3, 0.4, None).divergence(0.1).is_none());
        let nan = epoch(3, f32::NAN, None).divergence(0.3).unwrap_or_default();
        assert!(nan.contains("epoch 3") && nan.contains("NaN") && nan.contains("0.3"), "{nan}");
        assert!(epoch(1, f32::INFINITY, None).divergence(1.0).is_some());
    }
}
