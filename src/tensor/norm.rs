//! Batch normalisation ops (Ioffe & Szegedy, 2015) over `batch x (channels plane)` tensors: plane = 1 is
//! BatchNorm1d, plane = h w is BatchNorm2d on NCHW rows. Statistics and parameters are `1 x channels`.

use super::{cpu, gpu, Tensor};
use crate::error::{Error, Result};

fn slice(t: &ndarray::Array2<f32>) -> &[f32] {
    t.as_slice().unwrap_or(&[])
}

fn check(op: &'static str, x: &Tensor, channels: usize, per_channel: &[&Tensor]) -> Result<()> {
    if channels == 0 || !x.cols().is_multiple_of(channels) || per_channel.iter().any(|t| t.shape() != [1, channels]) {
        return Err(Error::shape(op, format!("x {:?} with {channels} channels", x.shape())));
    }
    Ok(())
}

/// Per-channel batch mean and biased variance.
pub fn batch_norm_stats(x: &Tensor, channels: usize) -> Result<(Tensor, Tensor)> {
    check("batch_norm_stats", x, channels, &[])?;
    match x {
        Tensor::Cpu(x) => {
            let (m, v) = cpu::norm::batch_norm_stats(x.view(), channels);
            Ok((Tensor::Cpu(m), Tensor::Cpu(v)))
        }
        Tensor::Gpu(g) => {
            let (m, v) = gpu::batch_norm_stats(g.gpu(), g, channels)?;
            Ok((Tensor::Gpu(m), Tensor::Gpu(v)))
        }
    }
}

/// `gamma (x - mean) / sqrt(var + eps) + beta` per channel.
pub fn batch_norm(
    x: &Tensor,
    mean: &Tensor,
    var: &Tensor,
    gamma: &Tensor,
    beta: &Tensor,
    channels: usize,
    eps: f32,
) -> Result<Tensor> {
    check("batch_norm", x, channels, &[mean, var, gamma, beta])?;
    match (x, mean, var, gamma, beta) {
        (Tensor::Cpu(x), Tensor::Cpu(m), Tensor::Cpu(v), Tensor::Cpu(g), Tensor::Cpu(b)) => {
            Ok(Tensor::Cpu(cpu::norm::batch_norm(x.view(), slice(m), slice(v), slice(g), slice(b), channels, eps)))
        }
        (Tensor::Gpu(x), Tensor::Gpu(m), Tensor::Gpu(v), Tensor::Gpu(g), Tensor::Gpu(b)) => {
            Ok(Tensor::Gpu(gpu::batch_norm(x.gpu(), x, m, v, g, b, channels, eps)?))
        }
        _ => Err(Error::DeviceMismatch { op: "batch_norm" }),
    }
}

/// `(dx, d gamma, d beta)` of training-mode batch norm (batch statistics `mean`, `var`).
pub fn batch_norm_backward(
    x: &Tensor,
    grad_y: &Tensor,
    mean: &Tensor,
    var: &Tensor,
    gamma: &Tensor,
    channels: usize,
    eps: f32,
) -> Result<(Tensor, Tensor, Tensor)> {
    check("batch_norm_backward", x, channels, &[mean, var, gamma])?;
    if grad_y.shape() != x.shape() {
        return Err(Error::shape("batch_norm_backward", format!("{:?} vs {:?}", grad_y.shape(), x.shape())));
    }
    match (x, grad_y, mean, var, gamma) {
        (Tensor::Cpu(x), Tensor::Cpu(dy), Tensor::Cpu(m), Tensor::Cpu(v), Tensor::Cpu(g)) => {
            let (dx, dg, db) =
                cpu::norm::batch_norm_backward(x.view(), dy.view(), slice(m), slice(v), slice(g), channels, eps);
            Ok((Tensor::Cpu(dx), Tensor::Cpu(dg), Tensor::Cpu(db)))
        }
        (Tensor::Gpu(x), Tensor::Gpu(dy), Tensor::Gpu(m), Tensor::Gpu(v), Tensor::Gpu(g)) => {
            let (dx, dg, db) = gpu::batch_norm_backward(x.gpu(), x, dy, m, v, g, channels, eps)?;
            Ok((Tensor::Gpu(dx), Tensor::Gpu(dg), Tensor::Gpu(db)))
        }
        _ => Err(Error::DeviceMismatch { op: "batch_norm_backward" }),
    }
}
