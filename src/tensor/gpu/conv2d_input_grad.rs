//! Launcher of `conv2d_input_grad.wgsl` (reference: `cpu::image::conv2d_input_grad`), and on a software adapter of its
//! register-blocked form `conv2d_input_grad_direct.wgsl` ([`Gpu::direct_kernels`]).

use super::conv2d::ConvDims;
use super::{grid_1d, grid_1d_of, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Conv2dShape;

/// `dL/dx` (`batch x (in_ch h w)`) from `dL/dout` and the weights.
pub fn conv2d_input_grad(gpu: &Gpu, grad_out: &GpuTensor, w: &GpuTensor, s: &Conv2dShape) -> Result<GpuTensor> {
    let batch = grad_out.shape()[0];
    let out = GpuTensor::empty(gpu, &[batch, s.in_len()], "conv2d_input_grad")?;
    let dims = ConvDims::new(batch, s);
    let bindings = [grad_out.buffer(), w.buffer(), out.buffer()];
    // 8 input channels per invocation: with fewer than 4 most of the block would idle (measured slower at 1); the
    // kernel's stride is a shift, 1 or 2
    if gpu.direct_kernels() && s.in_ch >= 4 && matches!(s.stride, 1 | 2) {
        let grid = grid_1d_of((batch * s.height * s.width).div_ceil(4) * s.in_ch.div_ceil(8), 64);
        gpu.launch(&gpu.kernels().conv2d_input_grad_direct, "conv2d_input_grad_direct", bytemuck::bytes_of(&dims), &bindings, grid);
    } else {
        let grid = grid_1d(batch * s.in_len());
        gpu.launch(&gpu.kernels().conv2d_input_grad, "conv2d_input_grad", bytemuck::bytes_of(&dims), &bindings, grid);
    }
    Ok(out)
}
