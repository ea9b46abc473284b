//! Launcher of `l2_normalize_rows_backward.wgsl` (reference: `cpu::l2_normalize_rows_backward`).

use super::l2_normalize_rows::L2NormalizeDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;

/// The gradient with respect to the input of `l2_normalize_rows`.
pub fn l2_normalize_rows_backward(gpu: &Gpu, x: &GpuTensor, grad_y: &GpuTensor, eps: f32) -> Result<GpuTensor> {
    let (rows, cols) = (x.shape()[0], x.shape()[1]);
    let out = GpuTensor::empty(gpu, x.shape(), "l2_normalize_rows_backward")?;
    let dims = L2NormalizeDims { rows: rows as u32, cols: cols as u32, eps, _pad: 0 };
    gpu.launch(
        &gpu.kernels().l2_normalize_rows_backward,
        "l2_normalize_rows_backward",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), grad_y.buffer(), out.buffer()],
        grid_1d(rows),
    );
    Ok(out)
}
