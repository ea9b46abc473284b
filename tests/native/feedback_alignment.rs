//! Feedback alignment (docs/algorithms/feedback-alignment.md), the algorithm added by following
//! docs/adding-an-algorithm.md: with feedback equal to the forward weights its update is backprop's, bit for bit
//! on the CPU (Eq. 3); with its random feedback the top layer still learns exactly as backprop's does while the
//! layers below do not (Eq. 2); and it learns two moons from the page's preset.

use super::common::{cpu, labels};
use bpfree::algorithms::feedback_alignment::FeedbackAlignment;
use bpfree::algorithms::{preset, Algorithm, Backprop, Problem};
use bpfree::rng::Rng;
use bpfree::tensor::Device;
use bpfree::train::Trainer;
use pollster::block_on;

fn pair(align: bool) -> (Backprop, FeedbackAlignment, bpfree::tensor::Tensor, bpfree::tensor::Tensor) {
    let cfg = preset("backprop", "moons");
    let problem = Problem { inputs: 2, classes: 2, image: None };
    let bp = Backprop::new(&cfg, problem, &Device::Cpu, &mut Rng::new(5)).unwrap();
    let mut fa = FeedbackAlignment::new(&cfg, problem, &Device::Cpu, &mut Rng::new(5)).unwrap();
    if align {
        fa.align_feedback().unwrap();
    }
    let x = Device::Cpu.tensor(8, 2, &super::common::random(8, 2, 3)).unwrap();
    (bp, fa, x, labels(&[0, 1, 1, 0, 1, 0, 0, 1]))
}

#[test]
fn with_the_forward_weights_as_feedback_the_step_is_backprop() {
    let (mut bp, mut fa, x, y) = pair(true);
    assert_eq!(cpu(&bp.predict(&x).unwrap()), cpu(&fa.predict(&x).unwrap()), "same initial weights");
    let (lb, lf) = (bp.step(x.try_clone().unwrap(), &y).unwrap(), fa.step(x.try_clone().unwrap(), &y).unwrap());
    assert_eq!(cpu(&lb), cpu(&lf), "losses");
    assert_eq!(cpu(&bp.predict(&x).unwrap()), cpu(&fa.predict(&x).unwrap()), "weights after one step");
}

#[test]
fn random_feedback_sends_another_error_down() {
    let (mut bp, mut fa, x, y) = pair(false);
    bp.step(x.try_clone().unwrap(), &y).unwrap();
    fa.step(x.try_clone().unwrap(), &y).unwrap();
    // The logits' layer is trained by x_Lᵀ δ_L in both, but every layer below got δ B_lᵀ instead of δ W_lᵀ.
    assert_ne!(cpu(&bp.predict(&x).unwrap()), cpu(&fa.predict(&x).unwrap()));
}

#[test]
fn learns_two_moons() {
    let cfg = bpfree::config::RunConfig { epochs: 40, ..preset("feedback-alignment", "moons") };
    let mut trainer = Trainer::new(&cfg, Device::Cpu).unwrap();
    let history: Vec<_> = (0..40).map(|_| block_on(trainer.run_epoch()).unwrap()).collect();
    let (first, last) = (&history[0], history.last().unwrap());
    assert!(last.test_accuracy >= 0.85, "feedback alignment on moons after 40 epochs: {last:?}");
    assert!(last.train_loss < first.train_loss, "loss did not fall: {first:?} -> {last:?}");
}
