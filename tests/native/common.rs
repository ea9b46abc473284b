//! Shared test helpers: the GPU device (lavapipe in CI) and random matrices.
#![allow(dead_code)]

use bpfree::rng::Rng;
use bpfree::tensor::{Device, Gpu, Tensor};
use ndarray::Array2;

/// The native wgpu adapter, or None (the test then skips) — unless `REQUIRE_GPU=1`, which makes a missing
/// adapter a failure, as in CI.
pub fn gpu() -> Option<Device> {
    match pollster::block_on(Gpu::new()) {
        Ok(gpu) => Some(Device::Gpu(gpu)),
        Err(e) => {
            if std::env::var("REQUIRE_GPU").as_deref() == Ok("1") {
                panic!("REQUIRE_GPU=1 but no adapter: {e}");
            }
            eprintln!("skipped: no adapter ({e})");
            None
        }
    }
}

/// `rows x cols` values uniform in [-1, 1).
pub fn random(rows: usize, cols: usize, seed: u64) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    (0..rows * cols).map(|_| rng.uniform(-1.0, 1.0)).collect()
}

/// Largest absolute difference, with a message naming the op.
pub fn assert_close(op: &str, got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "{op}: length");
    let worst = got.iter().zip(want).map(|(g, w)| (g - w).abs() / (1.0 + w.abs())).fold(0.0f32, f32::max);
    assert!(worst <= tol, "{op}: max relative difference {worst} > {tol}");
}

/// Writes each test once, run on the CPU and on the GPU (candle's `test_device!`).
#[macro_export]
macro_rules! device_test {
    ($name:ident, $body:ident) => {
        mod $name {
            #[test]
            fn cpu() {
                super::$body(&bpfree::tensor::Device::Cpu);
            }
            #[test]
            fn gpu() {
                if let Some(d) = super::common::gpu() {
                    super::$body(&d);
                }
            }
        }
    };
}

/// The values of a CPU tensor.
pub fn cpu(t: &Tensor) -> Array2<f32> {
    match t {
        Tensor::Cpu(a) => a.clone(),
        Tensor::Gpu(_) => panic!("expected a CPU tensor"),
    }
}

/// A seeded `rows x cols` matrix of [`random`] values.
pub fn arr(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    Array2::from_shape_vec((rows, cols), random(rows, cols, seed)).unwrap()
}

/// Class ids as the `rows x 1` label column the algorithms take.
pub fn labels(y: &[u32]) -> Tensor {
    Tensor::Cpu(Array2::from_shape_fn((y.len(), 1), |(i, _)| y[i] as f32))
}

/// Central finite differences of `f` at `x` against `grad`, every coordinate.
pub fn check(name: &str, x: &Array2<f32>, grad: &Array2<f32>, mut f: impl FnMut(&Array2<f32>) -> f64) {
    // Small steps: the tiny blocks have few ReLU units, and a larger step crosses their kinks.
    let h = 1e-3f32;
    for idx in x.indexed_iter().map(|(i, _)| i) {
        let (mut plus, mut minus) = (x.clone(), x.clone());
        plus[idx] += h;
        minus[idx] -= h;
        let numeric = (f(&plus) - f(&minus)) / (2.0 * f64::from(h));
        let analytic = f64::from(grad[idx]);
        assert!(
            (numeric - analytic).abs() <= 2e-2 * numeric.abs().max(analytic.abs()).max(0.05),
            "{name} at {idx:?}: {numeric} vs {analytic}"
        );
    }
}

/// f32 sums in a different order differ by a few ulps per term.
pub const TOL: f32 = 1e-4;

/// The CPU device and the GPU device, or None (the test skips) without an adapter.
pub fn both() -> Option<(Device, Device)> {
    gpu().map(|g| (Device::Cpu, g))
}

/// The same random `rows x cols` matrix on both devices.
pub fn pair(devs: &(Device, Device), rows: usize, cols: usize, seed: u64) -> (Tensor, Tensor) {
    let data = random(rows, cols, seed);
    (devs.0.tensor(rows, cols, &data).unwrap(), devs.1.tensor(rows, cols, &data).unwrap())
}

/// A tensor's values, read back from either device.
pub fn read(t: &Tensor) -> Vec<f32> {
    pollster::block_on(t.to_vec()).unwrap()
}
