//! Launcher of `max_pool2x2_backward.wgsl` (reference: `cpu::image::max_pool2x2_backward`).

use super::max_pool2x2::PlaneDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;

/// `dL/dx` (`batch x (channels h w)`) from the pooled gradient and the recorded winners.
pub fn max_pool2x2_backward(
    gpu: &Gpu,
    grad_out: &GpuTensor,
    winner: &GpuTensor,
    channels: usize,
    h: usize,
    w: usize,
) -> Result<GpuTensor> {
    let batch = grad_out.shape()[0];
    let out = GpuTensor::empty(gpu, &[batch, channels * h * w], "max_pool2x2_backward")?;
    let dims = PlaneDims { planes: (batch * channels) as u32, height: h as u32, width: w as u32, _pad: 0 };
    gpu.launch(
        &gpu.kernels().max_pool2x2_backward,
        "max_pool2x2_backward",
        bytemuck::bytes_of(&dims),
        &[grad_out.buffer(), winner.buffer(), out.buffer()],
        grid_1d(batch * channels * h * w),
    );
    Ok(out)
}
