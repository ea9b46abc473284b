//! Launcher of `random.wgsl`: counter-based draws identical to `cpu::random`.

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Distribution;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct RandomParams {
    len: u32,
    dist: u32,
    seed_lo: u32,
    seed_hi: u32,
    a: f32,
    b: f32,
    _pad: [u32; 2],
}

/// A `rows x cols` draw from `dist` with `seed`.
pub fn random(gpu: &Gpu, rows: usize, cols: usize, dist: Distribution, seed: u64) -> Result<GpuTensor> {
    let out = GpuTensor::empty(gpu, &[rows, cols], "random")?;
    let (code, a, b) = dist.params();
    let params = RandomParams {
        len: (rows * cols) as u32,
        dist: code,
        seed_lo: seed as u32,
        seed_hi: (seed >> 32) as u32,
        a,
        b,
        _pad: [0; 2],
    };
    gpu.launch(&gpu.kernels().random, "random", bytemuck::bytes_of(&params), &[out.buffer()], grid_1d(rows * cols));
    Ok(out)
}
