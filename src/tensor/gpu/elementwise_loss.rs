//! Launchers of the elementwise losses `bce_with_logits.wgsl` and `mse.wgsl` (references:
//! `cpu::bce_with_logits`, `cpu::mse`), which share one parameter layout.

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct LossDims {
    len: u32,
    scale: f32,
    _pad: [u32; 2],
}

fn launch(
    gpu: &Gpu,
    pipeline: &wgpu::ComputePipeline,
    label: &'static str,
    y: &GpuTensor,
    target: &GpuTensor,
    scale: f32,
) -> Result<(GpuTensor, GpuTensor)> {
    let loss = GpuTensor::empty(gpu, y.shape(), label)?;
    let grad = GpuTensor::empty(gpu, y.shape(), label)?;
    let dims = LossDims { len: y.len() as u32, scale, _pad: [0; 2] };
    gpu.launch(
        pipeline,
        label,
        bytemuck::bytes_of(&dims),
        &[y.buffer(), target.buffer(), loss.buffer(), grad.buffer()],
        grid_1d(y.len()),
    );
    Ok((loss, grad))
}

/// Elementwise BCE with logits and `scale * (sigmoid(z) - t)`.
pub fn bce_with_logits(gpu: &Gpu, z: &GpuTensor, target: &GpuTensor, scale: f32) -> Result<(GpuTensor, GpuTensor)> {
    launch(gpu, &gpu.kernels().bce_with_logits, "bce_with_logits", z, target, scale)
}

/// Elementwise squared error and `scale * 2 (y - t)`.
pub fn mse(gpu: &Gpu, y: &GpuTensor, target: &GpuTensor, scale: f32) -> Result<(GpuTensor, GpuTensor)> {
    launch(gpu, &gpu.kernels().mse, "mse", y, target, scale)
}
