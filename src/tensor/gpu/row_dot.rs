//! Launchers of `row_dot.wgsl` and `row_dot_pairs.wgsl` (references: `cpu::rows::row_dot`, `cpu::rows::row_dot_pairs`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct RowDotDims {
    rows: u32,
    cols: u32,
    _pad: [u32; 2],
}

/// `out[r] = <a_r, b_r>` for two `rows x cols` tensors: `rows x 1`.
pub fn row_dot(gpu: &Gpu, a: &GpuTensor, b: &GpuTensor) -> Result<GpuTensor> {
    let (rows, cols) = (a.shape()[0], a.shape()[1]);
    let out = GpuTensor::empty(gpu, &[rows, 1], "row_dot")?;
    let dims = RowDotDims { rows: rows as u32, cols: cols as u32, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().row_dot,
        "row_dot",
        bytemuck::bytes_of(&dims),
        &[a.buffer(), b.buffer(), out.buffer()],
        grid_1d(rows),
    );
    Ok(out)
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct RowDotPairsDims {
    pairs: u32,
    cols: u32,
    source_rows: u32,
    _pad: u32,
}

/// `out[p] = <x[u[p]], x[v[p]]>` for `k x 1` index tensors `u`, `v` (stored as f32): `k x 1`.
pub fn row_dot_pairs(gpu: &Gpu, x: &GpuTensor, u: &GpuTensor, v: &GpuTensor) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let pairs = u.len();
    let out = GpuTensor::empty(gpu, &[pairs, 1], "row_dot_pairs")?;
    let dims = RowDotPairsDims { pairs: pairs as u32, cols: cols as u32, source_rows: rows as u32, _pad: 0 };
    gpu.launch(
        &gpu.kernels().row_dot_pairs,
        "row_dot_pairs",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), u.buffer(), v.buffer(), out.buffer()],
        grid_1d(pairs),
    );
    Ok(out)
}
