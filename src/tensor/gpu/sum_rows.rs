//! Launcher of `sum_rows.wgsl`: column sums of a matrix (reference: `cpu::sum_rows`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SumRowsDims {
    rows: u32,
    cols: u32,
    _pad: [u32; 2],
}

/// Sums the rows of a `rows x cols` matrix into a `1 x cols` row.
pub fn sum_rows(gpu: &Gpu, x: &GpuTensor, rows: usize, cols: usize) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, &[1, cols], "sum_rows")?;
    let dims = SumRowsDims { rows: rows as u32, cols: cols as u32, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().sum_rows,
        "sum_rows",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        grid_1d(cols),
    );
    Ok(out)
}
