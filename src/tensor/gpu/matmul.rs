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
    let [m, k, n] = mkn;
    let out = GpuTensor::empty(gpu, &[batch * m, n], "matmul")?;
    let dims = MatmulDims {
        m: m as u32,
        k: k as u32,
        n: n as u32,
        trans_a: trans_a.into(),
        trans_b: trans_b.into(),
        batch: batch as u32,
        _pad: [0; 2],
    };
    let groups = [n.div_ceil(64) as u32, m.div_ceil(64) as u32, batch as u32];
    if groups[0] > 65_535 || groups[1] > 65_535 || groups[2] > 65_535 {
        return Err(crate::error::Error::shape(
            "matmul",
            format!("{m}x{n} output needs more than 65,535 workgroups per dimension"),
        ));
    }
    gpu.launch(
        &gpu.kernels().matmul,
        "matmul",
        bytemuck::bytes_of(&dims),
        &[a.buffer(), b.buffer(), out.buffer()],
        groups,
    );
    Ok(out)
}
