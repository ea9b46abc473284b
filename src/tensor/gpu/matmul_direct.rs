//! Launcher of `matmul_direct.wgsl`: the same contract as [`super::matmul_batched`] without workgroup memory,
//! for software adapters (reference: `cpu::matmul`).

use super::matmul_dims::{tile_groups, MatmulDims};
use super::{Gpu, GpuTensor};
use crate::error::Result;

/// `batch` products `op(a_i) · op(b_i)` of shape `mkn`, stored one after another: returns `(batch m) x n`.
pub fn matmul_direct(
    gpu: &Gpu,
    a: &GpuTensor,
    b: &GpuTensor,
    trans_a: bool,
    trans_b: bool,
    mkn: [usize; 3],
    batch: usize,
) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, &[batch * mkn[0], mkn[2]], "matmul_direct")?;
    let dims = MatmulDims::new(mkn, trans_a, trans_b, batch);
    // one workgroup per 32 rows x 64 columns of each product
    let [cols, _, z] = tile_groups("matmul_direct", mkn, 64, batch)?;
    let rows = tile_groups("matmul_direct", mkn, 32, batch)?[1];
    gpu.launch(
        &gpu.kernels().matmul_direct,
        "matmul_direct",
        bytemuck::bytes_of(&dims),
        &[a.buffer(), b.buffer(), out.buffer()],
        [cols, rows, z],
    );
    Ok(out)
}
