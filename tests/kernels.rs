//! GPU == CPU for every kernel: the same inputs through `tensor::gpu` (lavapipe natively) and `tensor::cpu`,
//! compared with a stated tolerance (relative to 1 + |reference|). Skips the GPU half without an adapter
//! unless REQUIRE_GPU=1.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use bpfree::tensor::*;
use common::{assert_close, gpu, random};
use pollster::block_on;

/// f32 sums in a different order differ by a few ulps per term.
const TOL: f32 = 1e-4;

fn both() -> Option<(Device, Device)> {
    gpu().map(|g| (Device::Cpu, g))
}

fn pair(devs: &(Device, Device), rows: usize, cols: usize, seed: u64) -> (Tensor, Tensor) {
    let data = random(rows, cols, seed);
    (devs.0.tensor(rows, cols, &data).unwrap(), devs.1.tensor(rows, cols, &data).unwrap())
}

fn read(t: &Tensor) -> Vec<f32> {
    block_on(t.to_vec()).unwrap()
}

#[test]
fn matmul() {
    let Some(d) = both() else { return };
    for &(m, k, n) in &[(1, 1, 1), (3, 5, 7), (16, 16, 16), (33, 17, 65), (128, 64, 10)] {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let (ar, ac) = if ta { (k, m) } else { (m, k) };
            let (br, bc) = if tb { (n, k) } else { (k, n) };
            let (a_cpu, a_gpu) = pair(&d, ar, ac, 1);
            let (b_cpu, b_gpu) = pair(&d, br, bc, 2);
            let want = read(&bpfree::tensor::matmul(&a_cpu, &b_cpu, ta, tb).unwrap());
            let got = read(&bpfree::tensor::matmul(&a_gpu, &b_gpu, ta, tb).unwrap());
            assert_close(&format!("matmul {m}x{k}x{n} ta={ta} tb={tb}"), &got, &want, TOL);
        }
    }
}

#[test]
fn add_row() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 37, 300, 3);
    let (r0, r1) = pair(&d, 1, 300, 4);
    assert_close(
        "add_row",
        &read(&bpfree::tensor::add_row(&x1, &r1).unwrap()),
        &read(&bpfree::tensor::add_row(&x0, &r0).unwrap()),
        TOL,
    );
}

#[test]
fn sum_rows() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 513, 70, 5);
    assert_close(
        "sum_rows",
        &read(&bpfree::tensor::sum_rows(&x1).unwrap()),
        &read(&bpfree::tensor::sum_rows(&x0).unwrap()),
        TOL,
    );
}

#[test]
fn activation_and_backward() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 40, 129, 6);
    let (g0, g1) = pair(&d, 40, 129, 7);
    for f in [Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        let want = read(&bpfree::tensor::activation(&x0, f).unwrap());
        assert_close(&format!("activation {f:?}"), &read(&bpfree::tensor::activation(&x1, f).unwrap()), &want, TOL);
        let want = read(&bpfree::tensor::activation_backward(&x0, &g0, f).unwrap());
        let got = read(&bpfree::tensor::activation_backward(&x1, &g1, f).unwrap());
        assert_close(&format!("activation_backward {f:?}"), &got, &want, TOL);
    }
}

#[test]
fn softmax_cross_entropy() {
    let Some(d) = both() else { return };
    let (l0, l1) = pair(&d, 300, 10, 8);
    let labels: Vec<f32> = (0..300).map(|i| (i * 7 % 10) as f32).collect();
    let y0 = d.0.tensor(300, 1, &labels).unwrap();
    let y1 = d.1.tensor(300, 1, &labels).unwrap();
    let (loss0, grad0) = bpfree::tensor::softmax_cross_entropy(&l0, &y0, 1.0 / 300.0).unwrap();
    let (loss1, grad1) = bpfree::tensor::softmax_cross_entropy(&l1, &y1, 1.0 / 300.0).unwrap();
    assert_close("softmax_cross_entropy loss", &read(&loss1), &read(&loss0), TOL);
    assert_close("softmax_cross_entropy grad", &read(&grad1), &read(&grad0), TOL);
}

#[test]
fn gather_rows() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 50, 3, 9);
    let idx: Vec<f32> = vec![4.0, 0.0, 49.0, 4.0, 77.0];
    let i0 = d.0.tensor(5, 1, &idx).unwrap();
    let i1 = d.1.tensor(5, 1, &idx).unwrap();
    let want = read(&bpfree::tensor::gather_rows(&x0, &i0).unwrap());
    assert_eq!(&want[12..15], &[0.0, 0.0, 0.0], "out-of-range index gives a zero row");
    assert_close("gather_rows", &read(&bpfree::tensor::gather_rows(&x1, &i1).unwrap()), &want, 0.0);
}

