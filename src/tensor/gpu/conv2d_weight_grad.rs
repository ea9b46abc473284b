//! Launcher of `conv2d_weight_grad.wgsl` (reference: `cpu::image::conv2d_weight_grad`).

use super::conv2d::ConvDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Conv2dShape;

/// `dL/dw` (`out_ch x (in_ch 9)`) from `dL/dout` and the layer input.
pub fn conv2d_weight_grad(gpu: &Gpu, grad_out: &GpuTensor, x: &GpuTensor, s: &Conv2dShape) -> Result<GpuTensor> {
    let batch = grad_out.shape()[0];
    let out = GpuTensor::empty(gpu, &[s.out_ch, s.in_ch * 9], "conv2d_weight_grad")?;
    gpu.launch(
        &gpu.kernels().conv2d_weight_grad,
        "conv2d_weight_grad",
        bytemuck::bytes_of(&ConvDims::new(batch, s)),
        &[grad_out.buffer(), x.buffer(), out.buffer()],
        grid_1d(s.out_ch * s.in_ch * 9),
    );
    Ok(out)
}
