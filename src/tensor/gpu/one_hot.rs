//! Launcher of `one_hot.wgsl` (reference: `cpu::one_hot`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct OneHotDims {
    len: u32,
    classes: u32,
    _pad: [u32; 2],
}

/// `rows x classes` one-hot rows of `labels` (`rows x 1`).
pub fn one_hot(gpu: &Gpu, labels: &GpuTensor, classes: usize) -> Result<GpuTensor> {
    let rows = labels.len();
    let out = GpuTensor::empty(gpu, &[rows, classes], "one_hot")?;
    let dims = OneHotDims { len: (rows * classes) as u32, classes: classes as u32, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().one_hot,
        "one_hot",
        bytemuck::bytes_of(&dims),
        &[labels.buffer(), out.buffer()],
        grid_1d(rows * classes),
    );
    Ok(out)
}
