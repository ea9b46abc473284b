//! Launcher of `l2_normalize_rows.wgsl` (reference: `cpu::l2_normalize_rows`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(super) struct L2NormalizeDims {
    pub rows: u32,
    pub cols: u32,
    pub eps: f32,
    pub _pad: u32,
}

/// `x / (||x|| + eps)` per row.
pub fn l2_normalize_rows(gpu: &Gpu, x: &GpuTensor, eps: f32) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let out = GpuTensor::empty(gpu, x.shape(), "l2_normalize_rows")?;
    let dims = L2NormalizeDims { rows: rows as u32, cols: cols as u32, eps, _pad: 0 };
    gpu.launch(
        &gpu.kernels().l2_normalize_rows,
        "l2_normalize_rows",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        grid_1d(rows),
    );
    Ok(out)
}
