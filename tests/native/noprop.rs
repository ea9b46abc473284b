//! NoProp on its equations (spec noprop.md §10.3 checklist): the per-block parameter counts of v2 Table 5, the
//! schedule identities (`a_t²/c_t = SNR(t) - SNR(t-1)`, ᾱ increasing, `b_1 ≈ 0`, `c_T ≈ 0`), the one-hot special
//! cases, the moments of `q(z_t|y)`, the denoising gradient and the block's backward against finite
//! differences, and that block t's update ignores every other block and the classifier's loss.

#![cfg(not(target_arch = "wasm32"))]

use super::common;

use common::{arr, check, cpu, labels};

use bpfree::algorithms::noprop::net::{time_embedding, DenoiseNet, NetKind, NetShape};
use bpfree::algorithms::noprop::{denoise, noisy_label, prior_kl, transition, CosineSchedule, LabelEmbedding};
use bpfree::algorithms::{Algorithm, NoPropDt, Problem};
use bpfree::config::EmbeddingKind;
use bpfree::rng::Rng;
use bpfree::tensor::{Device, Tensor};
use ndarray::Array2;

#[test]
fn block_parameter_counts_match_table_5() {
    use NetKind::{Continuous as C, Discrete as D};
    let mnist = [1, 28, 28];
    let cifar = [3, 32, 32];
    let rows: [(NetKind, [usize; 3], usize, usize, usize); 12] = [
        (D, mnist, 10, 10, 919_946),
        (D, mnist, 10, 20, 922_506),
        (D, mnist, 10, 784, 1_401_738),
        (D, cifar, 10, 10, 1_215_434),
        (D, cifar, 10, 3072, 1_992_714),
        (D, cifar, 100, 100, 1_250_084),
        (D, cifar, 100, 20, 1_229_604),
        (C, mnist, 10, 10, 867_722),
        (C, mnist, 10, 784, 1_482_122),
        (C, cifar, 10, 20, 1_165_770),
        (C, cifar, 100, 100, 1_197_860),
        (C, cifar, 100, 3072, 2_084_708),
    ];
    for (kind, image, classes, dim, want) in rows {
        let shape = NetShape { image, classes, dim, width: 1.0, kind };
        let net = DenoiseNet::new(&Device::Cpu, shape, &mut Rng::new(1)).unwrap();
        assert_eq!(net.count(), want, "{kind:?} {image:?} m={classes} d={dim}");
    }
}

#[test]
fn schedule_identities_hold() {
    let s = CosineSchedule::new(10);
    for t in 1..=10 {
        let (a, b, c) = s.coefficients(t);
        let delta = s.snr(t) - s.snr(t - 1);
        assert!((a * a / c - delta).abs() <= 1e-9 * delta.max(1.0), "t={t}: a²/c={} vs ΔSNR={delta}", a * a / c);
        assert!(s.alpha_bar[t] > s.alpha_bar[t - 1], "ᾱ increases at t={t}");
        assert!(delta > 0.0 && s.loss_weight(t, 0.1) > 0.0, "positive weight at t={t}");
        if t > 1 {
            assert!(s.loss_weight(t, 0.1) > s.loss_weight(t - 1, 0.1), "weights increase at t={t}");
        }
        assert!(b >= 0.0 && c > 0.0);
    }
    let (_, b1, _) = s.coefficients(1);
    let (a_t, _, c_t) = s.coefficients(10);
    assert!(b1 < 0.07, "b_1 = {b1} ≈ 0: z_0 barely matters");
    assert!(c_t < 1e-3 && a_t > 0.99, "c_T = {c_t} ≈ 0, a_T = {a_t} ≈ 1");
    // The general transition agrees with the schedule's.
    assert_eq!(transition(s.alpha_bar[4], s.alpha_bar[5]), s.coefficients(5));
}

