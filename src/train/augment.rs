//! Training-time image augmentation (host side, per mini-batch, from the run's seeded RNG).

use crate::rng::Rng;
use ndarray::Array2;

/// CIFAR-style augmentation of a batch of images (rows, C x H x W), in place: a horizontal flip with
/// probability 1/2, then a random H x W crop of the image padded by 4 pixels replicating its edges
/// (`RandomHorizontalFlip` + `RandomCrop(32, padding=4, padding_mode='edge')`; docs/algorithms/ccl.md,
/// "Architectures and hyper-parameters").
pub fn augment(batch: &mut Array2<f32>, [c, h, w]: [usize; 3], rng: &mut Rng) {
    const PAD: usize = 4;
    for mut row in batch.rows_mut() {
        let flip = rng.below(2) == 1;
        let (dy, dx) = (rng.below(2 * PAD + 1), rng.below(2 * PAD + 1));
        let src = row.to_vec();
        for ch in 0..c {
            for y in 0..h {
                let sy = (y + dy).saturating_sub(PAD).min(h - 1);
                for x in 0..w {
                    let sx = (x + dx).saturating_sub(PAD).min(w - 1);
                    let sx = if flip { w - 1 - sx } else { sx };
                    row[(ch * h + y) * w + x] = src[(ch * h + sy) * w + sx];
                }
            }
        }
    }
}
