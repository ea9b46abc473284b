//! Launcher of `add_scaled.wgsl`: `acc += alpha * x` in place (reference: `cpu::add_scaled`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct AddScaledDims {
    len: u32,
    alpha: f32,
    _pad: [u32; 2],
}

/// Adds `alpha * x` to `acc` on the device.
pub fn add_scaled(gpu: &Gpu, acc: &GpuTensor, x: &GpuTensor, alpha: f32) -> Result<()> {
    let dims = AddScaledDims { len: acc.len() as u32, alpha, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().add_scaled,
        "add_scaled",
        bytemuck::bytes_of(&dims),
        &[acc.buffer(), x.buffer()],
        grid_1d(acc.len()),
    );
    Ok(())
}