#[test]
fn one_hot_special_cases() {
    let d = Device::Cpu;
    let e = LabelEmbedding::new(&d, EmbeddingKind::OneHot, 4, 16, &mut Rng::new(1)).unwrap();
    assert!(!e.learnable());
    assert_eq!(cpu(&e.weight.value), Array2::<f32>::eye(4));
    // û = softmax probabilities, and the loss is the Brier score.
    let logits = arr(5, 4, 3);
    let y = [0u32, 1, 2, 3, 1];
    let (u, _) = e.lookup(&labels(&y)).unwrap();
    let den = denoise(&Tensor::Cpu(logits.clone()), &e.weight.value, &u, 1.0).unwrap();
    assert_eq!(cpu(&den.u_hat), cpu(&den.probs));
    let p = cpu(&den.probs);
    for (i, &yi) in y.iter().enumerate() {
        let brier: f32 = (0..4).map(|k| (p[[i, k]] - if k == yi as usize { 1.0 } else { 0.0 }).powi(2)).sum();
        assert!((cpu(&den.error)[[i, 0]] - brier).abs() < 1e-6);
    }
    // The prior KL is the same constant for every class (‖u_y‖² = 1): no gradient, skipped.
    let ab0 = CosineSchedule::new(10).alpha_bar[0];
    let kl = prior_kl(ab0, 1.0, 4);
    assert!(kl > 0.0 && kl < 1e-3, "KL(q(z_0|y) ‖ N(0,I)) = {kl}");
    // Learned embeddings start with orthonormal rows.
    let l = LabelEmbedding::new(&d, EmbeddingKind::Learned, 10, 784, &mut Rng::new(2)).unwrap();
    let w = cpu(&l.weight.value);
    let gram = w.dot(&w.t());
    assert!((gram - Array2::<f32>::eye(10)).iter().all(|v| v.abs() < 1e-5), "W Wᵀ = I");
}

#[test]
fn posterior_samples_have_the_right_moments() {
    let s = CosineSchedule::new(10);
    let rows = 40_000;
    let u = Array2::from_shape_fn((rows, 3), |(_, j)| [1.0f32, -0.5, 0.0][j]);
    for t in [1, 5, 9] {
        let ab = s.alpha_bar[t];
        let z = cpu(&noisy_label(&Tensor::Cpu(u.clone()), ab, 7 + t as u64).unwrap());
        for j in 0..3 {
            let col = z.column(j);
            let mean = col.mean().unwrap() as f64;
            let var = col.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / rows as f64;
            let want_mean = ab.sqrt() * f64::from(u[[0, j]]);
            assert!((mean - want_mean).abs() < 0.015, "t={t} j={j}: mean {mean} vs {want_mean}");
            assert!((var - (1.0 - ab)).abs() < 0.02 * (1.0 - ab).max(0.1), "t={t} j={j}: var {var} vs {}", 1.0 - ab);
        }
    }
}

#[test]
fn denoising_gradient_matches_finite_differences() {
    let logits = arr(4, 3, 11);
    let embed = arr(3, 5, 12);
    let u = arr(4, 5, 13);
    let w = 0.7f32;
    let den = denoise(&Tensor::Cpu(logits.clone()), &Tensor::Cpu(embed.clone()), &Tensor::Cpu(u.clone()), w).unwrap();
    let loss = |l: &Array2<f32>| {
        let d = denoise(&Tensor::Cpu(l.clone()), &Tensor::Cpu(embed.clone()), &Tensor::Cpu(u.clone()), w).unwrap();
        f64::from(w) * cpu(&d.error).iter().map(|&v| f64::from(v)).sum::<f64>()
    };
    check("dL/dlogits", &logits, &cpu(&den.grad_logits), loss);
}

fn tiny_shape(kind: NetKind, dim: usize) -> NetShape {
    NetShape { image: [1, 14, 14], classes: 3, dim, width: 0.1, kind }
}

