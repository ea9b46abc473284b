//! CPU references of the batch-norm kernels (`gpu/batch_norm*.wgsl`). `x` is `batch x (channels plane)`.

use ndarray::{Array2, ArrayView2};

fn at(n: usize, c: usize, p: usize, channels: usize, plane: usize) -> usize {
    (n * channels + c) * plane + p
}

/// Per-channel mean and biased variance.
pub fn batch_norm_stats(x: ArrayView2<f32>, channels: usize) -> (Array2<f32>, Array2<f32>) {
    let (batch, plane) = (x.nrows(), x.ncols() / channels.max(1));
    let flat = x.as_standard_layout();
    let v = flat.as_slice().unwrap_or(&[]);
    let count = (batch * plane) as f32;
    let mut mean = Array2::zeros((1, channels));
    let mut var = Array2::zeros((1, channels));
    for c in 0..channels {
        let values = (0..batch).flat_map(|n| (0..plane).map(move |p| at(n, c, p, channels, plane)));
        let mu = values.clone().map(|i| v[i]).sum::<f32>() / count;
        mean[[0, c]] = mu;
        var[[0, c]] = values.map(|i| (v[i] - mu) * (v[i] - mu)).sum::<f32>() / count;
    }
    (mean, var)
}

/// `gamma (x - mean) / sqrt(var + eps) + beta`.
pub fn batch_norm(
    x: ArrayView2<f32>,
    mean: &[f32],
    var: &[f32],
    gamma: &[f32],
    beta: &[f32],
    channels: usize,
    eps: f32,
) -> Array2<f32> {
    let plane = x.ncols() / channels.max(1);
    Array2::from_shape_fn(x.dim(), |(n, j)| {
        let c = j / plane;
        gamma[c] * (x[[n, j]] - mean[c]) / (var[c] + eps).sqrt() + beta[c]
    })
}

/// `(dx, d gamma, d beta)` of training-mode batch norm.
pub fn batch_norm_backward(
    x: ArrayView2<f32>,
    grad_y: ArrayView2<f32>,
    mean: &[f32],
    var: &[f32],
    gamma: &[f32],
    channels: usize,
    eps: f32,
) -> (Array2<f32>, Array2<f32>, Array2<f32>) {
    let (batch, plane) = (x.nrows(), x.ncols() / channels.max(1));
    let count = (batch * plane) as f32;
    let mut dx = Array2::zeros(x.dim());
    let mut dgamma = Array2::zeros((1, channels));
    let mut dbeta = Array2::zeros((1, channels));
    for c in 0..channels {
        let inv_std = 1.0 / (var[c] + eps).sqrt();
        let cols = c * plane..(c + 1) * plane;
        let (mut sum_dy, mut sum_dy_xhat) = (0.0, 0.0);
        for n in 0..batch {
            for j in cols.clone() {
                sum_dy += grad_y[[n, j]];
                sum_dy_xhat += grad_y[[n, j]] * (x[[n, j]] - mean[c]) * inv_std;
            }
        }
        for n in 0..batch {
            for j in cols.clone() {
                let xhat = (x[[n, j]] - mean[c]) * inv_std;
                dx[[n, j]] = gamma[c] * inv_std * (grad_y[[n, j]] - sum_dy / count - xhat * sum_dy_xhat / count);
            }
        }
        dgamma[[0, c]] = sum_dy_xhat;
        dbeta[[0, c]] = sum_dy;
    }
    (dx, dgamma, dbeta)
}
