//! Launchers of `batch_norm_stats.wgsl`, `batch_norm.wgsl` and `batch_norm_backward.wgsl` (references:
//! `cpu::batch_norm_stats`, `cpu::batch_norm`, `cpu::batch_norm_backward`), which share `NormDims`.

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct NormDims {
    batch: u32,
    channels: u32,
    plane: u32,
    eps: f32,
}

fn dims(x: &GpuTensor, channels: usize, eps: f32) -> NormDims {
    let batch = x.shape()[0];
    let plane = x.shape()[1] / channels.max(1);
    NormDims { batch: batch as u32, channels: channels as u32, plane: plane as u32, eps }
}

/// Per-channel `(mean, biased variance)`, each `1 x channels`.
pub fn batch_norm_stats(gpu: &Gpu, x: &GpuTensor, channels: usize) -> Result<(GpuTensor, GpuTensor)> {
    let mean = GpuTensor::empty(gpu, &[1, channels], "batch_norm_stats")?;
    let var = GpuTensor::empty(gpu, &[1, channels], "batch_norm_stats")?;
    gpu.launch(
        &gpu.kernels().batch_norm_stats,
        "batch_norm_stats",
        bytemuck::bytes_of(&dims(x, channels, 0.0)),
        &[x.buffer(), mean.buffer(), var.buffer()],
        grid_1d(channels),
    );
    Ok((mean, var))
}

/// `gamma (x - mean) / sqrt(var + eps) + beta` per channel.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm(
    gpu: &Gpu,
    x: &GpuTensor,
    mean: &GpuTensor,
    var: &GpuTensor,
    gamma: &GpuTensor,
    beta: &GpuTensor,
    channels: usize,
    eps: f32,
) -> Result<GpuTensor> {
    let y = GpuTensor::empty(gpu, x.shape(), "batch_norm")?;
    gpu.launch(
        &gpu.kernels().batch_norm,
        "batch_norm",
        bytemuck::bytes_of(&dims(x, channels, eps)),
        &[x.buffer(), mean.buffer(), var.buffer(), gamma.buffer(), beta.buffer(), y.buffer()],
        grid_1d(x.len()),
    );
    Ok(y)
}

/// `(dx, d gamma, d beta)` of training-mode batch norm.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward(
    gpu: &Gpu,
    x: &GpuTensor,
    grad_y: &GpuTensor,
    mean: &GpuTensor,
    var: &GpuTensor,
    gamma: &GpuTensor,
    channels: usize,
    eps: f32,
) -> Result<(GpuTensor, GpuTensor, GpuTensor)> {
    let dx = GpuTensor::empty(gpu, x.shape(), "batch_norm_backward")?;
    let dgamma = GpuTensor::empty(gpu, &[1, channels], "batch_norm_backward")?;
    let dbeta = GpuTensor::empty(gpu, &[1, channels], "batch_norm_backward")?;
    gpu.launch(
        &gpu.kernels().batch_norm_backward,
        "batch_norm_backward",
        bytemuck::bytes_of(&dims(x, channels, eps)),
        &[
            x.buffer(),
            grad_y.buffer(),
            mean.buffer(),
            var.buffer(),
            gamma.buffer(),
            dx.buffer(),
            dgamma.buffer(),
            dbeta.buffer(),
        ],
        grid_1d(channels),
    );
    Ok((dx, dgamma, dbeta))
}
