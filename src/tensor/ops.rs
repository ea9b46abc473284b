//! The operations: shape checks, then one `match` on the backend. Names match the kernels
//! (`gpu/<name>.wgsl`, `cpu::<name>`).

use super::{cpu, gpu, Activation, AdamStep, SgdStep, Tensor};
use crate::error::{Error, Result};

fn mismatch(op: &'static str) -> Error {
    Error::DeviceMismatch { op }
}

/// `op(a) · op(b)`, where `op` transposes when its flag is set.
pub fn matmul(a: &Tensor, b: &Tensor, trans_a: bool, trans_b: bool) -> Result<Tensor> {
    let [ar, ac] = a.shape();
    let [br, bc] = b.shape();
    let (m, k) = if trans_a { (ac, ar) } else { (ar, ac) };
    let (k2, n) = if trans_b { (bc, br) } else { (br, bc) };
    if k != k2 {
        return Err(Error::shape("matmul", format!("{m}x{k} times {k2}x{n}")));
    }
    match (a, b) {
        (Tensor::Cpu(a), Tensor::Cpu(b)) => Ok(Tensor::Cpu(cpu::matmul(a.view(), b.view(), trans_a, trans_b))),
        (Tensor::Gpu(ga), Tensor::Gpu(gb)) => {
            Ok(Tensor::Gpu(gpu::matmul(ga.gpu(), ga, gb, trans_a, trans_b, [m, k, n])?))
        }
        _ => Err(mismatch("matmul")),
    }
}

/// `x + row` with a `1 x cols` row broadcast over the rows of `x`.
pub fn add_row(x: &Tensor, row: &Tensor) -> Result<Tensor> {
    if row.rows() != 1 || row.cols() != x.cols() {
        return Err(Error::shape("add_row", format!("{:?} + {:?}", x.shape(), row.shape())));
    }
    match (x, row) {
        (Tensor::Cpu(x), Tensor::Cpu(r)) => Ok(Tensor::Cpu(cpu::add_row(x.view(), r.view()))),
        (Tensor::Gpu(gx), Tensor::Gpu(gr)) => Ok(Tensor::Gpu(gpu::add_row(gx.gpu(), gx, gr)?)),
        _ => Err(mismatch("add_row")),
    }
}

/// Column sums: `rows x cols -> 1 x cols`.
pub fn sum_rows(x: &Tensor) -> Result<Tensor> {
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::sum_rows(x.view()))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::sum_rows(g.gpu(), g, x.rows(), x.cols())?)),
    }
}

/// `f(x)` elementwise.
pub fn activation(x: &Tensor, f: Activation) -> Result<Tensor> {
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::activation(x.view(), f))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::activation(g.gpu(), g, f)?)),
    }
}

/// `grad_out * f'(x)`, the gradient with respect to the activation's input `x`.
pub fn activation_backward(x: &Tensor, grad_out: &Tensor, f: Activation) -> Result<Tensor> {
    if x.shape() != grad_out.shape() {
        return Err(Error::shape("activation_backward", format!("{:?} vs {:?}", x.shape(), grad_out.shape())));
    }
    match (x, grad_out) {
        (Tensor::Cpu(x), Tensor::Cpu(g)) => Ok(Tensor::Cpu(cpu::activation_backward(x.view(), g.view(), f))),
        (Tensor::Gpu(gx), Tensor::Gpu(gg)) => Ok(Tensor::Gpu(gpu::activation_backward(gx.gpu(), gx, gg, f)?)),
        _ => Err(mismatch("activation_backward")),
    }
}

