//! Central finite differences against every hand-written backward, on the CPU backend. The scalar probed is
//! `L = sum(y ⊙ r)` for a fixed random `r`, so `dL/dy = r` is what each backward receives.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use bpfree::nn::{softmax_cross_entropy, ActivationLayer, Linear, Mlp, MlpConfig};
use bpfree::rng::Rng;
use bpfree::tensor::{Activation, Device, Tensor};
use common::random;
use ndarray::Array2;

const EPS: f32 = 1e-2;
const TOL: f32 = 2e-2;

fn cpu(t: &Tensor) -> Array2<f32> {
    match t {
        Tensor::Cpu(a) => a.clone(),
        Tensor::Gpu(_) => unreachable!(),
    }
}

fn dot(a: &Array2<f32>, b: &Array2<f32>) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Compares `analytic` with central differences of `f` around `x`, element by element.
fn check(name: &str, x: &Array2<f32>, analytic: &Array2<f32>, mut f: impl FnMut(&Array2<f32>) -> f32) {
    for i in 0..x.len() {
        let (mut plus, mut minus) = (x.clone(), x.clone());
        plus.as_slice_mut().unwrap()[i] += EPS;
        minus.as_slice_mut().unwrap()[i] -= EPS;
        let numeric = (f(&plus) - f(&minus)) / (2.0 * EPS);
        let a = analytic.as_slice().unwrap()[i];
        assert!((numeric - a).abs() <= TOL * (1.0 + a.abs()), "{name}[{i}]: analytic {a}, numeric {numeric}");
    }
}

fn arr(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    Array2::from_shape_vec((rows, cols), random(rows, cols, seed)).unwrap()
}

#[test]
fn linear_backward() {
    let d = Device::Cpu;
    let mut layer = Linear::new(&d, 4, 3, &mut Rng::new(1)).unwrap();
    let x = arr(5, 4, 2);
    let r = arr(5, 3, 3);
    layer.forward(Tensor::Cpu(x.clone())).unwrap();
    let gx = cpu(&layer.backward(&Tensor::Cpu(r.clone())).unwrap());
    let w = cpu(&layer.weight.value);
    let b = cpu(&layer.bias.value);
    let gw = cpu(layer.weight.grad.as_ref().unwrap());
    let gb = cpu(layer.bias.grad.as_ref().unwrap());
    let loss = |x: &Array2<f32>, w: &Array2<f32>, b: &Array2<f32>| dot(&(x.dot(w) + b), &r);
    check("dL/dx", &x, &gx, |x| loss(x, &w, &b));
    check("dL/dW", &w, &gw, |w| loss(&x, w, &b));
    check("dL/db", &b, &gb, |b| loss(&x, &w, b));
}

#[test]
fn activation_backward() {
    for f in [Activation::Identity, Activation::Relu, Activation::Tanh, Activation::Sigmoid] {
        let mut layer = ActivationLayer::new(f);
        // keep ReLU inputs away from the kink at 0, where the derivative is undefined
        let x = arr(4, 6, 4).mapv(|v| if v.abs() < 0.05 { v + 0.1 } else { v });
        let r = arr(4, 6, 5);
        layer.forward(Tensor::Cpu(x.clone())).unwrap();
        let gx = cpu(&layer.backward(&Tensor::Cpu(r.clone())).unwrap());
        check(&format!("{f:?}"), &x, &gx, |x| dot(&cpu(&layer.infer(&Tensor::Cpu(x.clone())).unwrap()), &r));
    }
}

#[test]
fn softmax_cross_entropy_gradient() {
    let z = arr(6, 4, 6).mapv(|v| 3.0 * v);
    let y = Tensor::Cpu(Array2::from_shape_vec((6, 1), vec![0.0, 1.0, 2.0, 3.0, 1.0, 0.0]).unwrap());
    let out = softmax_cross_entropy(&Tensor::Cpu(z.clone()), &y).unwrap();
    let grad = cpu(&out.grad);
    check("dL/dz", &z, &grad, |z| {
        let o = softmax_cross_entropy(&Tensor::Cpu(z.clone()), &y).unwrap();
        cpu(&o.per_example).mean().unwrap()
    });
}

#[test]
fn mlp_backward_end_to_end() {
    let d = Device::Cpu;
    let cfg = MlpConfig { hidden: vec![5, 4], activation: Activation::Tanh };
    let mut net = Mlp::new(&d, 3, 2, &cfg, &mut Rng::new(7)).unwrap();
    let x = arr(4, 3, 8);
    let r = arr(4, 2, 9);
    net.forward(Tensor::Cpu(x.clone())).unwrap();
    let gx = cpu(&net.backward(&Tensor::Cpu(r.clone())).unwrap());
    check("mlp dL/dx", &x, &gx, |x| dot(&cpu(&net.infer(&Tensor::Cpu(x.clone())).unwrap()), &r));
}
