//! Losses, softmax and forward-forward goodness on the CPU (references of the GPU kernels of the same names).

use super::sigmoid;
use ndarray::{Array2, ArrayView2, Zip};

/// Per-row softmax cross-entropy with logits and the gradient `scale * (softmax - onehot)`.
pub fn softmax_cross_entropy(logits: ArrayView2<f32>, labels: &[f32], scale: f32) -> (Array2<f32>, Array2<f32>) {
    let (rows, classes) = logits.dim();
    let mut loss = Array2::zeros((rows, 1));
    let mut grad = Array2::zeros((rows, classes));
    for r in 0..rows {
        let row = logits.row(r);
        let y = (labels[r] as usize).min(classes.saturating_sub(1));
        let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let total: f32 = row.iter().map(|&v| (v - top).exp()).sum();
        let log_z = top + total.ln();
        loss[[r, 0]] = log_z - row[y];
        for c in 0..classes {
            let p = (row[c] - log_z).exp();
            grad[[r, c]] = scale * (p - f32::from(c == y));
        }
    }
    (loss, grad)
}

/// Row-wise softmax, or log-softmax when `log` is set.
pub fn softmax(x: ArrayView2<f32>, log: bool) -> Array2<f32> {
    let mut y = x.to_owned();
    for mut row in y.rows_mut() {
        let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_z = top + row.iter().map(|&v| (v - top).exp()).sum::<f32>().ln();
        row.mapv_inplace(|v| if log { v - log_z } else { (v - log_z).exp() });
    }
    y
}

/// Backward of [`softmax`] from its output `y` and the upstream gradient `g`.
pub fn softmax_backward(y: ArrayView2<f32>, g: ArrayView2<f32>, log: bool) -> Array2<f32> {
    let mut dx = Array2::zeros(y.dim());
    for ((yr, gr), mut o) in y.rows().into_iter().zip(g.rows()).zip(dx.rows_mut()) {
        let dot: f32 = yr.iter().zip(gr.iter()).map(|(a, b)| a * b).sum();
        let total: f32 = gr.sum();
        for ((o, &yv), &gv) in o.iter_mut().zip(yr.iter()).zip(gr.iter()) {
            *o = if log { gv - yv.exp() * total } else { yv * (gv - dot) };
        }
    }
    dx
}

/// Elementwise BCE with logits `max(z,0) - z t + ln(1 + e^-|z|)` and `scale (σ(z) - t)`.
pub fn bce_with_logits(z: ArrayView2<f32>, t: ArrayView2<f32>, scale: f32) -> (Array2<f32>, Array2<f32>) {
    let loss = Zip::from(&z).and(&t).map_collect(|&v, &t| v.max(0.0) - v * t + (-v.abs()).exp().ln_1p());
    let grad = Zip::from(&z).and(&t).map_collect(|&v, &t| scale * (sigmoid(v) - t));
    (loss, grad)
}

/// Elementwise squared error `(y - t)²` and `scale 2 (y - t)`.
pub fn mse(y: ArrayView2<f32>, t: ArrayView2<f32>, scale: f32) -> (Array2<f32>, Array2<f32>) {
    let loss = Zip::from(&y).and(&t).map_collect(|&a, &b| (a - b) * (a - b));
    let grad = Zip::from(&y).and(&t).map_collect(|&a, &b| scale * 2.0 * (a - b));
    (loss, grad)
}

/// Per-row sum (or mean) of squares, `rows x 1`.
pub fn goodness(x: ArrayView2<f32>, mean: bool) -> Array2<f32> {
    let cols = x.ncols().max(1) as f32;
    let g = x.rows().into_iter().map(|r| {
        let s: f32 = r.iter().map(|v| v * v).sum();
        if mean {
            s / cols
        } else {
            s
        }
    });
    Array2::from_shape_vec((x.nrows(), 1), g.collect()).unwrap_or_else(|_| Array2::zeros((x.nrows(), 1)))
}

/// `dx = g_r 2 x` (`/ cols` for the mean).
pub fn goodness_backward(x: ArrayView2<f32>, g: ArrayView2<f32>, mean: bool) -> Array2<f32> {
    let k = if mean { 2.0 / x.ncols().max(1) as f32 } else { 2.0 };
    let mut dx = x.to_owned();
    for (mut row, gr) in dx.rows_mut().into_iter().zip(g.rows()) {
        row.mapv_inplace(|v| gr[0] * k * v);
    }
    dx
}
