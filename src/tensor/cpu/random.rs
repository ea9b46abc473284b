//! Counter-based random numbers and dropout on the CPU (references of the GPU kernels of the same names).

use super::super::Distribution;
use ndarray::{Array2, ArrayView2};

/// The PCG output permutation, as in `random.wgsl`.
fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// `u(counter)` in [0, 1) for a seed, as in `random.wgsl`.
fn unit(counter: u32, seed: u64) -> f32 {
    let h = pcg(pcg(counter ^ seed as u32).wrapping_add((seed >> 32) as u32));
    (h >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// A counter-based draw: element `i` depends only on `(seed, i)` (see `random.wgsl`).
pub fn random(rows: usize, cols: usize, dist: Distribution, seed: u64) -> Array2<f32> {
    let (code, a, b) = dist.params();
    Array2::from_shape_fn((rows, cols), |(r, c)| {
        let i = (r * cols + c) as u32;
        if code == 1 {
            let u1 = 1.0 - unit(2 * i, seed);
            let u2 = unit(2 * i + 1, seed);
            a + b * (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
        } else {
            a + (b - a) * unit(i, seed)
        }
    })
}

/// Inverted dropout with the counter-based mask of `seed` (see `dropout.wgsl`).
pub fn dropout(x: ArrayView2<f32>, p: f32, seed: u64) -> Array2<f32> {
    let cols = x.ncols();
    Array2::from_shape_fn(
        x.dim(),
        |(r, c)| {
            if unit((r * cols + c) as u32, seed) >= p {
                x[[r, c]] / (1.0 - p)
            } else {
                0.0
            }
        },
    )
}
