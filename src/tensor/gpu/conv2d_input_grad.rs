//! Launcher of `conv2d_input_grad.wgsl` (reference: `cpu::image::conv2d_input_grad`).

use super::conv2d::ConvDims;
use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Conv2dShape;

/// `dL/dx` (`batch x (in_ch h w)`) from `dL/dout` and the weights.
pub fn conv2d_input_grad(gpu: &Gpu, grad_out: &GpuTensor, w: &GpuTensor, s: &Conv2dShape) -> Result<GpuTensor> {
    let batch = grad_out.shape()[0];
    let out = GpuTensor::empty(gpu, &[batch, s.in_len()], "conv2d_input_grad")?;
    gpu.launch(
        &gpu.kernels().conv2d_input_grad,
        "conv2d_input_grad",
        bytemuck::bytes_of(&ConvDims::new(batch, s)),
        &[grad_out.buffer(), w.buffer(), out.buffer()],
        grid_1d(batch * s.in_len()),
    );
    Ok(out)
}
