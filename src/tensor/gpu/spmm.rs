//! Launcher of `spmm.wgsl`: CSR times dense (reference: `cpu::spmm`).

use super::{grid_1d, Gpu, GpuIndex, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SpmmDims {
    rows: u32,
    features: u32,
    _pad: [u32; 2],
}

/// `A · x` for the CSR arrays of `A` (`rows` rows) and a dense `x`.
pub fn spmm(
    gpu: &Gpu,
    row_ptr: &GpuIndex,
    col_index: &GpuIndex,
    values: &GpuTensor,
    x: &GpuTensor,
    rows: usize,
) -> Result<GpuTensor> {
    let features = x.shape()[1];
    let out = GpuTensor::empty(gpu, &[rows, features], "spmm")?;
    let dims = SpmmDims { rows: rows as u32, features: features as u32, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().spmm,
        "spmm",
        bytemuck::bytes_of(&dims),
        &[row_ptr.buffer(), col_index.buffer(), values.buffer(), x.buffer(), out.buffer()],
        grid_1d(rows * features),
    );
    Ok(out)
}
