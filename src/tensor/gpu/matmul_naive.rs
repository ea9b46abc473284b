//! Launcher of `matmul_naive.wgsl`, the untiled baseline of `matmul` (reference: `cpu::matmul`).

use super::matmul_dims::{tile_groups, MatmulDims};
use super::{Gpu, GpuTensor};
use crate::error::Result;

/// Same contract as [`super::matmul`].
pub fn matmul_naive(
    gpu: &Gpu,
    a: &GpuTensor,
    b: &GpuTensor,
    trans_a: bool,
    trans_b: bool,
    mkn: [usize; 3],
) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, &[mkn[0], mkn[2]], "matmul_naive")?;
    let dims = MatmulDims::new(mkn, trans_a, trans_b, 1);
    let groups = tile_groups("matmul_naive", mkn, 16, 1)?;
    gpu.launch(
        &gpu.kernels().matmul_naive,
        "matmul_naive",
        bytemuck::bytes_of(&dims),
        &[a.buffer(), b.buffer(), out.buffer()],
        groups,
    );
    Ok(out)
}
