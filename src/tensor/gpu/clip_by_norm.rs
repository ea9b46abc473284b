//! Launcher of `clip_by_norm.wgsl` (reference: `cpu::clip_by_norm`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct ClipDims {
    len: u32,
    max_norm: f32,
    _pad: [u32; 2],
}

/// Scales `g` in place by `min(1, max_norm / (sqrt(total_sq) + 1e-6))`.
pub fn clip_by_norm(gpu: &Gpu, g: &GpuTensor, total_sq: &GpuTensor, max_norm: f32) -> Result<()> {
    let dims = ClipDims { len: g.len() as u32, max_norm, _pad: [0; 2] };
    gpu.launch(
        &gpu.kernels().clip_by_norm,
        "clip_by_norm",
        bytemuck::bytes_of(&dims),
        &[g.buffer(), total_sq.buffer()],
        grid_1d(g.len()),
    );
    Ok(())
}
