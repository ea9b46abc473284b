//! Launcher of `adam.wgsl`: one Adam/AdamW step in place (reference: `cpu::adam`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::AdamStep;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct AdamParams {
    len: u32,
    decoupled: u32,
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    bias1: f32,
    bias2: f32,
    _pad: [u32; 3],
}

/// Updates `param`, `m` and `v` from `grad`.
pub fn adam(gpu: &Gpu, param: &GpuTensor, grad: &GpuTensor, m: &GpuTensor, v: &GpuTensor, hp: &AdamStep) -> Result<()> {
    let (bias1, bias2) = hp.bias_corrections();
    let params = AdamParams {
        len: param.len() as u32,
        decoupled: hp.decoupled.into(),
        lr: hp.lr,
        beta1: hp.beta1,
        beta2: hp.beta2,
        eps: hp.eps,
        weight_decay: hp.weight_decay,
        bias1,
        bias2,
        _pad: [0; 3],
    };
    gpu.launch(
        &gpu.kernels().adam,
        "adam",
        bytemuck::bytes_of(&params),
        &[param.buffer(), grad.buffer(), m.buffer(), v.buffer()],
        grid_1d(param.len()),
    );
    Ok(())
}
