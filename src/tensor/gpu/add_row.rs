//! Launcher of `add_row.wgsl`: adds a `1 x cols` row to every row (reference: `cpu::add_row`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct AddRowDims {
    len: u32,
    cols: u32,
    _pad: [u32; 2],
}

/// `x + row` with `row` broadcast over the rows of `x`.
pub fn add_row(gpu: &Gpu, x: &GpuTensor, row: &GpuTensor) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, x.shape(), "add_row")?;
    let dims = AddRowDims { len: x.len() as u32, cols: row.len() as u32, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().add_row,
        "add_row",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), row.buffer(), out.buffer()],
        grid_1d(x.len()),
    );
    Ok(out)
}
