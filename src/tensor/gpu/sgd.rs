//! Launcher of `sgd.wgsl`: one SGD-with-momentum step in place (reference: `cpu::sgd`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::SgdStep;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SgdParams {
    len: u32,
    lr: f32,
    momentum: f32,
    weight_decay: f32,
}

/// Updates `param` and `velocity` from `grad`.
pub fn sgd(gpu: &Gpu, param: &GpuTensor, grad: &GpuTensor, velocity: &GpuTensor, hp: &SgdStep) -> Result<()> {
    let params = SgdParams { len: param.len() as u32, lr: hp.lr, momentum: hp.momentum, weight_decay: hp.weight_decay };
    gpu.launch(
        &gpu.kernels().sgd,
        "sgd",
        bytemuck::bytes_of(&params),
        &[param.buffer(), grad.buffer(), velocity.buffer()],
        grid_1d(param.len()),
    );
    Ok(())
}