/// Softmax cross-entropy with logits. `labels` is `rows x 1` with class ids (as f32). Returns the per-row loss
/// (`rows x 1`) and the gradient of `scale * sum(loss)` with respect to the logits.
pub fn softmax_cross_entropy(logits: &Tensor, labels: &Tensor, scale: f32) -> Result<(Tensor, Tensor)> {
    if labels.shape() != [logits.rows(), 1] || logits.cols() == 0 {
        return Err(Error::shape(
            "softmax_cross_entropy",
            format!("logits {:?}, labels {:?}", logits.shape(), labels.shape()),
        ));
    }
    match (logits, labels) {
        (Tensor::Cpu(l), Tensor::Cpu(y)) => {
            let y: Vec<f32> = y.iter().copied().collect();
            let (loss, grad) = cpu::softmax_cross_entropy(l.view(), &y, scale);
            Ok((Tensor::Cpu(loss), Tensor::Cpu(grad)))
        }
        (Tensor::Gpu(gl), Tensor::Gpu(gy)) => {
            let (loss, grad) = gpu::softmax_cross_entropy(gl.gpu(), gl, gy, scale)?;
            Ok((Tensor::Gpu(loss), Tensor::Gpu(grad)))
        }
        _ => Err(mismatch("softmax_cross_entropy")),
    }
}

/// Rows of `x` picked by `index` (`k x 1`, row ids as f32): a `k x cols` tensor.
pub fn gather_rows(x: &Tensor, index: &Tensor) -> Result<Tensor> {
    if index.cols() != 1 {
        return Err(Error::shape("gather_rows", format!("index must be k x 1, got {:?}", index.shape())));
    }
    match (x, index) {
        (Tensor::Cpu(x), Tensor::Cpu(i)) => {
            let i: Vec<f32> = i.iter().copied().collect();
            Ok(Tensor::Cpu(cpu::gather_rows(x.view(), &i)))
        }
        (Tensor::Gpu(gx), Tensor::Gpu(gi)) => Ok(Tensor::Gpu(gpu::gather_rows(gx.gpu(), gx, gi)?)),
        _ => Err(mismatch("gather_rows")),
    }
}

/// `acc += alpha * x`, in place.
pub fn add_scaled(acc: &mut Tensor, x: &Tensor, alpha: f32) -> Result<()> {
    if acc.shape() != x.shape() {
        return Err(Error::shape("add_scaled", format!("{:?} += {:?}", acc.shape(), x.shape())));
    }
    match (acc, x) {
        (Tensor::Cpu(a), Tensor::Cpu(x)) => {
            cpu::add_scaled(a.view_mut(), x.view(), alpha);
            Ok(())
        }
        (Tensor::Gpu(ga), Tensor::Gpu(gx)) => gpu::add_scaled(ga.gpu(), ga, gx, alpha),
        _ => Err(mismatch("add_scaled")),
    }
}

/// One Adam/AdamW step on `param` with moments `m`, `v`.
pub fn adam(param: &mut Tensor, grad: &Tensor, m: &mut Tensor, v: &mut Tensor, hp: &AdamStep) -> Result<()> {
    let shape = param.shape();
    if grad.shape() != shape || m.shape() != shape || v.shape() != shape {
        return Err(Error::shape("adam", format!("param {shape:?}, grad {:?}", grad.shape())));
    }
    match (param, grad, m, v) {
        (Tensor::Cpu(p), Tensor::Cpu(g), Tensor::Cpu(m), Tensor::Cpu(v)) => {
            cpu::adam(p.view_mut(), g.view(), m.view_mut(), v.view_mut(), hp);
            Ok(())
        }
        (Tensor::Gpu(p), Tensor::Gpu(g), Tensor::Gpu(m), Tensor::Gpu(v)) => gpu::adam(p.gpu(), p, g, m, v, hp),
        _ => Err(mismatch("adam")),
    }
}

/// One SGD-with-momentum step on `param` with `velocity`.
pub fn sgd(param: &mut Tensor, grad: &Tensor, velocity: &mut Tensor, hp: &SgdStep) -> Result<()> {
    let shape = param.shape();
    if grad.shape() != shape || velocity.shape() != shape {
        return Err(Error::shape("sgd", format!("param {shape:?}, grad {:?}", grad.shape())));
    }
    match (param, grad, velocity) {
        (Tensor::Cpu(p), Tensor::Cpu(g), Tensor::Cpu(vel)) => {
            cpu::sgd(p.view_mut(), g.view(), vel.view_mut(), hp);
            Ok(())
        }
        (Tensor::Gpu(p), Tensor::Gpu(g), Tensor::Gpu(vel)) => gpu::sgd(p.gpu(), p, g, vel, hp),
        _ => Err(mismatch("sgd")),
    }
}
