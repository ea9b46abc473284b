//! Launcher of `gat_softmax.wgsl` (reference: `cpu::gat::gat_softmax`).

use super::gat_dims::GatDims;
use super::{grid_1d, Gpu, GpuIndex, GpuTensor};
use crate::error::Result;

/// `alpha` (`edges x heads`, destination order) from the per-node scores `s_src`, `s_dst` (`nodes x heads`).
pub fn gat_softmax(
    gpu: &Gpu,
    dst_ptr: &GpuIndex,
    src_of: &GpuIndex,
    s_src: &GpuTensor,
    s_dst: &GpuTensor,
    slope: f32,
) -> Result<GpuTensor> {
    let (nodes, heads) = (s_src.shape()[0], s_src.shape()[1]);
    let edges = src_of.len();
    let alpha = GpuTensor::zeros(gpu, &[edges, heads])?;
    let dims = GatDims::new(nodes, heads, 0, edges, slope);
    gpu.launch(
        &gpu.kernels().gat_softmax,
        "gat_softmax",
        bytemuck::bytes_of(&dims),
        &[dst_ptr.buffer(), src_of.buffer(), s_src.buffer(), s_dst.buffer(), alpha.buffer()],
        grid_1d(nodes * heads),
    );
    Ok(alpha)
}
