//! Launcher of `row_dot.wgsl` (reference: `cpu_rows::row_dot`).

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
