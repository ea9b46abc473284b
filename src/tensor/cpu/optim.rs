//! Optimiser updates and gradient clipping on the CPU (references of the GPU kernels of the same names).

use super::super::{AdamStep, SgdStep};
use ndarray::{ArrayView2, ArrayViewMut2, Zip};

/// `acc += alpha * x`.
pub fn add_scaled(mut acc: ArrayViewMut2<f32>, x: ArrayView2<f32>, alpha: f32) {
    acc.scaled_add(alpha, &x);
}

/// `x`, or 0 below f32's smallest normal magnitude. A moment whose gradient stays 0 (a dead unit, a pixel that is
/// always blank) decays by `beta1` (or the momentum) every step and reaches the subnormal range after a few hundred
/// steps, where x86 arithmetic is many times slower: the MLP benchmark's steps took 3x longer after 1,000 steps
/// before this flush. GPUs flush such values anyway; the optimiser kernels do the same explicitly.
#[inline]
fn flush(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE {
        0.0
    } else {
        x
    }
}

/// One Adam/AdamW step in place (see `adam.wgsl` for the equations).
pub fn adam(
    mut param: ArrayViewMut2<f32>,
    grad: ArrayView2<f32>,
    mut m: ArrayViewMut2<f32>,
    mut v: ArrayViewMut2<f32>,
    hp: &AdamStep,
) {
    let (bias1, bias2) = hp.bias_corrections();
    Zip::from(&mut param).and(&grad).and(&mut m).and(&mut v).for_each(|p, &g, m, v| {
        let mut g = g;
        if hp.decoupled {
            *p -= hp.lr * hp.weight_decay * *p;
        } else {
            g += hp.weight_decay * *p;
        }
        *m = flush(hp.beta1 * *m + (1.0 - hp.beta1) * g);
        *v = flush(hp.beta2 * *v + (1.0 - hp.beta2) * g * g);
        *p -= hp.lr * (*m / bias1) / ((*v / bias2).sqrt() + hp.eps);
    });
}

/// One SGD-with-momentum step in place (see `sgd.wgsl`).
pub fn sgd(mut param: ArrayViewMut2<f32>, grad: ArrayView2<f32>, mut velocity: ArrayViewMut2<f32>, hp: &SgdStep) {
    Zip::from(&mut param).and(&grad).and(&mut velocity).for_each(|p, &g, vel| {
        let g = g + hp.weight_decay * *p;
        *vel = flush(hp.momentum * *vel + g);
        *p -= hp.lr * *vel;
    });
}

/// `g *= min(1, max_norm / (sqrt(total_sq) + 1e-6))`.
pub fn clip_by_norm(mut g: ArrayViewMut2<f32>, total_sq: f32, max_norm: f32) {
    let coef = (max_norm / (total_sq.sqrt() + 1e-6)).min(1.0);
    g.mapv_inplace(|v| v * coef);
}

/// `g[:, c] -= mean_r g[r, c]`.
pub fn centralize_columns(mut g: ArrayViewMut2<f32>) {
    let rows = g.nrows().max(1) as f32;
    for mut col in g.columns_mut() {
        let mean = col.sum() / rows;
        col.mapv_inplace(|v| v - mean);
    }
}
