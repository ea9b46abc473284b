//! The uniform and the workgroup grid shared by the product kernels (`matmul`, `matmul_direct`, `matmul_naive`).

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
