//! Launcher of `sum_squares.wgsl` (reference: `cpu::sum_squares`).

use super::{Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SumSquaresDims {
    len: u32,
    _pad: [u32; 3],
}

/// `[1, 1]` tensor holding the sum of squares of `x`.
pub fn sum_squares(gpu: &Gpu, x: &GpuTensor) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, &[1, 1], "sum_squares")?;
    let dims = SumSquaresDims { len: x.len() as u32, _pad: [0; 3] };
    gpu.launch(
        &gpu.kernels().sum_squares,
        "sum_squares",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        [1, 1, 1],
    );
    Ok(out)
}
