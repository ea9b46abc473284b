//! Launcher of `centralize_columns.wgsl` (reference: `cpu::centralize_columns`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct CentralizeDims {
    rows: u32,
    cols: u32,
    _pad: [u32; 2],
}

/// Removes each column's mean from `g`, in place.
pub fn centralize_columns(gpu: &Gpu, g: &GpuTensor) -> Result<()> {
    let (rows, cols) = (g.shape()[0], g.shape()[1]);
    let dims = CentralizeDims { rows: rows as u32, cols: cols as u32, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().centralize_columns,
        "centralize_columns",
        bytemuck::bytes_of(&dims),
        &[g.buffer()],
        grid_1d(cols),
    );
    Ok(())
}
