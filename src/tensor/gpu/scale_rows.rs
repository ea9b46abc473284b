//! Launcher of `scale_rows.wgsl`: every row times its own factor, or its 0/1 indicator
//! (reference: `cpu::scale_rows`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct ScaleRowsDims {
    len: u32,
    cols: u32,
    mode: u32,
    threshold: f32,
}

/// `x[r, :] * s[r]`, or `x[r, :] * [s[r] >= threshold]` when `threshold` is given.
pub fn scale_rows(gpu: &Gpu, x: &GpuTensor, s: &GpuTensor, threshold: Option<f32>) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, x.shape(), "scale_rows")?;
    let cols = x.shape()[1].max(1) as u32;
    let dims = ScaleRowsDims {
        len: x.len() as u32,
        cols,
        mode: u32::from(threshold.is_some()),
        threshold: threshold.unwrap_or(0.0),
    };
    gpu.launch(
        &gpu.kernels().scale_rows,
        "scale_rows",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), s.buffer(), out.buffer()],
        grid_1d(x.len()),
    );
    Ok(out)
}
