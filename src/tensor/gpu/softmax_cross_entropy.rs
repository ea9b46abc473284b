//! Launcher of `softmax_cross_entropy.wgsl`: per-row loss and logit gradient (reference:
//! `cpu::softmax_cross_entropy`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SoftmaxCrossEntropyDims {
    rows: u32,
    classes: u32,
    scale: f32,
    _pad: u32,
}

/// Returns `(loss [rows, 1], grad [rows, classes])`, the gradient scaled by `scale`.
pub fn softmax_cross_entropy(
    gpu: &Gpu,
    logits: &GpuTensor,
    labels: &GpuTensor,
    scale: f32,
) -> Result<(GpuTensor, GpuTensor)> {
    let (rows, classes) = (logits.shape()[0], logits.shape()[1]);
    let loss = GpuTensor::empty(gpu, &[rows, 1], "softmax_cross_entropy")?;
    let grad = GpuTensor::empty(gpu, logits.shape(), "softmax_cross_entropy")?;
    let dims = SoftmaxCrossEntropyDims { rows: rows as u32, classes: classes as u32, scale, _pad: 0 };
    gpu.launch(
        &gpu.kernels().softmax_cross_entropy,
        "softmax_cross_entropy",
        bytemuck::bytes_of(&dims),
        &[logits.buffer(), labels.buffer(), loss.buffer(), grad.buffer()],
        grid_1d(rows),
    );
    Ok((loss, grad))
}
