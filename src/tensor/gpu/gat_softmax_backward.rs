//! Launcher of `gat_softmax_backward.wgsl` (reference: `cpu::gat::gat_softmax_backward`).

use super::gat_dims::GatDims;
use super::{grid_1d, Gpu, GpuIndex, GpuTensor};
use crate::error::Result;

/// `d raw` (`edges x heads`) from `alpha` and `d alpha`.
#[allow(clippy::too_many_arguments)]
pub fn gat_softmax_backward(
    gpu: &Gpu,
    dst_ptr: &GpuIndex,
    src_of: &GpuIndex,
    s_src: &GpuTensor,
    s_dst: &GpuTensor,
    alpha: &GpuTensor,
    grad_alpha: &GpuTensor,
    slope: f32,
) -> Result<GpuTensor> {
    let (nodes, heads) = (s_src.shape()[0], s_src.shape()[1]);
    let edges = src_of.len();
    let out = GpuTensor::zeros(gpu, &[edges, heads])?;
    let dims = GatDims::new(nodes, heads, 0, edges, slope);
    gpu.launch(
        &gpu.kernels().gat_softmax_backward,
        "gat_softmax_backward",
        bytemuck::bytes_of(&dims),
        &[
            dst_ptr.buffer(),
            src_of.buffer(),
            s_src.buffer(),
            s_dst.buffer(),
            alpha.buffer(),
            grad_alpha.buffer(),
            out.buffer(),
        ],
        grid_1d(nodes * heads),
    );
    Ok(out)
}