#[test]
fn block_backward_matches_finite_differences() {
    for (kind, dim) in [(NetKind::Discrete, 3), (NetKind::Continuous, 3), (NetKind::Discrete, 196)] {
        let shape = tiny_shape(kind, dim);
        let x = Tensor::Cpu(arr(4, 196, 21));
        let z = arr(4, dim, 22);
        let r = arr(4, 3, 23);
        let time = (kind == NetKind::Continuous)
            .then(|| Tensor::Cpu(Array2::from_shape_vec((4, 64), time_embedding(&[0.1, 0.5, 0.7, 0.9])).unwrap()));
        let mut net = DenoiseNet::new(&Device::Cpu, shape, &mut Rng::new(5)).unwrap();
        let run = |net: &mut DenoiseNet, z: &Array2<f32>| {
            let t = time.as_ref().map(|t| t.try_clone().unwrap());
            net.forward(x.try_clone().unwrap(), Tensor::Cpu(z.clone()), t, &mut Rng::new(9)).unwrap()
        };
        run(&mut net, &z);
        let dz = cpu(&net.backward(&Tensor::Cpu(r.clone())).unwrap());
        let mut probe = DenoiseNet::new(&Device::Cpu, shape, &mut Rng::new(5)).unwrap();
        check(&format!("{kind:?} d={dim} dL/dz"), &z, &dz, |z| {
            let y = cpu(&run(&mut probe, z));
            y.iter().zip(r.iter()).map(|(a, b)| f64::from(a * b)).sum()
        });
    }
}

fn tiny_dt(seed: u64, device: &Device) -> NoPropDt {
    let mut cfg = bpfree::algorithms::preset("noprop-dt", "mnist");
    cfg.noprop.width = 0.1;
    cfg.noprop.blocks = 4;
    let problem = Problem { inputs: 196, classes: 3, image: Some([1, 14, 14]) };
    NoPropDt::new(&cfg, problem, device, &mut Rng::new(seed)).unwrap()
}

fn block_params(dt: &mut NoPropDt, b: usize) -> Vec<Array2<f32>> {
    dt.blocks[b].params_mut().into_iter().map(|p| cpu(&p.value)).collect()
}

#[test]
fn a_block_update_ignores_every_other_loss() {
    let x = Tensor::Cpu(arr(6, 196, 31));
    let y = labels(&[0, 1, 2, 0, 1, 2]);
    let mut a = tiny_dt(3, &Device::Cpu);
    let mut b = tiny_dt(3, &Device::Cpu);
    // Model b differs in block 1 (0-based), i.e. in block 2's loss, and in the classifier (the CE loss).
    for p in b.blocks[1].params_mut() {
        p.value = Tensor::Cpu(cpu(&p.value).mapv(|v| v * 1.5 + 0.01));
    }
    for p in b.head.params_mut() {
        p.value = Tensor::Cpu(cpu(&p.value).mapv(|v| -v));
    }
    let before: Vec<Vec<Array2<f32>>> = (0..4).map(|k| block_params(&mut a, k)).collect();
    a.set_active(2);
    b.set_active(2);
    a.step(x.try_clone().unwrap(), &y).unwrap();
    b.step(x, &y).unwrap();
    assert_eq!(block_params(&mut a, 2), block_params(&mut b, 2), "block 3's update is the same");
    assert_ne!(block_params(&mut a, 2), before[2], "block 3 moved");
    for k in [0, 1, 3] {
        assert_eq!(block_params(&mut a, k), before[k], "block {} untouched by block 3's step", k + 1);
    }
}

#[test]
fn dt_steps_agree_on_cpu_and_gpu() {
    let Some(gpu) = common::gpu() else { return };
    let x = arr(6, 196, 41);
    let y = [0u32, 1, 2, 2, 1, 0];
    let mut c = tiny_dt(4, &Device::Cpu);
    let mut g = tiny_dt(4, &gpu);
    for step in 0..3 {
        c.set_active(step % 4);
        g.set_active(step % 4);
        let lc = cpu(&c.step(Tensor::Cpu(x.clone()), &labels(&y)).unwrap());
        let xg = gpu.from_array(&x).unwrap();
        let yg = gpu.from_array(&Array2::from_shape_fn((6, 1), |(i, _)| y[i] as f32)).unwrap();
        let lg = pollster::block_on(g.step(xg, &yg).unwrap().to_array()).unwrap();
        common::assert_close("noprop-dt step loss", lg.as_slice().unwrap(), lc.as_slice().unwrap(), 1e-3);
    }
    let pc = cpu(&c.predict(&Tensor::Cpu(x.clone())).unwrap());
    let pg = pollster::block_on(g.predict(&gpu.from_array(&x).unwrap()).unwrap().to_array()).unwrap();
    common::assert_close("noprop-dt sampler logits", pg.as_slice().unwrap(), pc.as_slice().unwrap(), 1e-3);
}

