//! The CPU backend on ndarray: the reference every GPU kernel is tested against, and the fallback for browsers
//! without WebGPU. One function per kernel, with the kernel's name; shapes are checked by the caller
//! (`tensor::*`).

use super::{Activation, AdamStep, SgdStep};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip};

/// `op(a) · op(b)`.
pub fn matmul(a: ArrayView2<f32>, b: ArrayView2<f32>, trans_a: bool, trans_b: bool) -> Array2<f32> {
    let a = if trans_a { a.reversed_axes() } else { a };
    let b = if trans_b { b.reversed_axes() } else { b };
    a.dot(&b)
}

/// `x + row`, `row` (1 x cols) broadcast over the rows.
pub fn add_row(x: ArrayView2<f32>, row: ArrayView2<f32>) -> Array2<f32> {
    &x + &row
}

/// Column sums: `rows x cols -> 1 x cols`, rows added in order.
pub fn sum_rows(x: ArrayView2<f32>) -> Array2<f32> {
    x.sum_axis(Axis(0)).insert_axis(Axis(0))
}

fn sigmoid(v: f32) -> f32 {
    if v >= 0.0 {
        1.0 / (1.0 + (-v).exp())
    } else {
        let e = v.exp();
        e / (1.0 + e)
    }
}

/// `f(x)` elementwise.
pub fn activation(x: ArrayView2<f32>, f: Activation) -> Array2<f32> {
    match f {
        Activation::Identity => x.to_owned(),
        Activation::Relu => x.mapv(|v| v.max(0.0)),
        Activation::Tanh => x.mapv(f32::tanh),
        Activation::Sigmoid => x.mapv(sigmoid),
    }
}

/// `grad_out * f'(x)` elementwise.
pub fn activation_backward(x: ArrayView2<f32>, grad_out: ArrayView2<f32>, f: Activation) -> Array2<f32> {
    let derivative = |v: f32| match f {
        Activation::Identity => 1.0,
        Activation::Relu => f32::from(v > 0.0),
        Activation::Tanh => 1.0 - v.tanh() * v.tanh(),
        Activation::Sigmoid => sigmoid(v) * (1.0 - sigmoid(v)),
    };
    Zip::from(&x).and(&grad_out).map_collect(|&v, &g| g * derivative(v))
}

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

/// `out[r] = x[index[r]]`; an index past the end gives a zero row.
pub fn gather_rows(x: ArrayView2<f32>, index: &[f32]) -> Array2<f32> {
    let (rows, cols) = x.dim();
    let mut out = Array2::zeros((index.len(), cols));
    for (r, &i) in index.iter().enumerate() {
        let i = i as usize;
        if i < rows {
            out.row_mut(r).assign(&x.row(i));
        }
    }
    out
}

/// `acc += alpha * x`.
pub fn add_scaled(mut acc: ArrayViewMut2<f32>, x: ArrayView2<f32>, alpha: f32) {
    acc.scaled_add(alpha, &x);
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
        *m = hp.beta1 * *m + (1.0 - hp.beta1) * g;
        *v = hp.beta2 * *v + (1.0 - hp.beta2) * g * g;
        *p -= hp.lr * (*m / bias1) / ((*v / bias2).sqrt() + hp.eps);
    });
}

/// One SGD-with-momentum step in place (see `sgd.wgsl`).
pub fn sgd(mut param: ArrayViewMut2<f32>, grad: ArrayView2<f32>, mut velocity: ArrayViewMut2<f32>, hp: &SgdStep) {
    Zip::from(&mut param).and(&grad).and(&mut velocity).for_each(|p, &g, vel| {
        let g = g + hp.weight_decay * *p;
        *vel = hp.momentum * *vel + g;
        *p -= hp.lr * *vel;
    });
}
