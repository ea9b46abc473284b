//! Counter-current learning's convolutional models on their equations: the CNN's cosine loss with its
//! decorrelation terms (spec ccl.md §1.4(b)) and the flooding mask (§1.5), `cnn_pool`'s parameter count (§2.2),
//! and the autoencoder's per-sample loss (§1.4(d)) and initialisation (§2.4).

#![cfg(not(target_arch = "wasm32"))]

use bpfree::algorithms::{Algorithm, Problem};
use bpfree::rng::Rng;
use bpfree::tensor::{Device, Tensor};
use ndarray::{array, Array2};

fn cpu(t: &Tensor) -> Array2<f32> {
    match t {
        Tensor::Cpu(a) => a.clone(),
        Tensor::Gpu(_) => panic!("expected a CPU tensor"),
    }
}

fn labels(y: &[u32]) -> Tensor {
    Tensor::Cpu(Array2::from_shape_fn((y.len(), 1), |(i, _)| y[i] as f32))
}

fn assert_grad_close(name: &str, got: &Array2<f32>, want: &Array2<f32>) {
    let scale = want.iter().fold(1e-3f32, |m, v| m.max(v.abs()));
    let worst = got.iter().zip(want).fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(worst <= 2e-2 * scale, "{name}: max difference {worst} (gradient scale {scale})\n{got}\nvs\n{want}");
}

// ---- The CNN's cosine loss (spec §1.4(b)), the flooding mask (§1.5) and cnn_pool (§2.2) ----

use bpfree::algorithms::{cosine_pair_loss, CnnMode, CnnPool};
use bpfree::config::CclOptions;

fn normalize_rows(x: &Array2<f32>) -> Array2<f32> {
    let mut out = x.clone();
    for mut r in out.rows_mut() {
        let n = r.iter().map(|v| v * v).sum::<f32>().sqrt();
        r.mapv_inplace(|v| v / (n + 1e-8));
    }
    out
}

fn mean_sq(x: &Array2<f32>, t: &Array2<f32>) -> f32 {
    (x - t).iter().map(|v| v * v).sum::<f32>() / x.len() as f32
}

/// The loss written out independently: s_C mse(ÂP̂ᵀ, Y) + s_ssl mse(ÂÂᵀ, I) + s_ssl mse(P̂P̂ᵀ, I).
fn cosine_loss_by_hand(a: &Array2<f32>, p: &Array2<f32>, y: &Array2<f32>, o: &CclOptions) -> f32 {
    let (ah, ph) = (normalize_rows(a), normalize_rows(p));
    o.loss_scale * mean_sq(&ah.dot(&ph.t()), y)
        + o.decorrelation_scale * mean_sq(&ah.dot(&ah.t()), &Array2::eye(a.nrows()))
        + o.decorrelation_scale * mean_sq(&ph.dot(&ph.t()), &Array2::eye(p.nrows()))
}

#[test]
fn cosine_loss_matches_the_formula_and_finite_differences() {
    let o = CclOptions { loss_scale: 1.0, decorrelation_scale: 0.5, ..Default::default() };
    let mut rng = Rng::new(12);
    let a = Array2::from_shape_fn((4, 5), |_| rng.uniform(-1.0, 1.0));
    let p = Array2::from_shape_fn((3, 5), |_| rng.uniform(-1.0, 1.0));
    let y = Array2::from_shape_fn((4, 3), |(i, j)| if i % 3 == j { 1.0 } else { 0.0 });
    let eval = |a: &Array2<f32>, p: &Array2<f32>| {
        let [v, da, dp] =
            cosine_pair_loss(&Tensor::Cpu(a.clone()), &Tensor::Cpu(p.clone()), &Tensor::Cpu(y.clone()), &o, true)
                .unwrap();
        (cpu(&v.unwrap())[[0, 0]], cpu(&da.unwrap()), cpu(&dp.unwrap()))
    };
    let (value, da, dp) = eval(&a, &p);
    let want = cosine_loss_by_hand(&a, &p, &y, &o);
    assert!((value - want).abs() < 1e-5, "value {value} vs {want}");
    let eps = 1e-2;
    for (which, x, analytic) in [("dA", &a, &da), ("dP", &p, &dp)] {
        let mut num = Array2::zeros(x.dim());
        for idx in 0..x.len() {
            let (r, c) = (idx / x.ncols(), idx % x.ncols());
            let f = |d: f32| {
                let mut x2 = x.clone();
                x2[[r, c]] += d;
                if which == "dA" {
                    cosine_loss_by_hand(&x2, &p, &y, &o)
                } else {
                    cosine_loss_by_hand(&a, &x2, &y, &o)
                }
            };
            num[[r, c]] = (f(eps) - f(-eps)) / (2.0 * eps);
        }
        assert_grad_close(which, analytic, &num);
    }
}

