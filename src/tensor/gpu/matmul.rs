//! Launcher of `matmul.wgsl`: `op(a) · op(b)` with optional transposes (reference: `cpu::matmul`).

use super::{Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(super) struct MatmulDims {
    pub m: u32,
    pub k: u32,
    pub n: u32,
    pub trans_a: u32,
    pub trans_b: u32,
    pub batch: u32,
    pub _pad: [u32; 2],
}

impl MatmulDims {
    /// The uniform of `batch` products `op(a) · op(b)` of shape `mkn`.
    pub fn new(mkn: [usize; 3], trans_a: bool, trans_b: bool, batch: usize) -> Self {
        let [m, k, n] = mkn;
        let (m, k, n, batch) = (m as u32, k as u32, n as u32, batch as u32);
        MatmulDims { m, k, n, trans_a: trans_a.into(), trans_b: trans_b.into(), batch, _pad: [0; 2] }
    }
}

/// The workgroup grid of an `m x n` output in `tile x tile` tiles, `batch` deep; an error names `kernel` when
/// a dimension exceeds WebGPU's 65,535 workgroups.
pub(super) fn tile_groups(kernel: &'static str, mkn: [usize; 3], tile: usize, batch: usize) -> Result<[u32; 3]> {
    let [m, _, n] = mkn;
    let groups = [n.div_ceil(tile), m.div_ceil(tile), batch];
    if groups.iter().any(|&g| g > 65_535) {
        let why = format!("{m}x{n} output needs more than 65,535 workgroups per dimension");
        return Err(crate::error::Error::shape(kernel, why));
    }
    Ok(groups.map(|g| g as u32))
}

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
