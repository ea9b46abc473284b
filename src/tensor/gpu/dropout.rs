//! Launcher of `dropout.wgsl` (reference: `cpu::dropout`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct DropoutParams {
    len: u32,
    p: f32,
    seed_lo: u32,
    seed_hi: u32,
}

/// `x` with elements dropped (probability `p`) by the mask of `seed`, survivors scaled by `1 / (1 - p)`.
pub fn dropout(gpu: &Gpu, x: &GpuTensor, p: f32, seed: u64) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, x.shape(), "dropout")?;
    let params = DropoutParams { len: x.len() as u32, p, seed_lo: seed as u32, seed_hi: (seed >> 32) as u32 };
    gpu.launch(
        &gpu.kernels().dropout,
        "dropout",
        bytemuck::bytes_of(&params),
        &[x.buffer(), out.buffer()],
        grid_1d(x.len()),
    );
    Ok(out)
}
