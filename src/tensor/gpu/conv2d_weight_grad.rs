//! Launcher of `conv2d_weight_grad.wgsl` (reference: `cpu::image::conv2d_weight_grad`), and on a software adapter of its
//! register-blocked form `conv2d_weight_grad_direct.wgsl` ([`Gpu::direct_kernels`]).

use super::conv2d::ConvDims;
use super::{grid_1d, grid_1d_of, sum_rows, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Conv2dShape;

/// `dL/dw` (`out_ch x (in_ch 9)`) from `dL/dout` and the layer input.
pub fn conv2d_weight_grad(gpu: &Gpu, grad_out: &GpuTensor, x: &GpuTensor, s: &Conv2dShape) -> Result<GpuTensor> {
    let batch = grad_out.shape()[0];
    let dims = ConvDims::new(batch, s);
    if gpu.direct_kernels() {
        return direct(gpu, grad_out, x, s, dims);
    }
    let out = GpuTensor::empty(gpu, &[s.out_ch, s.in_ch * 9], "conv2d_weight_grad")?;
    let bindings = [grad_out.buffer(), x.buffer(), out.buffer()];
    let grid = grid_1d(s.out_ch * s.in_ch * 9);
    gpu.launch(&gpu.kernels().conv2d_weight_grad, "conv2d_weight_grad", bytemuck::bytes_of(&dims), &bindings, grid);
    Ok(out)
}

/// `conv2d_weight_grad_direct.wgsl`: one invocation per 4 output channels and input channel, too few to fill even a
/// CPU's lanes on small layers (2 for 1 -> 8 channels), so the batch is cut into parts summed side by side (at
/// least 512 invocations where the batch allows) and the parts are added in order (`sum_rows`).
fn direct(gpu: &Gpu, grad_out: &GpuTensor, x: &GpuTensor, s: &Conv2dShape, mut dims: ConvDims) -> Result<GpuTensor> {
    let batch = grad_out.shape()[0].max(1);
    let per_part = s.out_ch.div_ceil(4) * s.in_ch;
    let chunk = batch.div_ceil(512usize.div_ceil(per_part).clamp(1, batch));
    let parts = batch.div_ceil(chunk);
    dims.chunk = chunk as u32;
    let weights = s.out_ch * s.in_ch * 9;
    let out = GpuTensor::empty(gpu, &[parts, weights], "conv2d_weight_grad")?;
    gpu.launch(
        &gpu.kernels().conv2d_weight_grad_direct,
        "conv2d_weight_grad_direct",
        bytemuck::bytes_of(&dims),
        &[grad_out.buffer(), x.buffer(), out.buffer()],
        grid_1d_of(per_part * parts, 64),
    );
    let total = if parts == 1 { out } else { sum_rows(gpu, &out, parts, weights)? };
    total.reshape(&[s.out_ch, s.in_ch * 9])
}
