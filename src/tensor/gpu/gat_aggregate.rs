//! Launcher of `gat_aggregate.wgsl` (reference: `cpu::gat::gat_aggregate`).

use super::gat_dims::GatDims;
use super::{grid_1d, Gpu, GpuIndex, GpuTensor};
use crate::error::Result;

/// `out[n, hC+c] = Σ_{k in ptr[n]..ptr[n+1]} alpha[edge[k], h] x[neighbor[k], hC+c]`.
pub fn gat_aggregate(
    gpu: &Gpu,
    ptr: &GpuIndex,
    neighbor: &GpuIndex,
    edge: &GpuIndex,
    alpha: &GpuTensor,
    x: &GpuTensor,
) -> Result<GpuTensor> {
    let (nodes, width) = (x.shape()[0], x.shape()[1]);
    let heads = alpha.shape()[1];
    let out = GpuTensor::empty(gpu, &[nodes, width], "gat_aggregate")?;
    let dims = GatDims::new(nodes, heads, width / heads.max(1), edge.len(), 0.0);
    gpu.launch(
        &gpu.kernels().gat_aggregate,
        "gat_aggregate",
        bytemuck::bytes_of(&dims),
        &[ptr.buffer(), neighbor.buffer(), edge.buffer(), alpha.buffer(), x.buffer(), out.buffer()],
        grid_1d(nodes * width),
    );
    Ok(out)
}
