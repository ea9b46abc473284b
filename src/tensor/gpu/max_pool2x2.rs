//! Launcher of `max_pool2x2.wgsl` (reference: `cpu::image::max_pool2x2`); `PlaneDims` is shared with the
//! pooling backward and the upsampling kernels.

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(super) struct PlaneDims {
    pub planes: u32,
    pub height: u32,
    pub width: u32,
    pub _pad: u32,
}

/// `(pooled, winner)` for `x: batch x (channels h w)`; both `batch x (channels h/2 w/2)`.
pub fn max_pool2x2(gpu: &Gpu, x: &GpuTensor, channels: usize, h: usize, w: usize) -> Result<(GpuTensor, GpuTensor)> {
    let batch = x.shape()[0];
    let len = channels * (h / 2) * (w / 2);
    let out = GpuTensor::empty(gpu, &[batch, len], "max_pool2x2")?;
    let winner = GpuTensor::empty(gpu, &[batch, len], "max_pool2x2")?;
    let dims = PlaneDims { planes: (batch * channels) as u32, height: h as u32, width: w as u32, _pad: 0 };
    gpu.launch(
        &gpu.kernels().max_pool2x2,
        "max_pool2x2",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer(), winner.buffer()],
        grid_1d(batch * len),
    );
    Ok((out, winner))
}
