//! Launcher of `gather_rows.wgsl`: picks rows by index (reference: `cpu::gather_rows`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GatherRowsDims {
    len: u32,
    cols: u32,
    source_rows: u32,
    _pad: u32,
}

/// `out[r] = x[index[r]]` for a `rows x cols` matrix `x` and an index vector of `k` entries.
pub fn gather_rows(gpu: &Gpu, x: &GpuTensor, index: &GpuTensor) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let k = index.len();
    let out = GpuTensor::empty(gpu, &[k, cols], "gather_rows")?;
    let dims = GatherRowsDims { len: (k * cols) as u32, cols: cols as u32, source_rows: rows as u32, _pad: 0 };
    gpu.launch(
        &gpu.kernels().gather_rows,
        "gather_rows",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), index.buffer(), out.buffer()],
        grid_1d(k * cols),
    );
    Ok(out)
}
