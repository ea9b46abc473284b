//! Losses: softmax cross-entropy, binary cross-entropy with logits, squared error, the forward-forward
//! goodness and the row-wise dot product of link scores. Each returns what the algorithms need without a
//! readback (per-example losses and gradients stay on the device).

use super::{cpu, gpu, Tensor};
use crate::error::{Error, Result};

fn mismatch(op: &'static str) -> Error {
    Error::DeviceMismatch { op }
}

/// Softmax cross-entropy with logits. `labels` is `rows x 1` with class ids (as f32). Returns the per-row loss
/// (`rows x 1`) and the gradient of `scale * sum(loss)` with respect to the logits.
pub fn softmax_cross_entropy(logits: &Tensor, labels: &Tensor, scale: f32) -> Result<(Tensor, Tensor)> {
    if labels.shape() != [logits.rows(), 1] || logits.cols() == 0 {
        return Err(Error::shape(
            "softmax_cross_entropy",
            format!("logits {:?}, labels {:?}", logits.shape(), labels.shape()),
        ));
    }
    match (logits, labels) {
        (Tensor::Cpu(l), Tensor::Cpu(y)) => {
            let y: Vec<f32> = y.iter().copied().collect();
            let (loss, grad) = cpu::softmax_cross_entropy(l.view(), &y, scale);
            Ok((Tensor::Cpu(loss), Tensor::Cpu(grad)))
        }
        (Tensor::Gpu(gl), Tensor::Gpu(gy)) => {
            let (loss, grad) = gpu::softmax_cross_entropy(gl.gpu(), gl, gy, scale)?;
            Ok((Tensor::Gpu(loss), Tensor::Gpu(grad)))
        }
        _ => Err(mismatch("softmax_cross_entropy")),
    }
}

/// CPU half of an elementwise loss: `(y, target, scale) -> (loss, grad)`.
type CpuLoss =
    fn(ndarray::ArrayView2<f32>, ndarray::ArrayView2<f32>, f32) -> (ndarray::Array2<f32>, ndarray::Array2<f32>);
/// GPU half of an elementwise loss.
type GpuLoss = fn(&gpu::Gpu, &gpu::GpuTensor, &gpu::GpuTensor, f32) -> Result<(gpu::GpuTensor, gpu::GpuTensor)>;

fn elementwise_loss(
    op: &'static str,
    y: &Tensor,
    target: &Tensor,
    scale: f32,
    on_cpu: CpuLoss,
    on_gpu: GpuLoss,
) -> Result<(Tensor, Tensor)> {
    if y.shape() != target.shape() {
        return Err(Error::shape(op, format!("{:?} vs target {:?}", y.shape(), target.shape())));
    }
    match (y, target) {
        (Tensor::Cpu(y), Tensor::Cpu(t)) => {
            let (l, g) = on_cpu(y.view(), t.view(), scale);
            Ok((Tensor::Cpu(l), Tensor::Cpu(g)))
        }
        (Tensor::Gpu(gy), Tensor::Gpu(gt)) => {
            let (l, g) = on_gpu(gy.gpu(), gy, gt, scale)?;
            Ok((Tensor::Gpu(l), Tensor::Gpu(g)))
        }
        _ => Err(mismatch(op)),
    }
}

/// Elementwise binary cross-entropy with logits; returns the loss per element and `scale · dloss/dz`.
pub fn bce_with_logits(z: &Tensor, target: &Tensor, scale: f32) -> Result<(Tensor, Tensor)> {
    elementwise_loss("bce_with_logits", z, target, scale, cpu::bce_with_logits, gpu::bce_with_logits)
}

/// Elementwise squared error; returns the loss per element and `scale · dloss/dy`.
pub fn mse(y: &Tensor, target: &Tensor, scale: f32) -> Result<(Tensor, Tensor)> {
    elementwise_loss("mse", y, target, scale, cpu::mse, gpu::mse)
}

/// Forward-forward goodness per row: sum of squares, or their mean with `mean` (`rows x 1`).
pub fn goodness(x: &Tensor, mean: bool) -> Result<Tensor> {
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::goodness(x.view(), mean))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::goodness(g.gpu(), g, mean)?)),
    }
}

/// Row-wise dot products `<a_r, b_r>` of two equally shaped tensors (`rows x 1`): the score of a node pair in
/// link prediction. Its gradients are `g_r b_r` and `g_r a_r` ([`super::scale_rows`]).
pub fn row_dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.shape() != b.shape() {
        return Err(Error::shape("row_dot", format!("a {:?}, b {:?}", a.shape(), b.shape())));
    }
    match (a, b) {
        (Tensor::Cpu(a), Tensor::Cpu(b)) => Ok(Tensor::Cpu(super::cpu::rows::row_dot(a.view(), b.view()))),
        (Tensor::Gpu(ga), Tensor::Gpu(gb)) => Ok(Tensor::Gpu(gpu::row_dot(ga.gpu(), ga, gb)?)),
        _ => Err(mismatch("row_dot")),
    }
}

/// `out[p] = <x[u[p]], x[v[p]]>` for `k x 1` index tensors (ids as f32): [`row_dot`] of the gathered rows,
/// bit-identical to it, without materialising the two `k x cols` gathers.
pub fn row_dot_pairs(x: &Tensor, u: &Tensor, v: &Tensor) -> Result<Tensor> {
    if u.cols() != 1 || u.shape() != v.shape() {
        return Err(Error::shape("row_dot_pairs", format!("u {:?}, v {:?}", u.shape(), v.shape())));
    }
    match (x, u, v) {
        (Tensor::Cpu(x), Tensor::Cpu(u), Tensor::Cpu(v)) => {
            let (u, v): (Vec<f32>, Vec<f32>) = (u.iter().copied().collect(), v.iter().copied().collect());
            Ok(Tensor::Cpu(super::cpu::rows::row_dot_pairs(x.view(), &u, &v)))
        }
        (Tensor::Gpu(gx), Tensor::Gpu(gu), Tensor::Gpu(gv)) => {
            Ok(Tensor::Gpu(gpu::row_dot_pairs(gx.gpu(), gx, gu, gv)?))
        }
        _ => Err(mismatch("row_dot_pairs")),
    }
}

/// Backward of [`goodness`] from the upstream gradient `grad` (`rows x 1`).
pub fn goodness_backward(x: &Tensor, grad: &Tensor, mean: bool) -> Result<Tensor> {
    if grad.shape() != [x.rows(), 1] {
        return Err(Error::shape("goodness_backward", format!("x {:?}, grad {:?}", x.shape(), grad.shape())));
    }
    match (x, grad) {
        (Tensor::Cpu(x), Tensor::Cpu(g)) => Ok(Tensor::Cpu(cpu::goodness_backward(x.view(), g.view(), mean))),
        (Tensor::Gpu(gx), Tensor::Gpu(gg)) => Ok(Tensor::Gpu(gpu::goodness_backward(gx.gpu(), gx, gg, mean)?)),
        _ => Err(mismatch("goodness_backward")),
    }
}
