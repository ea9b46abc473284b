//! Launcher of `gat_attention_grad.wgsl` (reference: `cpu::gat::gat_attention_grad`).

use super::gat_dims::GatDims;
use super::{grid_1d, Gpu, GpuIndex, GpuTensor};
use crate::error::Result;

/// `d alpha[e, h] = Σ_c d out[dst e, hC+c] x[src e, hC+c]` (`edges x heads`).
pub fn gat_attention_grad(
    gpu: &Gpu,
    src_of: &GpuIndex,
    dst_of: &GpuIndex,
    grad_out: &GpuTensor,
    x: &GpuTensor,
    heads: usize,
) -> Result<GpuTensor> {
    let (nodes, width) = (x.shape()[0], x.shape()[1]);
    let edges = src_of.len();
    let out = GpuTensor::empty(gpu, &[edges, heads], "gat_attention_grad")?;
    let dims = GatDims::new(nodes, heads, width / heads.max(1), edges, 0.0);
    gpu.launch(
        &gpu.kernels().gat_attention_grad,
        "gat_attention_grad",
        bytemuck::bytes_of(&dims),
        &[src_of.buffer(), dst_of.buffer(), grad_out.buffer(), x.buffer(), out.buffer()],
        grid_1d(edges * heads),
    );
    Ok(out)
}