#[test]
fn the_flooding_mask_zeroes_confident_rows_without_nans() {
    // Per-example CE 0.01 (p_true ≈ 0.99: masked) and 0.5 (kept); threshold -ln 0.9.
    let x = Tensor::Cpu(array![[1.0f32, 2.0], [3.0, 4.0]]);
    let ce = Tensor::Cpu(array![[0.01f32], [0.5]]);
    let masked = cpu(&bpfree::tensor::scale_rows(&x, &ce, Some(-(0.9f32.ln()))).unwrap());
    assert_eq!(masked, array![[0.0, 0.0], [3.0, 4.0]]);
    // A zeroed row normalises to 0 (not NaN); its gradient is finite and, masked again as spec §1.9 says
    // (`dA_raw = mask ⊙ dA`), exactly zero.
    let p = Tensor::Cpu(array![[1.0f32, 0.0], [0.0, 1.0]]);
    let y = Tensor::Cpu(array![[1.0f32, 0.0], [0.0, 1.0]]);
    let [v, da, _] = cosine_pair_loss(&Tensor::Cpu(masked), &p, &y, &CclOptions::default(), true).unwrap();
    let da = bpfree::tensor::scale_rows(&da.unwrap(), &ce, Some(-(0.9f32.ln()))).unwrap();
    let da = cpu(&da);
    assert!(cpu(&v.unwrap())[[0, 0]].is_finite());
    assert!(da.iter().all(|g| g.is_finite()));
    assert_eq!(da.row(0).to_vec(), vec![0.0, 0.0]);
}

#[test]
fn cnn_pool_has_the_papers_parameter_count_and_trains() {
    // spec §2.2: 2,220,416 forward parameters on CIFAR-10, the same again in G.
    let problem = Problem { inputs: 3 * 32 * 32, classes: 10, image: Some([3, 32, 32]) };
    let ccl_cfg = bpfree::algorithms::preset_for("ccl", "cifar10-subset", bpfree::config::Architecture::Cnn);
    let bp_cfg = bpfree::algorithms::preset_for("backprop", "cifar10-subset", bpfree::config::Architecture::Cnn);
    let mut ccl = CnnPool::new(&ccl_cfg, problem, &Device::Cpu, &mut Rng::new(1), CnnMode::Ccl).unwrap();
    let bp = CnnPool::new(&bp_cfg, problem, &Device::Cpu, &mut Rng::new(1), CnnMode::Backprop).unwrap();
    assert_eq!(ccl.parameter_count(), 2 * 2_220_416);
    assert_eq!(bp.parameter_count(), 2_220_416);
    // MNIST's 28x28 images are refused with a message, not a panic.
    let mnist = Problem { inputs: 784, classes: 10, image: Some([1, 28, 28]) };
    let err = CnnPool::new(&ccl_cfg, mnist, &Device::Cpu, &mut Rng::new(1), CnnMode::Ccl).unwrap_err();
    assert!(err.to_string().contains("32x32"), "{err}");
    // Two CCL steps on 6 random images: finite local losses, the weights move, predictions have K columns.
    let mut rng = Rng::new(2);
    let x = Tensor::Cpu(Array2::from_shape_fn((6, 3072), |_| rng.uniform(-1.0, 1.0)));
    let y = labels(&[0, 1, 2, 3, 4, 5]);
    let before = cpu(&ccl.predict(&x).unwrap());
    for _ in 0..2 {
        ccl.step(x.try_clone().unwrap(), &y).unwrap();
        let losses = cpu(&ccl.take_local_losses().unwrap());
        assert_eq!(losses.len(), 7);
        assert!(losses.iter().all(|v| v.is_finite()), "{losses}");
    }
    let after = cpu(&ccl.predict(&x).unwrap());
    assert_eq!(after.dim(), (6, 10));
    assert_ne!(before, after);
}

