//! GPU == CPU for every kernel: the same inputs through `tensor::gpu` (lavapipe natively) and `tensor::cpu`,
//! compared with a stated tolerance (relative to 1 + |reference|). Skips the GPU half without an adapter
//! unless REQUIRE_GPU=1.
#![cfg(not(target_arch = "wasm32"))]

use super::common;

use bpfree::tensor::*;
use common::{assert_close, both, pair, random, read, TOL};

#[test]
fn matmul() {
    let Some(d) = both() else { return };
    for &(m, k, n) in &[(1, 1, 1), (3, 5, 7), (16, 16, 16), (33, 17, 65), (128, 64, 10), (130, 70, 200)] {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let (ar, ac) = if ta { (k, m) } else { (m, k) };
            let (br, bc) = if tb { (n, k) } else { (k, n) };
            let (a_cpu, a_gpu) = pair(&d, ar, ac, 1);
            let (b_cpu, b_gpu) = pair(&d, br, bc, 2);
            let want = read(&bpfree::tensor::matmul(&a_cpu, &b_cpu, ta, tb).unwrap());
            let Device::Gpu(gpu) = &d.1 else { unreachable!() };
            for direct in [false, true] {
                gpu.set_direct_kernels(direct); // what `matmul` runs: tiled, then direct
                let got = read(&bpfree::tensor::matmul(&a_gpu, &b_gpu, ta, tb).unwrap());
                assert_close(&format!("matmul {m}x{k}x{n} ta={ta} tb={tb} direct={direct}"), &got, &want, TOL);
            }
            let naive = read(&bpfree::tensor::matmul_naive(&a_gpu, &b_gpu, ta, tb).unwrap());
            assert_close(&format!("matmul_naive {m}x{k}x{n} ta={ta} tb={tb}"), &naive, &want, TOL);
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
fn scale_rows() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 37, 300, 5);
    let (s0, s1) = pair(&d, 37, 1, 6);
    for threshold in [None, Some(0.1)] {
        assert_close(
            &format!("scale_rows threshold={threshold:?}"),
            &read(&bpfree::tensor::scale_rows(&x1, &s1, threshold).unwrap()),
            &read(&bpfree::tensor::scale_rows(&x0, &s0, threshold).unwrap()),
            TOL,
        );
    }
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
    for f in [
        Activation::Identity,
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Elu,
        Activation::Gelu,
        Activation::Square,
    ] {
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
fn optimiser_moments_below_the_smallest_normal_number_are_stored_as_zero() {
    // a zero gradient shrinks the moments by beta1 / beta2 / the momentum: 1.2e-38 -> 1.08e-38, subnormal
    let small = 1.2e-38f32;
    assert!(small >= f32::MIN_POSITIVE && 0.9 * small < f32::MIN_POSITIVE);
    let devices: Vec<Device> = std::iter::once(Device::Cpu).chain(common::gpu()).collect();
    for d in &devices {
        let (mut p, g) = (d.tensor(1, 2, &[0.5, 0.5]).unwrap(), d.zeros(1, 2).unwrap());
        let mut m = d.tensor(1, 2, &[small, 1e-3]).unwrap();
        let mut v = d.tensor(1, 2, &[1e-6, small]).unwrap();
        let hp = AdamStep { lr: 0.01, beta1: 0.9, beta2: 0.5, eps: 1e-8, weight_decay: 0.0, decoupled: true, t: 5 };
        bpfree::tensor::adam(&mut p, &g, &mut m, &mut v, &hp).unwrap();
        assert_eq!(read(&m), [0.0, 0.9f32 * 1e-3], "{d:?}: Adam's first moment");
        assert_eq!(read(&v)[1], 0.0, "{d:?}: Adam's second moment");
        let mut vel = d.tensor(1, 2, &[small, 1.0]).unwrap();
        bpfree::tensor::sgd(&mut p, &g, &mut vel, &SgdStep { lr: 0.1, momentum: 0.9, weight_decay: 0.0 }).unwrap();
        assert_eq!(read(&vel), [0.0, 0.9], "{d:?}: SGD's velocity");
    }
}

#[test]
fn a_profile_counts_each_kernel_launch() {
    let Some(Device::Gpu(gpu)) = common::gpu() else { return };
    let d = Device::Gpu(gpu.clone());
    let a = d.tensor(2, 3, &[1.0; 6]).unwrap();
    gpu.start_profile();
    let b = bpfree::tensor::matmul(&a, &a, false, true).unwrap();
    let _ = bpfree::tensor::matmul(&b, &b, false, false).unwrap();
    let rows = gpu.take_profile();
    let kernel = if gpu.direct_kernels() { "matmul_direct" } else { "matmul" };
    let row = rows.iter().find(|r| r.label == kernel).expect("the product's row");
    assert_eq!(row.calls, 2);
    assert!(row.seconds > 0.0 && row.bytes > 0, "{row:?}");
    assert!(gpu.take_profile().is_empty(), "profiling stopped");
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

#[test]
fn l2_normalize_rows_and_backward() {
    let Some(d) = both() else { return };
    let mut data = random(33, 20, 50);
    data[20..40].iter_mut().for_each(|v| *v = 0.0); // a zero row: output 0, gradient g / eps
    let (x0, x1) = (d.0.tensor(33, 20, &data).unwrap(), d.1.tensor(33, 20, &data).unwrap());
    let (g0, g1) = pair(&d, 33, 20, 51);
    let want = read(&bpfree::tensor::l2_normalize_rows(&x0, 1e-8).unwrap());
    assert_close("l2_normalize_rows", &read(&bpfree::tensor::l2_normalize_rows(&x1, 1e-8).unwrap()), &want, TOL);
    // eps = 1e-3 keeps the zero row's gradient (g / eps) in a range where a relative tolerance is meaningful
    let want = read(&bpfree::tensor::l2_normalize_rows_backward(&x0, &g0, 1e-3).unwrap());
    let got = read(&bpfree::tensor::l2_normalize_rows_backward(&x1, &g1, 1e-3).unwrap());
    assert_close("l2_normalize_rows_backward", &got, &want, TOL);
}

#[test]
fn spmm_and_transpose() {
    let Some(d) = both() else { return };
    // a random directed multigraph on 300 nodes; node 299 has no in-edges
    let mut rng = bpfree::rng::Rng::new(60);
    let edges: Vec<(u32, u32)> = (0..2000).map(|_| (rng.below(300) as u32, rng.below(299) as u32)).collect();
    let (x0, x1) = pair(&d, 300, 24, 61);
    for build in [Csr::gcn_normalized, Csr::mean_aggregation] {
        let (a0, a1) = (build(&d.0, 300, &edges).unwrap(), build(&d.1, 300, &edges).unwrap());
        assert_close("spmm", &read(&spmm(&a1, &x1).unwrap()), &read(&spmm(&a0, &x0).unwrap()), TOL);
        let want = read(&spmm_transposed(&a0, &x0).unwrap());
        assert_close("spmm_transposed", &read(&spmm_transposed(&a1, &x1).unwrap()), &want, TOL);
    }
}

#[test]
fn pair_scores_and_weighted_pattern_products() {
    let Some(d) = both() else { return };
    // 500 node pairs (repeats included) of a 40-node graph; x is 40 x 24
    let mut rng = bpfree::rng::Rng::new(62);
    let pairs: Vec<(u32, u32)> = (0..500).map(|_| (rng.below(40) as u32, rng.below(40) as u32)).collect();
    let ids = |f: fn(&(u32, u32)) -> u32| pairs.iter().map(|p| f(p) as f32).collect::<Vec<f32>>();
    let (u, v) = (ids(|p| p.0), ids(|p| p.1));
    let on = |dev: &Device, x: &[f32]| dev.tensor(x.len(), 1, x).unwrap();
    let (x0, x1) = pair(&d, 40, 24, 63);
    let want = read(&row_dot_pairs(&x0, &on(&d.0, &u), &on(&d.0, &v)).unwrap());
    let got = read(&row_dot_pairs(&x1, &on(&d.1, &u), &on(&d.1, &v)).unwrap());
    assert_close("row_dot_pairs", &got, &want, TOL);
    let gathered = row_dot(
        &bpfree::tensor::gather_rows(&x0, &on(&d.0, &u)).unwrap(),
        &bpfree::tensor::gather_rows(&x0, &on(&d.0, &v)).unwrap(),
    );
    assert_eq!(want, read(&gathered.unwrap()), "row_dot_pairs == row_dot of the gathered rows, bit for bit");
    // A_w x and A_wᵀ x against dense sums over the pairs
    let (w0, w1) = pair(&d, 500, 1, 64);
    let (a0, a1) = (Csr::pattern(&d.0, 40, 40, &pairs).unwrap(), Csr::pattern(&d.1, 40, 40, &pairs).unwrap());
    let (w, x) = (read(&w0), read(&x0));
    for transposed in [false, true] {
        let mut dense = vec![0f32; 40 * 24];
        for (k, &(r, c)) in pairs.iter().enumerate() {
            let (r, c) = if transposed { (c, r) } else { (r, c) };
            for f in 0..24 {
                dense[r as usize * 24 + f] += w[k] * x[c as usize * 24 + f];
            }
        }
        let product = if transposed { spmm_transposed_weighted } else { spmm_weighted };
        let cpu = read(&product(&a0, &w0, &x0).unwrap());
        assert_close(&format!("spmm_weighted transposed={transposed} (dense)"), &cpu, &dense, TOL);
        let gpu = read(&product(&a1, &w1, &x1).unwrap());
        assert_close(&format!("spmm_weighted transposed={transposed}"), &gpu, &cpu, TOL);
    }
}

#[test]
fn sum_squares_clip_and_centralize() {
    let Some(d) = both() else { return };
    let (a0, a1) = pair(&d, 300, 70, 70); // 21,000 values: many strides of the one-workgroup reduction
    assert_close("sum_squares", &read(&sum_squares(&a1).unwrap()), &read(&sum_squares(&a0).unwrap()), TOL);
    let (mut b0, mut b1) = pair(&d, 5, 9, 71);
    let (mut c0, mut c1) = (a0.try_clone().unwrap(), a1.try_clone().unwrap());
    clip_global_norm(&mut [&mut b0, &mut c0], 2.0).unwrap();
    clip_global_norm(&mut [&mut b1, &mut c1], 2.0).unwrap();
    assert_close("clip_global_norm", &read(&b1), &read(&b0), TOL);
    assert_close("clip_global_norm", &read(&c1), &read(&c0), TOL);
    centralize_columns(&mut b0).unwrap();
    centralize_columns(&mut b1).unwrap();
    assert_close("centralize_columns", &read(&b1), &read(&b0), TOL);
}

#[test]
fn reduce_both_axes() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 37, 300, 80);
    for axis in [0, 1] {
        for op in [Reduction::Sum, Reduction::Mean, Reduction::Max, Reduction::Argmax] {
            let want = read(&reduce(&x0, axis, op).unwrap());
            assert_close(&format!("reduce {op:?} axis {axis}"), &read(&reduce(&x1, axis, op).unwrap()), &want, TOL);
        }
    }
}

#[test]
fn softmax_and_backward() {
    let Some(d) = both() else { return };
    let (x0, x1) = pair(&d, 50, 12, 81);
    let (g0, g1) = pair(&d, 50, 12, 82);
    for log in [false, true] {
        let (y0, y1) = (softmax(&x0, log).unwrap(), softmax(&x1, log).unwrap());
        assert_close(&format!("softmax log={log}"), &read(&y1), &read(&y0), TOL);
        let want = read(&softmax_backward(&y0, &g0, log).unwrap());
        assert_close(
            &format!("softmax_backward log={log}"),
            &read(&softmax_backward(&y1, &g1, log).unwrap()),
            &want,
            TOL,
        );
    }
}

#[test]
fn one_hot_rows() {
    let Some(d) = both() else { return };
    let labels = [2.0, 0.0, 9.0, 1.0];
    let (l0, l1) = (d.0.tensor(4, 1, &labels).unwrap(), d.1.tensor(4, 1, &labels).unwrap());
    let want = read(&one_hot(&l0, 3).unwrap());
    assert_eq!(want, vec![0., 0., 1., 1., 0., 0., 0., 0., 0., 0., 1., 0.]);
    assert_eq!(read(&one_hot(&l1, 3).unwrap()), want);
}

#[test]
fn random_is_the_same_on_both_backends() {
    let Some(d) = both() else { return };
    let u = Distribution::Uniform { lo: -2.0, hi: 3.0 };
    let (a, b) = (
        read(&bpfree::tensor::random(&d.0, 100, 70, u, 42).unwrap()),
        read(&bpfree::tensor::random(&d.1, 100, 70, u, 42).unwrap()),
    );
    assert_eq!(a, b, "uniform draws must match bit for bit");
    assert!(a.iter().all(|v| (-2.0..3.0).contains(v)));
    assert_ne!(a, read(&bpfree::tensor::random(&d.0, 100, 70, u, 43).unwrap()), "another seed, other numbers");
    let n = Distribution::Normal { mean: 1.0, std: 2.0 };
    let (a, b) = (
        read(&bpfree::tensor::random(&d.0, 200, 100, n, 7).unwrap()),
        read(&bpfree::tensor::random(&d.1, 200, 100, n, 7).unwrap()),
    );
    assert_close("random normal", &b, &a, 1e-4);
    let mean = a.iter().sum::<f32>() / a.len() as f32;
    let var = a.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / a.len() as f32;
    assert!((mean - 1.0).abs() < 0.05 && (var.sqrt() - 2.0).abs() < 0.05, "mean {mean}, std {}", var.sqrt());
}

#[test]
fn losses_goodness_and_row_dot() {
    let Some(d) = both() else { return };
    let (z0, z1) = pair(&d, 40, 6, 90);
    let t: Vec<f32> = random(40, 6, 91).iter().map(|v| f32::from(*v > 0.0)).collect();
    let (t0, t1) = (d.0.tensor(40, 6, &t).unwrap(), d.1.tensor(40, 6, &t).unwrap());
    for (name, f) in [("bce_with_logits", bce_with_logits as fn(&Tensor, &Tensor, f32) -> _), ("mse", mse)] {
        let (l0, g0) = f(&z0, &t0, 0.5).unwrap();
        let (l1, g1) = f(&z1, &t1, 0.5).unwrap();
        assert_close(&format!("{name} loss"), &read(&l1), &read(&l0), TOL);
        assert_close(&format!("{name} grad"), &read(&g1), &read(&g0), TOL);
    }
    let (r0, r1) = pair(&d, 40, 1, 92);
    for mean in [false, true] {
        assert_close("goodness", &read(&goodness(&z1, mean).unwrap()), &read(&goodness(&z0, mean).unwrap()), TOL);
        let want = read(&goodness_backward(&z0, &r0, mean).unwrap());
        assert_close("goodness_backward", &read(&goodness_backward(&z1, &r1, mean).unwrap()), &want, TOL);
    }
    let (w0, w1) = pair(&d, 40, 6, 93);
    assert_close("row_dot", &read(&row_dot(&z1, &w1).unwrap()), &read(&row_dot(&z0, &w0).unwrap()), TOL);
    for rows in [1, 257, 3_000] {
        let ((a0, a1), (b0, b1)) = (pair(&d, rows, 128, 94), pair(&d, rows, 128, 95));
        let want = read(&row_dot(&a0, &b0).unwrap());
        assert_close(&format!("row_dot {rows} rows"), &read(&row_dot(&a1, &b1).unwrap()), &want, TOL);
    }
}

/// The page's backend self-test (issue #32) on the native adapter: its numbers agree with the CPU's, both shapes
/// are timed, and on a software adapter (lavapipe) *Auto* keeps the CPU for the 2-D toys.
#[test]
fn the_backend_self_test_checks_and_times_both_paths() {
    let Some(Device::Gpu(gpu)) = crate::common::gpu() else { return };
    let start = std::time::Instant::now();
    let now = move || start.elapsed().as_secs_f64() * 1000.0;
    let t = pollster::block_on(bpfree::tensor::self_test(&gpu, &now)).unwrap();
    println!("{} ({}): {}", gpu.summary().name, t.relative_error, t.explain());
    assert!(t.numbers_agree(), "{t:?}");
    assert!(t.timings.iter().all(|x| x.cpu_ms > 0.0 && x.cpu_ms.is_finite()), "{t:?}");
    if gpu.summary().software {
        assert!(!t.prefers_gpu(false), "a software adapter beat the CPU on a 32×16·16×16 product: {t:?}");
    }
}