#[test]
fn add_scaled() {
    let Some(d) = both() else { return };
    let (mut a0, mut a1) = pair(&d, 20, 20, 10);
    let (x0, x1) = pair(&d, 20, 20, 11);
    bpfree::tensor::add_scaled(&mut a0, &x0, -0.5).unwrap();
    bpfree::tensor::add_scaled(&mut a1, &x1, -0.5).unwrap();
    assert_close("add_scaled", &read(&a1), &read(&a0), TOL);
}

#[test]
fn adam_and_sgd() {
    let Some(d) = both() else { return };
    for decoupled in [false, true] {
        let (mut p0, mut p1) = pair(&d, 30, 7, 12);
        let (mut m0, mut m1) = (d.0.zeros(30, 7).unwrap(), d.1.zeros(30, 7).unwrap());
        let (mut v0, mut v1) = (d.0.zeros(30, 7).unwrap(), d.1.zeros(30, 7).unwrap());
        for t in 1..=3 {
            let (g0, g1) = pair(&d, 30, 7, 20 + t as u64);
            let hp = AdamStep { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.1, decoupled, t };
            bpfree::tensor::adam(&mut p0, &g0, &mut m0, &mut v0, &hp).unwrap();
            bpfree::tensor::adam(&mut p1, &g1, &mut m1, &mut v1, &hp).unwrap();
        }
        assert_close("adam param", &read(&p1), &read(&p0), TOL);
        assert_close("adam v", &read(&v1), &read(&v0), TOL);
    }
    let (mut p0, mut p1) = pair(&d, 30, 7, 13);
    let (mut vel0, mut vel1) = (d.0.zeros(30, 7).unwrap(), d.1.zeros(30, 7).unwrap());
    for t in 0..3 {
        let (g0, g1) = pair(&d, 30, 7, 40 + t);
        let hp = SgdStep { lr: 0.1, momentum: 0.9, weight_decay: 0.01 };
        bpfree::tensor::sgd(&mut p0, &g0, &mut vel0, &hp).unwrap();
        bpfree::tensor::sgd(&mut p1, &g1, &mut vel1, &hp).unwrap();
    }
    assert_close("sgd", &read(&p1), &read(&p0), TOL);
}

#[test]
fn large_1d_dispatch_spills_into_y() {
    // 65,536 workgroups of 256 would exceed the per-dimension limit; the launch must still cover everything.
    let Some(d) = both() else { return };
    let n = 65_536 * 256 + 3;
    let x: Vec<f32> = (0..n).map(|i| (i % 7) as f32 - 3.0).collect();
    let t = d.1.tensor(n, 1, &x).unwrap();
    let y = read(&bpfree::tensor::activation(&t, Activation::Relu).unwrap());
    assert_eq!(y[n - 1], x[n - 1].max(0.0));
    assert!(y.iter().zip(&x).all(|(a, b)| *a == b.max(0.0)));
}

#[test]
fn too_large_tensor_is_a_clear_error() {
    let Some((_, g)) = both() else { return };
    let Device::Gpu(gpu) = &g else { unreachable!() };
    let rows = (gpu.max_buffer_bytes() / 4 / 1024 + 1) as usize;
    let err = g.zeros(rows, 1024).unwrap_err().to_string();
    assert!(err.contains("exceeds the adapter's limit"), "{err}");
}

#[test]
fn memory_stays_flat_when_shapes_repeat() {
    let Some((_, g)) = both() else { return };
    let w = g.tensor(16, 16, &random(16, 16, 1)).unwrap();
    let mut created_after_warmup = 0;
    for step in 0..200 {
        let x = g.tensor(32, 16, &random(32, 16, step)).unwrap();
        let h = bpfree::tensor::matmul(&x, &w, false, false).unwrap();
        let _ = bpfree::tensor::activation(&h, Activation::Relu).unwrap();
        if step == 10 {
            created_after_warmup = g.memory().created_buffers;
        }
    }
    let m = g.memory();
    assert_eq!(m.created_buffers, created_after_warmup, "buffers keep being created: {m:?}");
    assert_eq!(m.live_buffers, 1, "only the weight is live: {m:?}");
}
