//! Launcher of `upsample2x_backward.wgsl` (reference: `cpu::image::upsample2x_backward`).

use super::max_pool2x2::PlaneDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;

/// `dL/dx` (`batch x (channels h w)`) from the upsampled gradient; `h, w` are the input's sizes.
pub fn upsample2x_backward(gpu: &Gpu, grad_out: &GpuTensor, channels: usize, h: usize, w: usize) -> Result<GpuTensor> {
    let batch = grad_out.shape()[0];
    let out = GpuTensor::empty(gpu, &[batch, channels * h * w], "upsample2x_backward")?;
    let dims = PlaneDims { planes: (batch * channels) as u32, height: h as u32, width: w as u32, _pad: 0 };
    gpu.launch(
        &gpu.kernels().upsample2x_backward,
        "upsample2x_backward",
        bytemuck::bytes_of(&dims),
        &[grad_out.buffer(), out.buffer()],
        grid_1d(batch * channels * h * w),
    );
    Ok(out)
}