// ---- The autoencoder (spec §1.4(d), §2.4) ----

use bpfree::algorithms::{ae_pair_loss, AeMode, ConvAutoencoder};

#[test]
fn autoencoder_pair_loss_matches_the_formula_and_finite_differences() {
    // Two images of 2 channels of 2x3: interior pairs add the centred-normalised term.
    let o = CclOptions { loss_scale: 1.0, decorrelation_scale: 1.0, ..Default::default() };
    let mut rng = Rng::new(21);
    let a = Array2::from_shape_fn((2, 12), |_| rng.uniform(-1.0, 1.0));
    let b = Array2::from_shape_fn((2, 12), |_| rng.uniform(-1.0, 1.0));
    let (height, plane) = (2usize, 6usize);
    let by_hand = |a: &Array2<f32>, b: &Array2<f32>, interior: bool| {
        let h = height as f32;
        let mut v = h * mean_sq(a, b);
        if interior {
            let cn = |x: &Array2<f32>| {
                let mut planes = x.clone().into_shape_with_order((x.len() / plane, plane)).unwrap();
                for mut r in planes.rows_mut() {
                    let m = r.mean().unwrap();
                    r.mapv_inplace(|v| v - m);
                }
                normalize_rows(&planes)
            };
            v += h * mean_sq(&cn(a), &cn(b));
        }
        v
    };
    for interior in [false, true] {
        let [v, da, db] =
            ae_pair_loss(&Tensor::Cpu(a.clone()), &Tensor::Cpu(b.clone()), height, plane, &o, interior).unwrap();
        let want = by_hand(&a, &b, interior);
        assert!((cpu(&v)[[0, 0]] - want).abs() < 1e-5, "interior={interior}: {} vs {want}", cpu(&v)[[0, 0]]);
        for (which, x, analytic) in [("dA", &a, cpu(&da)), ("dB", &b, cpu(&db))] {
            let mut num = Array2::zeros(x.dim());
            for idx in 0..x.len() {
                let (r, c) = (idx / x.ncols(), idx % x.ncols());
                let f = |d: f32| {
                    let mut x2 = x.clone();
                    x2[[r, c]] += d;
                    if which == "dA" {
                        by_hand(&x2, &b, interior)
                    } else {
                        by_hand(&a, &x2, interior)
                    }
                };
                num[[r, c]] = (f(1e-2) - f(-1e-2)) / 2e-2;
            }
            assert_grad_close(&format!("{which} interior={interior}"), &analytic, &num);
        }
    }
}

#[test]
fn autoencoder_reconstructs_and_its_losses_fall() {
    let mut cfg = bpfree::algorithms::preset_for("ccl", "mnist", bpfree::config::Architecture::Autoencoder);
    cfg.ae_width = 1.0 / 32.0; // 4, 8, 32, 64 channels: a quick test
    cfg.loss_warmup = 0;
    let problem = Problem { inputs: 1024, classes: 10, image: Some([1, 32, 32]) };
    let mut ae = ConvAutoencoder::new(&cfg, problem, &Device::Cpu, &mut Rng::new(3), AeMode::Ccl).unwrap();
    assert!(ae.reconstructs());
    assert_eq!(ae.local_loss_names().len(), 9);
    // A zero-initialised last decoder conv (spec §2.4 init) reconstructs all zeros before training.
    let mut rng = Rng::new(4);
    let x =
        Tensor::Cpu(Array2::from_shape_fn(
            (8, 1024),
            |(i, j)| if (j / 32 + i) % 4 == 0 { rng.uniform(0.5, 1.0) } else { 0.0 },
        ));
    assert!(cpu(&ae.predict(&x).unwrap()).iter().all(|&v| v == 0.0));
    let mut first = Vec::new();
    let mut last = Vec::new();
    for step in 0..15 {
        ae.step(x.try_clone().unwrap(), &labels(&[0; 8])).unwrap();
        last = cpu(&ae.take_local_losses().unwrap()).iter().copied().collect::<Vec<_>>();
        if step == 0 {
            first = last.clone();
        }
    }
    let out = cpu(&ae.predict(&x).unwrap());
    assert_eq!(out.dim(), (8, 1024));
    assert!(last[8] < first[8], "the (out, target) loss did not fall: {} -> {}", first[8], last[8]);
    // Unsupported shapes are messages, not panics.
    let bad = Problem { inputs: 784, classes: 10, image: Some([1, 28, 28]) };
    assert!(ConvAutoencoder::new(&cfg, bad, &Device::Cpu, &mut Rng::new(1), AeMode::Backprop).is_err());
}

