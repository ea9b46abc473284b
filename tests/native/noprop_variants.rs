//! NoProp's variants on their equations: the backprop baseline's gradients (mixing weights, through every
//! block), flow matching's gradient with a learned embedding (Eq. 11-13), and NoProp-CT's learnable schedule
//! (monotone, exact `SNR'`, forward-mode `∂/∂ψ`, and the whole loss's ψ-gradient) against finite differences.

#![cfg(not(target_arch = "wasm32"))]

use super::common;

use bpfree::algorithms::Problem;
use bpfree::config::EmbeddingKind;
use bpfree::rng::Rng;
use bpfree::tensor::{Device, Tensor};
use common::{arr, check, cpu, labels};
use ndarray::Array2;

#[test]
fn backprop_baseline_gradients_match_finite_differences() {
    // The mixing weights w_t of z_t = (1 - tanh w_t) z_{t-1} + tanh(w_t) û_t, and the first block's bias
    // reached through every later block (end-to-end backprop, spec §2.8).
    use bpfree::algorithms::NoPropBackprop;
    let build = || {
        let mut cfg = bpfree::algorithms::preset_for("backprop", "mnist", bpfree::config::Architecture::NoProp);
        cfg.noprop.width = 0.1;
        cfg.noprop.blocks = 3;
        let problem = Problem { inputs: 196, classes: 3, image: Some([1, 14, 14]) };
        NoPropBackprop::new(&cfg, problem, &Device::Cpu, &mut Rng::new(6)).unwrap()
    };
    let x = arr(5, 196, 61);
    let y = [0u32, 1, 2, 1, 0];
    let mut bp = build();
    bp.accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap();
    let mean_ce = |bp: &mut NoPropBackprop| {
        let ce = bp.accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap();
        cpu(&ce).sum() as f64 / 5.0
    };
    for t in 0..3 {
        let w = cpu(&bp.mix[t].value);
        let g = cpu(bp.mix[t].grad.as_ref().unwrap());
        check(&format!("dL/dw_{}", t + 1), &w, &g, |w| {
            let mut probe = build();
            probe.mix[t].value = Tensor::Cpu(w.clone());
            mean_ce(&mut probe)
        });
    }
    let last = bp.blocks[0].params_mut().len() - 1;
    let b = cpu(&bp.blocks[0].params_mut()[last].value);
    let g = cpu(bp.blocks[0].params_mut()[last].grad.as_ref().unwrap());
    check("dL/d(block 1's output bias)", &b, &g, |b| {
        let mut probe = build();
        probe.blocks[0].params_mut()[last].value = Tensor::Cpu(b.clone());
        mean_ce(&mut probe)
    });
}

#[test]
fn flow_matching_gradients_match_finite_differences() {
    // L = (1/B) Σ ‖Net(x, z_t, t) W - (u - z_0)‖² + (1/B) Σ CE(W_out (z_t + (1 - t) v) + b_out) with a learned
    // W_Embed (spec §4.2): W enters through v, the target u and z_t = t u + (1 - t) z_0.
    use bpfree::algorithms::NoPropFm;
    let build = || {
        let mut cfg = bpfree::algorithms::preset("noprop-fm", "mnist");
        cfg.noprop.width = 0.1;
        cfg.noprop.embedding = EmbeddingKind::Learned;
        let problem = Problem { inputs: 196, classes: 3, image: Some([1, 14, 14]) };
        NoPropFm::new(&cfg, problem, &Device::Cpu, &mut Rng::new(9)).unwrap()
    };
    let x = arr(5, 196, 71);
    let y = [2u32, 1, 0, 1, 2];
    let mut fm = build();
    fm.accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap();
    let w0 = cpu(&fm.embedding.weight.value);
    let grad = cpu(fm.embedding.weight.grad.as_ref().unwrap());
    check("FM dL/dW_Embed", &w0, &grad, |w| {
        let mut probe = build();
        probe.embedding.weight.value = Tensor::Cpu(w.clone());
        let (err, ce) = probe.accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap();
        (cpu(&err).sum() as f64 + cpu(&ce).sum() as f64) / 5.0
    });
}

