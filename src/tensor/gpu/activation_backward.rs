//! Launcher of `activation_backward.wgsl`: `grad_out * f'(x)` (reference: `cpu::activation_backward`).

use super::activation::ActivationDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Activation;

/// The gradient with respect to the activation's input `x`.
pub fn activation_backward(gpu: &Gpu, x: &GpuTensor, grad_out: &GpuTensor, f: Activation) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, x.shape(), "activation_backward")?;
    let dims = ActivationDims { len: x.len() as u32, kind: f.code(), _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().activation_backward,
        "activation_backward",
        bytemuck::bytes_of(&dims),
        &[x.buffer(), grad_out.buffer(), out.buffer()],
        grid_1d(x.len()),
    );
    Ok(out)
}
