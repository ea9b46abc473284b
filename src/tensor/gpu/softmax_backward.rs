//! Launcher of `softmax_backward.wgsl` (reference: `cpu::softmax_backward`).

use super::softmax::SoftmaxDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;

/// The gradient with respect to the input of `softmax(x, log)`, from its output `y` and upstream `g`.
pub fn softmax_backward(gpu: &Gpu, y: &GpuTensor, g: &GpuTensor, log: bool) -> Result<GpuTensor> {
    let (rows, cols) = (y.shape()[0], y.shape()[1]);
    let out = GpuTensor::empty(gpu, y.shape(), "softmax_backward")?;
    let dims = SoftmaxDims { rows: rows as u32, cols: cols as u32, mode: log.into(), _pad: 0 };
    gpu.launch(
        &gpu.kernels().softmax_backward,
        "softmax_backward",
        bytemuck::bytes_of(&dims),
        &[y.buffer(), g.buffer(), out.buffer()],
        grid_1d(rows),
    );
    Ok(out)
}