#[test]
fn learned_schedule_is_monotone_with_exact_derivatives() {
    use bpfree::algorithms::noprop::schedule::LearnedSchedule;
    let s = LearnedSchedule::new(&mut Rng::new(3));
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    assert!((s.alpha_bar(0.0) - sigmoid(-5.0)).abs() < 1e-12 && (s.alpha_bar(1.0) - sigmoid(5.0)).abs() < 1e-12);
    let snr = |s: &LearnedSchedule, t: f64| {
        let a = s.alpha_bar(t);
        a / (1.0 - a)
    };
    for k in 1..20 {
        let t = k as f64 / 20.0;
        assert!(s.alpha_bar(t) > s.alpha_bar(t - 0.05), "ᾱ increases at t={t}");
        let at = s.at(t, true);
        let h = 1e-5;
        let numeric = (snr(&s, t + h) - snr(&s, t - h)) / (2.0 * h);
        assert!(
            (at.snr_prime.v - numeric).abs() < 1e-5 * numeric.abs().max(1.0),
            "SNR'({t}) {} vs {numeric}",
            at.snr_prime.v
        );
        // ∂ᾱ/∂ψ and ∂SNR'/∂ψ against central differences.
        for i in [0, 3, 64 + 5, 128 + 7, 192, 193] {
            let (mut p, mut m) = (s.clone(), s.clone());
            p.psi[i] += h;
            m.psi[i] -= h;
            let (ap, am) = (p.at(t, false), m.at(t, false));
            let da = (ap.alpha_bar.v - am.alpha_bar.v) / (2.0 * h);
            let ds = (ap.snr_prime.v - am.snr_prime.v) / (2.0 * h);
            assert!((at.alpha_bar.g[i] - da).abs() < 1e-6 * da.abs().max(1.0), "∂ᾱ/∂ψ_{i} at {t}");
            assert!((at.snr_prime.g[i] - ds).abs() < 1e-5 * ds.abs().max(1.0), "∂SNR'/∂ψ_{i} at {t}");
        }
    }
}

#[test]
fn ct_schedule_gradient_matches_finite_differences_of_the_loss() {
    use bpfree::algorithms::NoPropCt;
    let build = |psi: Option<Vec<f64>>| {
        let mut cfg = bpfree::algorithms::preset("noprop-ct", "mnist");
        cfg.noprop.width = 0.1;
        cfg.noprop.embedding = EmbeddingKind::Learned;
        let problem = Problem { inputs: 196, classes: 3, image: Some([1, 14, 14]) };
        let mut ct = NoPropCt::new(&cfg, problem, &Device::Cpu, &mut Rng::new(12)).unwrap();
        if let Some(p) = psi {
            ct.schedule.psi = p;
        }
        ct
    };
    let x = arr(6, 196, 81);
    let y = [0u32, 1, 2, 2, 1, 0];
    let mut ct = build(None);
    let step = ct.accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap();
    let psi = ct.schedule.psi.clone();
    for i in [0, 1, 70, 150, 192, 193] {
        let h = 1e-3;
        let at = |delta: f64| {
            let mut p = psi.clone();
            p[i] += delta;
            build(Some(p)).accumulate_gradients(Tensor::Cpu(x.clone()), &labels(&y)).unwrap().objective
        };
        let numeric = (at(h) - at(-h)) / (2.0 * h);
        let analytic = step.grad_psi[i];
        assert!(
            (numeric - analytic).abs() <= 2e-2 * numeric.abs().max(analytic.abs()).max(1e-2),
            "∂L/∂ψ_{i}: {numeric} vs {analytic}"
        );
    }
}

#[test]
fn ct_fm_and_backprop_steps_agree_on_cpu_and_gpu() {
    use bpfree::algorithms::{Algorithm, NoPropBackprop, NoPropCt, NoPropFm};
    let Some(gpu) = common::gpu() else { return };
    let problem = Problem { inputs: 196, classes: 3, image: Some([1, 14, 14]) };
    let build = |algo: &str, device: &Device| -> Box<dyn Algorithm> {
        let mut cfg = bpfree::algorithms::preset_for(algo, "mnist", bpfree::config::Architecture::NoProp);
        cfg.noprop.width = 0.1;
        cfg.noprop.blocks = 3;
        cfg.noprop.inference_steps = 5;
        cfg.noprop.embedding = EmbeddingKind::Learned;
        let rng = &mut Rng::new(21);
        match algo {
            "noprop-ct" => Box::new(NoPropCt::new(&cfg, problem, device, rng).unwrap()),
            "noprop-fm" => Box::new(NoPropFm::new(&cfg, problem, device, rng).unwrap()),
            _ => Box::new(NoPropBackprop::new(&cfg, problem, device, rng).unwrap()),
        }
    };
    let x = arr(6, 196, 91);
    let y = [0u32, 1, 2, 2, 1, 0];
    let y_col = Array2::from_shape_fn((6, 1), |(i, _)| y[i] as f32);
    for algo in ["noprop-ct", "noprop-fm", "backprop"] {
        let (mut c, mut g) = (build(algo, &Device::Cpu), build(algo, &gpu));
        for _ in 0..3 {
            let lc = cpu(&c.step(Tensor::Cpu(x.clone()), &labels(&y)).unwrap());
            let lg = pollster::block_on(
                g.step(gpu.from_array(&x).unwrap(), &gpu.from_array(&y_col).unwrap()).unwrap().to_array(),
            )
            .unwrap();
            common::assert_close(&format!("{algo} step loss"), lg.as_slice().unwrap(), lc.as_slice().unwrap(), 1e-3);
        }
        let pc = cpu(&c.predict(&Tensor::Cpu(x.clone())).unwrap());
        let pg = pollster::block_on(g.predict(&gpu.from_array(&x).unwrap()).unwrap().to_array()).unwrap();
        common::assert_close(&format!("{algo} sampler logits"), pg.as_slice().unwrap(), pc.as_slice().unwrap(), 2e-3);
    }
}
