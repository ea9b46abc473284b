//! Gradient centralisation and global-norm clipping do what CCL's code does (spec ccl.md §1).
#![cfg(not(target_arch = "wasm32"))]

use bpfree::nn::{centralize_gradients, clip_gradients, Param};
use bpfree::tensor::Device;
use pollster::block_on;

fn param(rows: usize, cols: usize, grad: &[f32]) -> Param {
    let d = Device::Cpu;
    let mut p = Param::new(d.zeros(rows, cols).unwrap());
    p.grad = Some(d.tensor(rows, cols, grad).unwrap());
    p
}

fn grad(p: &Param) -> Vec<f32> {
    block_on(p.grad.as_ref().unwrap().to_vec()).unwrap()
}

#[test]
fn clipping_scales_the_group_to_the_max_norm() {
    // norms 5 (3,4) and 12 (12): total 13 -> scaled by 1/13 to norm 1
    let (mut a, mut b) = (param(1, 2, &[3.0, 4.0]), param(1, 1, &[12.0]));
    clip_gradients(&mut [&mut a, &mut b], 1.0).unwrap();
    let (ga, gb) = (grad(&a), grad(&b));
    let total = (ga.iter().chain(&gb).map(|v| v * v).sum::<f32>()).sqrt();
    assert!((total - 1.0).abs() < 1e-5, "{total}");
    assert!((ga[0] / ga[1] - 0.75).abs() < 1e-6, "direction kept");
}

#[test]
fn clipping_leaves_small_gradients_alone() {
    let mut a = param(1, 2, &[0.3, 0.4]);
    clip_gradients(&mut [&mut a], 1.0).unwrap();
    let g = grad(&a);
    assert!((g[0] - 0.3).abs() < 1e-6 && (g[1] - 0.4).abs() < 1e-6);
    clip_gradients(&mut [&mut a], 0.0).unwrap(); // 0 = off
    assert_eq!(grad(&a).len(), 2);
}

#[test]
fn centralisation_zeroes_each_units_fan_in_mean_and_skips_biases() {
    // weight 3 x 2 (in x out): column means 2 and 20 are removed; the 1 x 2 bias is untouched
    let mut w = param(3, 2, &[1.0, 10.0, 2.0, 20.0, 3.0, 30.0]);
    let mut b = param(1, 2, &[5.0, 6.0]);
    centralize_gradients(&mut [&mut w, &mut b]).unwrap();
    assert_eq!(grad(&w), vec![-1.0, -10.0, 0.0, 0.0, 1.0, 10.0]);
    assert_eq!(grad(&b), vec![5.0, 6.0]);
}
