//! Central finite differences against every hand-written backward, on the CPU backend. The scalar probed is
//! `L = sum(y ⊙ r)` for a fixed random `r`, so `dL/dy = r` is what each backward receives.
#![cfg(not(target_arch = "wasm32"))]

use super::common;

use bpfree::nn::{softmax_cross_entropy, ActivationLayer, Linear, Mlp, MlpConfig};
use bpfree::rng::Rng;
use bpfree::tensor::{
    bce_with_logits, goodness, goodness_backward, l2_normalize_rows, l2_normalize_rows_backward, mse, softmax,
    softmax_backward, Activation, Device, Tensor,
};
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
    let b = cpu(&layer.bias.as_ref().unwrap().value);
    let gw = cpu(layer.weight.grad.as_ref().unwrap());
    let gb = cpu(layer.bias.as_ref().unwrap().grad.as_ref().unwrap());
    let loss = |x: &Array2<f32>, w: &Array2<f32>, b: &Array2<f32>| dot(&(x.dot(w) + b), &r);
    check("dL/dx", &x, &gx, |x| loss(x, &w, &b));
    check("dL/dW", &w, &gw, |w| loss(&x, w, &b));
    check("dL/db", &b, &gb, |b| loss(&x, &w, b));
}

#[test]
fn activation_backward() {
    for f in [
        Activation::Identity,
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Elu,
        Activation::Gelu,
        Activation::Square,
    ] {
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
    let cfg = MlpConfig { hidden: vec![5, 4], activation: Activation::Tanh, ..Default::default() };
    let mut net = Mlp::new(&d, 3, 2, &cfg, &mut Rng::new(7)).unwrap();
    let x = arr(4, 3, 8);
    let r = arr(4, 2, 9);
    net.forward(Tensor::Cpu(x.clone())).unwrap();
    let gx = cpu(&net.backward(&Tensor::Cpu(r.clone())).unwrap());
    check("mlp dL/dx", &x, &gx, |x| dot(&cpu(&net.infer(&Tensor::Cpu(x.clone())).unwrap()), &r));
}

#[test]
fn l2_normalize_rows_gradient() {
    let x = arr(4, 5, 10);
    let r = arr(4, 5, 11);
    let gx = cpu(&l2_normalize_rows_backward(&Tensor::Cpu(x.clone()), &Tensor::Cpu(r.clone()), 1e-8).unwrap());
    check("l2_normalize_rows", &x, &gx, |x| dot(&cpu(&l2_normalize_rows(&Tensor::Cpu(x.clone()), 1e-8).unwrap()), &r));
}

#[test]
fn softmax_gradients() {
    for log in [false, true] {
        let x = arr(3, 5, 12).mapv(|v| 2.0 * v);
        let r = arr(3, 5, 13);
        let y = softmax(&Tensor::Cpu(x.clone()), log).unwrap();
        let gx = cpu(&softmax_backward(&y, &Tensor::Cpu(r.clone()), log).unwrap());
        check(&format!("softmax log={log}"), &x, &gx, |x| {
            dot(&cpu(&softmax(&Tensor::Cpu(x.clone()), log).unwrap()), &r)
        });
    }
}

#[test]
fn elementwise_loss_gradients() {
    let z = arr(3, 4, 14).mapv(|v| 3.0 * v);
    let t = arr(3, 4, 15).mapv(|v| f32::from(v > 0.0));
    let tt = Tensor::Cpu(t.clone());
    for f in [bce_with_logits, mse] {
        let (_, g) = f(&Tensor::Cpu(z.clone()), &tt, 1.0).unwrap();
        check("elementwise loss", &z, &cpu(&g), |z| cpu(&f(&Tensor::Cpu(z.clone()), &tt, 1.0).unwrap().0).sum());
    }
}

#[test]
fn goodness_gradient() {
    for mean in [false, true] {
        let x = arr(4, 6, 16);
        let r = arr(4, 1, 17);
        let gx = cpu(&goodness_backward(&Tensor::Cpu(x.clone()), &Tensor::Cpu(r.clone()), mean).unwrap());
        check("goodness", &x, &gx, |x| dot(&cpu(&goodness(&Tensor::Cpu(x.clone()), mean).unwrap()), &r));
    }
}

fn small_graph() -> Vec<(u32, u32)> {
    vec![(0, 1), (1, 0), (1, 2), (2, 3), (3, 1), (4, 4)]
}

#[test]
fn gcn_conv_backward() {
    use bpfree::nn::GcnConv;
    use bpfree::tensor::Csr;
    let d = Device::Cpu;
    let graph = Csr::gcn_normalized(&d, 5, &small_graph()).unwrap();
    let mut layer = GcnConv::new(&d, 3, 2, &mut Rng::new(20)).unwrap();
    let x = arr(5, 3, 21);
    let r = arr(5, 2, 22);
    layer.forward(&graph, Tensor::Cpu(x.clone())).unwrap();
    let gx = cpu(&layer.backward(&graph, &Tensor::Cpu(r.clone())).unwrap());
    let gw = cpu(layer.weight.grad.as_ref().unwrap());
    let gb = cpu(layer.bias.grad.as_ref().unwrap());
    let w = cpu(&layer.weight.value);
    let b = cpu(&layer.bias.value);
    let f = |x: &Array2<f32>, w: &Array2<f32>, b: &Array2<f32>| {
        let mut l = GcnConv::new(&d, 3, 2, &mut Rng::new(20)).unwrap();
        l.weight.value = Tensor::Cpu(w.clone());
        l.bias.value = Tensor::Cpu(b.clone());
        dot(&cpu(&l.infer(&graph, &Tensor::Cpu(x.clone())).unwrap()), &r)
    };
    check("gcn dX", &x, &gx, |x| f(x, &w, &b));
    check("gcn dW", &w, &gw, |w| f(&x, w, &b));
    check("gcn db", &b, &gb, |b| f(&x, &w, b));
}

#[test]
fn sage_conv_backward() {
    use bpfree::nn::SageConv;
    use bpfree::tensor::Csr;
    let d = Device::Cpu;
    let graph = Csr::mean_aggregation(&d, 5, &small_graph()).unwrap();
    let mut layer = SageConv::new(&d, 3, 2, &mut Rng::new(23)).unwrap();
    let x = arr(5, 3, 24);
    let r = arr(5, 2, 25);
    layer.forward(&graph, Tensor::Cpu(x.clone())).unwrap();
    let gx = cpu(&layer.backward(&graph, &Tensor::Cpu(r.clone())).unwrap());
    let grads: Vec<Array2<f32>> = layer.params_mut().iter().map(|p| cpu(p.grad.as_ref().unwrap())).collect();
    let values: Vec<Array2<f32>> = layer.params_mut().iter().map(|p| cpu(&p.value)).collect();
    let f = |x: &Array2<f32>, vals: &[Array2<f32>]| {
        let mut l = SageConv::new(&d, 3, 2, &mut Rng::new(23)).unwrap();
        for (p, v) in l.params_mut().into_iter().zip(vals) {
            p.value = Tensor::Cpu(v.clone());
        }
        dot(&cpu(&l.infer(&graph, &Tensor::Cpu(x.clone())).unwrap()), &r)
    };
    check("sage dX", &x, &gx, |x| f(x, &values));
    for i in 0..3 {
        check(&format!("sage param {i}"), &values[i], &grads[i], |v| {
            let mut vals = values.clone();
            vals[i] = v.clone();
            f(&x, &vals)
        });
    }
}

#[test]
fn embedding_backward_accumulates_repeated_ids() {
    use bpfree::nn::Embedding;
    let d = Device::Cpu;
    let mut table = Embedding::new(&d, 4, 3, &mut Rng::new(30)).unwrap();
    let ids = [2, 0, 2];
    let r = arr(3, 3, 31);
    table.forward(&ids).unwrap();
    table.backward(&Tensor::Cpu(r.clone())).unwrap();
    let w = cpu(&table.weight.value);
    let gw = cpu(table.weight.grad.as_ref().unwrap());
    check("embedding dW", &w, &gw, |w| {
        let mut t = Embedding::new(&d, 4, 3, &mut Rng::new(30)).unwrap();
        t.weight.value = Tensor::Cpu(w.clone());
        dot(&cpu(&t.infer(&ids).unwrap()), &r)
    });
    assert!(table.infer(&[4]).is_err(), "id out of range");
}

#[test]
fn gat_conv_backward() {
    use bpfree::nn::GatConv;
    use bpfree::tensor::GatGraph;
    let d = Device::Cpu;
    let graph = GatGraph::new(&d, 5, &small_graph()).unwrap();
    let mut layer = GatConv::new(&d, 3, 2, 2, &mut Rng::new(40)).unwrap();
    let x = arr(5, 3, 41).mapv(|v| 2.0 * v);
    let r = arr(5, 4, 42);
    layer.forward(&graph, Tensor::Cpu(x.clone())).unwrap();
    let gx = cpu(&layer.backward(&graph, &Tensor::Cpu(r.clone())).unwrap());
    let grads: Vec<Array2<f32>> = layer.params_mut().iter().map(|p| cpu(p.grad.as_ref().unwrap())).collect();
    let values: Vec<Array2<f32>> = layer.params_mut().iter().map(|p| cpu(&p.value)).collect();
    let f = |x: &Array2<f32>, vals: &[Array2<f32>]| {
        let mut l = GatConv::new(&d, 3, 2, 2, &mut Rng::new(40)).unwrap();
        for (p, v) in l.params_mut().into_iter().zip(vals) {
            p.value = Tensor::Cpu(v.clone());
        }
        dot(&cpu(&l.infer(&graph, &Tensor::Cpu(x.clone())).unwrap()), &r)
    };
    check("gat dX", &x, &gx, |x| f(x, &values));
    for i in 0..4 {
        check(&format!("gat param {i}"), &values[i], &grads[i], |v| {
            let mut vals = values.clone();
            vals[i] = v.clone();
            f(&x, &vals)
        });
    }
}

#[test]
fn conv2d_layer_backward() {
    use bpfree::nn::Conv2d;
    use bpfree::tensor::Conv2dShape;
    let d = Device::Cpu;
    for (stride, pad) in [(1, 1), (2, 1), (1, 0)] {
        let s = Conv2dShape { in_ch: 2, height: 5, width: 4, out_ch: 3, stride, pad };
        let mut layer = Conv2d::new(&d, s, true, &mut Rng::new(50)).unwrap();
        let x = arr(2, s.in_len(), 51);
        let r = arr(2, s.out_len(), 52);
        layer.forward(Tensor::Cpu(x.clone())).unwrap();
        let gx = cpu(&layer.backward(&Tensor::Cpu(r.clone())).unwrap());
        let grads: Vec<Array2<f32>> = layer.params_mut().iter().map(|p| cpu(p.grad.as_ref().unwrap())).collect();
        let values: Vec<Array2<f32>> = layer.params_mut().iter().map(|p| cpu(&p.value)).collect();
        let f = |x: &Array2<f32>, vals: &[Array2<f32>]| {
            let mut l = Conv2d::new(&d, s, true, &mut Rng::new(50)).unwrap();
            for (p, v) in l.params_mut().into_iter().zip(vals) {
                p.value = Tensor::Cpu(v.clone());
            }
            dot(&cpu(&l.infer(&Tensor::Cpu(x.clone())).unwrap()), &r)
        };
        check("conv dX", &x, &gx, |x| f(x, &values));
        for i in 0..2 {
            check(&format!("conv param {i}"), &values[i], &grads[i], |v| {
                let mut vals = values.clone();
                vals[i] = v.clone();
                f(&x, &vals)
            });
        }
    }
}

#[test]
fn pooling_and_upsampling_backward() {
    use bpfree::nn::{MaxPool2x2, Upsample2x};
    let (c, h, w) = (2, 4, 6);
    let mut pool = MaxPool2x2::new(c, h, w);
    let x = arr(2, c * h * w, 60);
    let r = arr(2, c * (h / 2) * (w / 2), 61);
    pool.forward(Tensor::Cpu(x.clone())).unwrap();
    let gx = cpu(&pool.backward(&Tensor::Cpu(r.clone())).unwrap());
    check("max pool", &x, &gx, |x| dot(&cpu(&pool.infer(&Tensor::Cpu(x.clone())).unwrap()), &r));
    let up = Upsample2x { channels: c, height: h, width: w };
    let r = arr(2, c * 4 * h * w, 62);
    let gx = cpu(&up.backward(&Tensor::Cpu(r.clone())).unwrap());
    check("upsample", &x, &gx, |x| dot(&cpu(&up.forward(&Tensor::Cpu(x.clone())).unwrap()), &r));
}

#[test]
fn dropout_backward_uses_the_forward_mask() {
    use bpfree::nn::Dropout;
    let mut layer = Dropout::new(0.4);
    let x = arr(6, 7, 70);
    let r = arr(6, 7, 71);
    let mut rng = Rng::new(72);
    let y = cpu(&layer.forward(&Tensor::Cpu(x.clone()), &mut rng).unwrap());
    let gx = cpu(&layer.backward(&Tensor::Cpu(r.clone())).unwrap());
    // linear in x for a fixed mask: the gradient is y / x elementwise times r
    for ((g, yv), (xv, rv)) in gx.iter().zip(&y).zip(x.iter().zip(&r)) {
        let scale = if *yv == 0.0 { 0.0 } else { yv / xv };
        assert!((g - scale * rv).abs() < 1e-5);
    }
}

#[test]
fn batch_norm_backward_through_batch_statistics() {
    use bpfree::nn::BatchNorm;
    let d = Device::Cpu;
    for plane in [1, 4] {
        let channels = 3;
        let mut layer = BatchNorm::new(&d, channels).unwrap();
        layer.gamma.value = Tensor::Cpu(arr(1, channels, 80).mapv(|v| v + 1.5));
        layer.beta.value = Tensor::Cpu(arr(1, channels, 81));
        let x = arr(5, channels * plane, 82).mapv(|v| 2.0 * v);
        let r = arr(5, channels * plane, 83);
        layer.forward(Tensor::Cpu(x.clone())).unwrap();
        let gx = cpu(&layer.backward(&Tensor::Cpu(r.clone())).unwrap());
        let gg = cpu(layer.gamma.grad.as_ref().unwrap());
        let gamma = cpu(&layer.gamma.value);
        let beta = cpu(&layer.beta.value);
        let f = |x: &Array2<f32>, gamma: &Array2<f32>| {
            let mut l = BatchNorm::new(&d, channels).unwrap();
            l.gamma.value = Tensor::Cpu(gamma.clone());
            l.beta.value = Tensor::Cpu(beta.clone());
            dot(&cpu(&l.forward(Tensor::Cpu(x.clone())).unwrap()), &r)
        };
        check("batch norm dx", &x, &gx, |x| f(x, &gamma));
        check("batch norm dgamma", &gamma, &gg, |g| f(&x, g));
    }
}

#[test]
fn batch_norm_running_statistics_follow_pytorch() {
    use bpfree::nn::BatchNorm;
    let d = Device::Cpu;
    let mut layer = BatchNorm::new(&d, 1).unwrap();
    // one channel, values 1..4: mean 2.5, biased var 1.25, unbiased 5/3
    layer.forward(Tensor::Cpu(ndarray::array![[1.0], [2.0], [3.0], [4.0]])).unwrap();
    let m = cpu(&layer.running_mean)[[0, 0]];
    let v = cpu(&layer.running_var)[[0, 0]];
    assert!((m - 0.25).abs() < 1e-6, "{m}");
    assert!((v - (0.9 + 0.1 * 5.0 / 3.0)).abs() < 1e-6, "{v}");
}

#[test]
fn sequential_conv_net_backward() {
    use bpfree::nn::{ActivationLayer, BatchNorm, Conv2d, Layer, Linear, MaxPool2x2, Sequential};
    use bpfree::tensor::Conv2dShape;
    let d = Device::Cpu;
    let build = || {
        let mut rng = Rng::new(90);
        let s = Conv2dShape { in_ch: 1, height: 6, width: 6, out_ch: 2, stride: 1, pad: 1 };
        Sequential::new(vec![
            Layer::Conv2d(Conv2d::new(&d, s, true, &mut rng).unwrap()),
            Layer::BatchNorm(BatchNorm::new(&d, 2).unwrap()),
            Layer::Activation(ActivationLayer::new(Activation::Tanh)),
            Layer::MaxPool(MaxPool2x2::new(2, 6, 6)),
            Layer::Linear(Linear::new(&d, 18, 3, &mut rng).unwrap()),
        ])
    };
    let mut net = build();
    let x = arr(4, 36, 91);
    let r = arr(4, 3, 92);
    net.forward(Tensor::Cpu(x.clone()), &mut Rng::new(1)).unwrap();
    let gx = cpu(&net.backward(&Tensor::Cpu(r.clone())).unwrap());
    assert_eq!(net.params_mut().len(), 6, "conv w+b, bn gamma+beta, linear w+b");
    check("sequential dX", &x, &gx, |x| {
        dot(&cpu(&build().forward(Tensor::Cpu(x.clone()), &mut Rng::new(1)).unwrap()), &r)
    });
}
