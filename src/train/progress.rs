//! How far a run is within its epoch, for the page's progress bar.

use super::Trainer;

impl Trainer {
    /// The share of the current epoch's mini-batches done, from 0 to 1 (every pass of an algorithm that makes
    /// several passes per epoch counts).
    pub fn epoch_progress(&self) -> f64 {
        let len = self.order.len();
        if len == 0 {
            return 0.0;
        }
        let passes = self.algorithm.passes_per_epoch().max(1);
        ((self.pass * len + self.cursor) as f64 / (passes * len) as f64).min(1.0)
    }
}
