//! Shared test helpers: the GPU device (lavapipe in CI) and random matrices.
#![allow(dead_code)]

use bpfree::rng::Rng;
use bpfree::tensor::{Device, Gpu};

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
