//! Launcher of `upsample2x.wgsl` (reference: `cpu::image::upsample2x`).

use super::max_pool2x2::PlaneDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;

/// `batch x (channels 2h 2w)` from `batch x (channels h w)`.
pub fn upsample2x(gpu: &Gpu, x: &GpuTensor, channels: usize, h: usize, w: usize) -> Result<GpuTensor> {
    let batch = x.shape()[0];
    let out = GpuTensor::empty(gpu, &[batch, channels * 4 * h * w], "upsample2x")?;
    let dims = PlaneDims { planes: (batch * channels) as u32, height: h as u32, width: w as u32, _pad: 0 };
    gpu.launch(
        &gpu.kernels().upsample2x,
        "upsample2x",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        grid_1d(batch * channels * 4 * h * w),
    );
    Ok(out)
}
