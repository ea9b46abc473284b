//! Launcher of `activation.wgsl`: elementwise `f(x)` (reference: `cpu::activation`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Activation;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(super) struct ActivationDims {
    pub len: u32,
    pub kind: u32,
    pub _pad: [u32; 2],
}

/// `f(x)` for the activation `f`.
pub fn activation(gpu: &Gpu, x: &GpuTensor, f: Activation) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, x.shape(), "activation")?;
    let dims = ActivationDims { len: x.len() as u32, kind: f.code(), _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().activation,
        "activation",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), out.buffer()],
        grid_1d(x.len()),
    );
    Ok(out)
}
