//! Launcher of `reduce.wgsl` (reference: `cpu::reduce`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Reduction;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct ReduceDims {
    rows: u32,
    cols: u32,
    axis: u32,
    op: u32,
}

/// Reduces along `axis` (0: over rows, giving `1 x cols`; 1: over columns, giving `rows x 1`).
pub fn reduce(gpu: &Gpu, x: &GpuTensor, axis: usize, op: Reduction) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let shape = if axis == 0 { [1, cols] } else { [rows, 1] };
    let out = GpuTensor::empty(gpu, &shape, "reduce")?;
    let dims = ReduceDims { rows: rows as u32, cols: cols as u32, axis: axis as u32, op: op.code() };
    let outputs = shape[0] * shape[1];
    gpu.launch(
        &gpu.kernels().reduce,
        "reduce",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        grid_1d(outputs),
    );
    Ok(out)
}