#[test]
fn cnn_gradients_match_each_pairs_own_loss() {
    // cnn_pool with 2-3 channels per conv so that central differences are cheap; flooding off (the mask is a
    // step function). Pair l trains U_l and V_{l+1}: the analytic gradient of a few entries of each weight must
    // equal the numerical derivative of that pair's loss alone (an upper loss never reaches a lower weight).
    let mut cfg = bpfree::algorithms::preset_for("ccl", "cifar10-subset", bpfree::config::Architecture::Cnn);
    cfg.ccl.flooding = false;
    cfg.loss_warmup = 0;
    let problem = Problem { inputs: 3072, classes: 3, image: Some([3, 32, 32]) };
    let mut net =
        CnnPool::with_channels(&cfg, problem, &Device::Cpu, &mut Rng::new(5), CnnMode::Ccl, [2, 3, 2, 3, 2]).unwrap();
    let mut rng = Rng::new(6);
    let x = Tensor::Cpu(Array2::from_shape_fn((4, 3072), |_| rng.uniform(-1.0, 1.0)));
    let y = labels(&[0, 1, 2, 1]);
    let losses = |net: &mut CnnPool| -> Vec<f32> {
        let (_, v) = net.ccl_gradients(&x, &y).unwrap();
        let (f, g) = net.params_mut();
        for p in f.into_iter().chain(g) {
            p.grad = None;
        }
        cpu(&v).iter().copied().collect()
    };
    net.ccl_gradients(&x, &y).unwrap();
    let (f, g) = net.params_mut();
    let grads: Vec<Array2<f32>> = f.into_iter().chain(g).map(|p| cpu(&p.grad.take().unwrap())).collect();
    // (parameter index in [U_1..U_6, V_1..V_6], index of its own loss in [L_0..L_5, CE])
    let own: Vec<(usize, usize)> =
        (0..5).map(|l| (l, l + 1)).chain([(5, 6)]).chain((0..6).map(|l| (6 + l, l))).collect();
    for (param, loss) in own {
        let w0 = {
            let (f, g) = net.params_mut();
            cpu(&f.into_iter().chain(g).nth(param).unwrap().value)
        };
        for probe in 0..3 {
            let idx = (probe * 7919 + 13) % w0.len();
            let (r, c) = (idx / w0.ncols(), idx % w0.ncols());
            let mut at = |d: f32| {
                let mut w = w0.clone();
                w[[r, c]] += d;
                {
                    let (f, g) = net.params_mut();
                    f.into_iter().chain(g).nth(param).unwrap().value = Tensor::Cpu(w);
                }
                losses(&mut net)[loss]
            };
            let eps = 1e-3;
            let numeric = (at(eps) - at(-eps)) / (2.0 * eps);
            let analytic = grads[param][[r, c]];
            // f32 central differences: ~1e-4 of rounding noise, and a step can cross a pooling kink; a wrong
            // pairing, sign or transpose is off by far more.
            let tol = 0.05 * numeric.abs().max(analytic.abs()) + 5e-4;
            assert!(
                (numeric - analytic).abs() <= tol,
                "param {param} [{r},{c}] vs loss {loss}: {analytic} vs {numeric}"
            );
        }
        let (f, g) = net.params_mut();
        f.into_iter().chain(g).nth(param).unwrap().value = Tensor::Cpu(w0);
    }
}
