//! Launcher of `conv2d.wgsl` (reference: `cpu::image::conv2d`), and on a software adapter of its register-blocked
//! form `conv2d_direct.wgsl` ([`Gpu::direct_kernels`]); `ConvDims` is shared with the gradients.

use super::{grid_1d, grid_1d_of, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Conv2dShape;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(super) struct ConvDims {
    batch: u32,
    in_ch: u32,
    height: u32,
    width: u32,
    out_ch: u32,
    out_height: u32,
    out_width: u32,
    stride: u32,
    pad: u32,
    /// Images per part of the batch (`conv2d_weight_grad_direct.wgsl` sums each part on its own).
    pub chunk: u32,
    _pad: [u32; 2],
}

impl ConvDims {
    pub fn new(batch: usize, s: &Conv2dShape) -> Self {
        ConvDims {
            batch: batch as u32,
            in_ch: s.in_ch as u32,
            height: s.height as u32,
            width: s.width as u32,
            out_ch: s.out_ch as u32,
            out_height: s.out_height() as u32,
            out_width: s.out_width() as u32,
            stride: s.stride as u32,
            pad: s.pad as u32,
            chunk: batch as u32,
            _pad: [0; 2],
        }
    }
}

/// `batch x (out_ch out_h out_w)` from `x: batch x (in_ch h w)`, `w: out_ch x (in_ch 9)`, `bias: 1 x out_ch`.
pub fn conv2d(gpu: &Gpu, x: &GpuTensor, w: &GpuTensor, bias: &GpuTensor, s: &Conv2dShape) -> Result<GpuTensor> {
    let batch = x.shape()[0];
    let out = GpuTensor::empty(gpu, &[batch, s.out_len()], "conv2d")?;
    let dims = ConvDims::new(batch, s);
    let bindings = [x.buffer(), w.buffer(), bias.buffer(), out.buffer()];
    // 8 channels x 4 positions per invocation, 64 per workgroup; with fewer than 4 channels most of the block
    // would idle
    if gpu.direct_kernels() && s.out_ch >= 4 {
        let invocations = (batch * s.out_height() * s.out_width()).div_ceil(4) * s.out_ch.div_ceil(8);
        let grid = grid_1d_of(invocations, 64);
        gpu.launch(&gpu.kernels().conv2d_direct, "conv2d_direct", bytemuck::bytes_of(&dims), &bindings, grid);
    } else {
        let grid = grid_1d(batch * s.out_len());
        gpu.launch(&gpu.kernels().conv2d, "conv2d", bytemuck::bytes_of(&dims), &bindings, grid);
    }
    Ok(out)
}
