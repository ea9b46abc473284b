//! Launcher of `matmul.wgsl`: `op(a) · op(b)` with optional transposes (reference: `cpu::matmul`); on a software
//! adapter, `matmul_direct.wgsl` instead ([`Gpu::direct_kernels`]).

use super::{Gpu, GpuTensor};
use crate::error::Result;
use super::matmul_dims::{tile_groups, MatmulDims};

/// `op(a)` is `m x k`, `op(b)` is `k x n`; returns the `m x n` product. Shapes are checked by the caller.
pub fn matmul(
    gpu: &Gpu,
    a: &GpuTensor,
    b: &GpuTensor,
    trans_a: bool,
    trans_b: bool,
    mkn: [usize; 3],
) -> Result<GpuTensor> {
    matmul_batched(gpu, a, b, trans_a, trans_b, mkn, 1)
}

/// `batch` products stored one after another: returns `(batch m) x n`.
pub fn matmul_batched(
    gpu: &Gpu,
    a: &GpuTensor,
    b: &GpuTensor,
    trans_a: bool,
    trans_b: bool,
    mkn: [usize; 3],
    batch: usize,
) -> Result<GpuTensor> {
    if gpu.direct_kernels() {
        return super::matmul_direct(gpu, a, b, trans_a, trans_b, mkn, batch);
    }
    let out = GpuTensor::empty(gpu, &[batch * mkn[0], mkn[2]], "matmul")?;
    let dims = MatmulDims::new(mkn, trans_a, trans_b, batch);
    let groups = tile_groups("matmul", mkn, 64, batch)?;
    gpu.launch(
        &gpu.kernels().matmul,
        "matmul",
        bytemuck::bytes_of(&dims),
        &[a.buffer(), b.buffer(), out.buffer()],
        groups,
    );
    Ok(out)
}
