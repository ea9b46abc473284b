//! Launcher of `softmax.wgsl` (reference: `cpu::softmax`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(super) struct SoftmaxDims {
    pub rows: u32,
    pub cols: u32,
    pub mode: u32,
    pub _pad: u32,
}

/// Row-wise softmax, or log-softmax when `log` is set.
pub fn softmax(gpu: &Gpu, x: &GpuTensor, log: bool) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let out = GpuTensor::empty(gpu, x.shape(), "softmax")?;
    let dims = SoftmaxDims { rows: rows as u32, cols: cols as u32, mode: log.into(), _pad: 0 };
    gpu.launch(
        &gpu.kernels().softmax,
        "softmax",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        grid_1d(rows),
    );
    Ok(out)
}