#[test]
fn learned_embedding_gradient_matches_finite_differences() {
    // L_t = w Σ_i ‖û_i - u_i‖² + (1/B) Σ_i CE_i + (1/B) Σ_i ½ ᾱ_0 ‖u_i‖² (+ const) as a function of W_Embed, with
    // the noise and dropout of a fresh model of the same seed: W_Embed enters through û, the target, z_{t-1}
    // and z_T (spec §2.6).
    let build = || {
        let mut cfg = bpfree::algorithms::preset("noprop-dt", "mnist");
        cfg.noprop.width = 0.1;
        cfg.noprop.blocks = 4;
        cfg.noprop.embedding = EmbeddingKind::Learned;
        let problem = Problem { inputs: 196, classes: 3, image: Some([1, 14, 14]) };
        let mut dt = NoPropDt::new(&cfg, problem, &Device::Cpu, &mut Rng::new(8)).unwrap();
        dt.set_active(1);
        dt
    };
    let x = arr(5, 196, 51);
    let y = [0u32, 1, 2, 1, 0];
    let mut dt = build();
    dt.accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap();
    let w0 = cpu(&dt.embedding.weight.value);
    let grad = cpu(dt.embedding.weight.grad.as_ref().unwrap());
    let s = CosineSchedule::new(4);
    let weight = s.capped_loss_weight(2, 0.1, bpfree::algorithms::noprop::LEARNED_SNR_CAP) / 5.0;
    check("dL/dW_Embed", &w0, &grad, |w| {
        let mut probe = build();
        probe.embedding.weight.value = Tensor::Cpu(w.clone());
        let (err, ce) = probe.accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap();
        let kl: f64 = y
            .iter()
            .map(|&k| 0.5 * s.alpha_bar[0] * w.row(k as usize).iter().map(|v| f64::from(v * v)).sum::<f64>())
            .sum();
        weight * cpu(&err).sum() as f64 + (cpu(&ce).sum() as f64 + kl) / 5.0
    });
}

/// The browser test's setting (tests/web.rs) natively: the page's light preset, 256 MNIST test images in
/// batches of 64, blocks 1, 5 and 10 trained for two passes each; every trained block's loss falls.
#[test]
fn light_preset_steps_lower_each_trained_blocks_loss() {
    let files = bpfree::data::read_files("mnist", std::path::Path::new("www/data")).unwrap();
    let images = &files["images/mnist/t10k-images-idx3-ubyte.gz"];
    let labels_gz = &files["images/mnist/t10k-labels-idx1-ubyte.gz"];
    let raw = bpfree::data::idx_pair("t10k-images", images, "t10k-labels", labels_gz).unwrap();
    let n = 256;
    let x: Vec<f32> = raw.pixels[..n * 784].iter().map(|&p| (f32::from(p) / 255.0 - 0.1307) / 0.3081).collect();
    let y: Vec<u32> = raw.labels[..n].iter().map(|&l| u32::from(l)).collect();
    let mut cfg = bpfree::algorithms::preset("noprop-dt", "mnist");
    cfg.noprop.width = 0.25;
    let problem = Problem { inputs: 784, classes: 10, image: Some([1, 28, 28]) };
    let mut dt = NoPropDt::new(&cfg, problem, &Device::Cpu, &mut Rng::new(1)).unwrap();
    for block in [0, 4, 9] {
        dt.set_active(block);
        let mut losses = Vec::new();
        for step in 0..8 {
            let rows = (step % 4) * 64..(step % 4 + 1) * 64;
            let xb = Array2::from_shape_vec((64, 784), x[rows.start * 784..rows.end * 784].to_vec()).unwrap();
            let err = cpu(&dt.step(Tensor::Cpu(xb), &labels(&y[rows])).unwrap());
            losses.push(err.mean().unwrap());
        }
        let (first, last) = (losses[..2].iter().sum::<f32>(), losses[6..].iter().sum::<f32>());
        eprintln!("block {}: {losses:?}", block + 1);
        assert!(last < first, "block {}'s loss did not fall: {losses:?}", block + 1);
    }
}
