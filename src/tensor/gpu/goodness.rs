//! Launchers of `goodness.wgsl` and `goodness_backward.wgsl` (references: `cpu::goodness`,
//! `cpu::goodness_backward`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GoodnessDims {
    rows: u32,
    cols: u32,
    mode: u32,
    _pad: u32,
}

/// Per-row sum (or mean, with `mean`) of squares: `rows x 1`.
pub fn goodness(gpu: &Gpu, x: &GpuTensor, mean: bool) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let out = GpuTensor::empty(gpu, &[rows, 1], "goodness")?;
    let dims = GoodnessDims { rows: rows as u32, cols: cols as u32, mode: mean.into(), _pad: 0 };
    gpu.launch(
        &gpu.kernels().goodness,
        "goodness",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        grid_1d(rows),
    );
    Ok(out)
}

/// `dx = g_r * 2 x` (`/ cols` for the mean).
pub fn goodness_backward(gpu: &Gpu, x: &GpuTensor, g: &GpuTensor, mean: bool) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let out = GpuTensor::empty(gpu, x.shape(), "goodness_backward")?;
    let dims = GoodnessDims { rows: rows as u32, cols: cols as u32, mode: mean.into(), _pad: 0 };
    gpu.launch(
        &gpu.kernels().goodness_backward,
        "goodness_backward",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), g.buffer(), out.buffer()],
        grid_1d(rows * cols),
    );
    Ok(out)
}
