//! The operations: shape checks, then one `match` on the backend. Names match the kernels
//! (`gpu/<name>.wgsl`, `cpu::<name>`).

use super::{cpu, gpu, Activation, AdamStep, Block, Device, Distribution, Reduction, SgdStep, Tensor};
use crate::error::{Error, Result};

fn mismatch(op: &'static str) -> Error {
    Error::DeviceMismatch { op }
}

/// `op(a) · op(b)`, where `op` transposes when its flag is set.
pub fn matmul(a: &Tensor, b: &Tensor, trans_a: bool, trans_b: bool) -> Result<Tensor> {
    let [m, n] = matmul_shape(a, b, trans_a, trans_b)?;
    let k = if trans_a { a.rows() } else { a.cols() };
    match (a, b) {
        (Tensor::Cpu(a), Tensor::Cpu(b)) => Ok(Tensor::Cpu(cpu::matmul(a.view(), b.view(), trans_a, trans_b))),
        (Tensor::Gpu(ga), Tensor::Gpu(gb)) => {
            Ok(Tensor::Gpu(gpu::matmul(ga.gpu(), ga, gb, trans_a, trans_b, [m, k, n])?))
        }
        _ => Err(mismatch("matmul")),
    }
}

/// `batch` independent products: `a` stacks `batch` matrices `op(a_i)` vertically (`batch·rows x cols`), so
/// does `b`; returns the `batch·m x n` stack of `op(a_i) · op(b_i)`.
pub fn matmul_batched(a: &Tensor, b: &Tensor, batch: usize, trans_a: bool, trans_b: bool) -> Result<Tensor> {
    if batch == 0 || !a.rows().is_multiple_of(batch) || !b.rows().is_multiple_of(batch) {
        return Err(Error::shape("matmul_batched", format!("{:?}, {:?} in {batch} batches", a.shape(), b.shape())));
    }
    let (ar, br) = (a.rows() / batch, b.rows() / batch);
    let (m, k) = if trans_a { (a.cols(), ar) } else { (ar, a.cols()) };
    let (k2, n) = if trans_b { (b.cols(), br) } else { (br, b.cols()) };
    if k != k2 {
        return Err(Error::shape("matmul_batched", format!("{m}x{k} times {k2}x{n}")));
    }
    match (a, b) {
        (Tensor::Cpu(a), Tensor::Cpu(b)) => {
            Ok(Tensor::Cpu(cpu::matmul_batched(a.view(), b.view(), trans_a, trans_b, batch)))
        }
        (Tensor::Gpu(ga), Tensor::Gpu(gb)) => {
            Ok(Tensor::Gpu(gpu::matmul_batched(ga.gpu(), ga, gb, trans_a, trans_b, [m, k, n], batch)?))
        }
        _ => Err(mismatch("matmul_batched")),
    }
}

/// The untiled GPU matmul (a benchmark baseline); on the CPU the same as [`matmul`].
pub fn matmul_naive(a: &Tensor, b: &Tensor, trans_a: bool, trans_b: bool) -> Result<Tensor> {
    match (a, b) {
        (Tensor::Gpu(ga), Tensor::Gpu(gb)) => {
            let [m, n] = matmul_shape(a, b, trans_a, trans_b)?;
            let k = if trans_a { a.rows() } else { a.cols() };
            Ok(Tensor::Gpu(gpu::matmul_naive(ga.gpu(), ga, gb, trans_a, trans_b, [m, k, n])?))
        }
        _ => matmul(a, b, trans_a, trans_b),
    }
}

/// `[m, n]` of `op(a) · op(b)`, or a shape error.
fn matmul_shape(a: &Tensor, b: &Tensor, trans_a: bool, trans_b: bool) -> Result<[usize; 2]> {
    let [ar, ac] = a.shape();
    let [br, bc] = b.shape();
    let (m, k) = if trans_a { (ac, ar) } else { (ar, ac) };
    let (k2, n) = if trans_b { (bc, br) } else { (br, bc) };
    if k != k2 {
        return Err(Error::shape("matmul", format!("{m}x{k} times {k2}x{n}")));
    }
    Ok([m, n])
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

/// Every row of `x` times its own factor `s[r]` (`s: rows x 1`); with `threshold`, times the 0/1 indicator
/// `s[r] >= threshold` instead (a row mask computed on the device, e.g. from per-example losses).
pub fn scale_rows(x: &Tensor, s: &Tensor, threshold: Option<f32>) -> Result<Tensor> {
    if s.shape() != [x.rows(), 1] {
        return Err(Error::shape("scale_rows", format!("x {:?}, factors {:?}", x.shape(), s.shape())));
    }
    match (x, s) {
        (Tensor::Cpu(x), Tensor::Cpu(s)) => Ok(Tensor::Cpu(cpu::scale_rows(x.view(), s.view(), threshold))),
        (Tensor::Gpu(gx), Tensor::Gpu(gs)) => Ok(Tensor::Gpu(gpu::scale_rows(gx.gpu(), gx, gs, threshold)?)),
        _ => Err(mismatch("scale_rows")),
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

/// Per-row L2 normalisation `x / (||x||_2 + eps)` (ForwardGNN's "LayerNormalization"; eps on the norm).
pub fn l2_normalize_rows(x: &Tensor, eps: f32) -> Result<Tensor> {
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::l2_normalize_rows(x.view(), eps))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::l2_normalize_rows(g.gpu(), g, eps)?)),
    }
}

/// Backward of [`l2_normalize_rows`] with respect to `x`.
pub fn l2_normalize_rows_backward(x: &Tensor, grad_y: &Tensor, eps: f32) -> Result<Tensor> {
    if x.shape() != grad_y.shape() {
        return Err(Error::shape("l2_normalize_rows_backward", format!("{:?} vs {:?}", x.shape(), grad_y.shape())));
    }
    match (x, grad_y) {
        (Tensor::Cpu(x), Tensor::Cpu(g)) => Ok(Tensor::Cpu(cpu::l2_normalize_rows_backward(x.view(), g.view(), eps))),
        (Tensor::Gpu(gx), Tensor::Gpu(gg)) => Ok(Tensor::Gpu(gpu::l2_normalize_rows_backward(gx.gpu(), gx, gg, eps)?)),
        _ => Err(mismatch("l2_normalize_rows_backward")),
    }
}

/// `[1, 1]` tensor: the sum of squares of `x` (stays on the device).
pub fn sum_squares(x: &Tensor) -> Result<Tensor> {
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::sum_squares(x.view()))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::sum_squares(g.gpu(), g)?)),
    }
}

/// Global-norm clipping of a group of gradients (PyTorch's `clip_grad_norm_`): with
/// `total = sqrt(Σ ||g||²)`, every `g *= min(1, max_norm / (total + 1e-6))`. Runs on the device, no readback.
pub fn clip_global_norm(grads: &mut [&mut Tensor], max_norm: f32) -> Result<()> {
    let Some(first) = grads.first() else { return Ok(()) };
    let mut total = first.device().zeros(1, 1)?;
    for g in grads.iter() {
        add_scaled(&mut total, &sum_squares(g)?, 1.0)?;
    }
    for g in grads.iter_mut() {
        match (&mut **g, &total) {
            (Tensor::Cpu(g), Tensor::Cpu(t)) => cpu::clip_by_norm(g.view_mut(), t[[0, 0]], max_norm),
            (Tensor::Gpu(g), Tensor::Gpu(t)) => gpu::clip_by_norm(g.gpu(), g, t, max_norm)?,
            _ => return Err(mismatch("clip_global_norm")),
        }
    }
    Ok(())
}

/// Gradient centralisation of an `in x out` weight gradient: each column's mean is removed, in place.
pub fn centralize_columns(g: &mut Tensor) -> Result<()> {
    match g {
        Tensor::Cpu(g) => {
            cpu::centralize_columns(g.view_mut());
            Ok(())
        }
        Tensor::Gpu(t) => gpu::centralize_columns(t.gpu(), t),
    }
}

/// Reduces `x` along `axis` (0: over rows, giving `1 x cols`; 1: over columns, giving `rows x 1`).
pub fn reduce(x: &Tensor, axis: usize, op: Reduction) -> Result<Tensor> {
    if axis > 1 {
        return Err(Error::shape("reduce", format!("axis {axis} of a matrix")));
    }
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::reduce(x.view(), axis, op))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::reduce(g.gpu(), g, axis, op)?)),
    }
}

/// Row-wise softmax (`log = false`) or log-softmax (`log = true`).
pub fn softmax(x: &Tensor, log: bool) -> Result<Tensor> {
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::softmax(x.view(), log))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::softmax(g.gpu(), g, log)?)),
    }
}

/// Backward of [`softmax`], from its output `y` and the upstream gradient `grad_y`.
pub fn softmax_backward(y: &Tensor, grad_y: &Tensor, log: bool) -> Result<Tensor> {
    if y.shape() != grad_y.shape() {
        return Err(Error::shape("softmax_backward", format!("{:?} vs {:?}", y.shape(), grad_y.shape())));
    }
    match (y, grad_y) {
        (Tensor::Cpu(y), Tensor::Cpu(g)) => Ok(Tensor::Cpu(cpu::softmax_backward(y.view(), g.view(), log))),
        (Tensor::Gpu(gy), Tensor::Gpu(gg)) => Ok(Tensor::Gpu(gpu::softmax_backward(gy.gpu(), gy, gg, log)?)),
        _ => Err(mismatch("softmax_backward")),
    }
}

/// One-hot rows (`rows x classes`) of class ids (`rows x 1`, as f32).
pub fn one_hot(labels: &Tensor, classes: usize) -> Result<Tensor> {
    if labels.cols() != 1 {
        return Err(Error::shape("one_hot", format!("labels must be k x 1, got {:?}", labels.shape())));
    }
    match labels {
        Tensor::Cpu(l) => Ok(Tensor::Cpu(cpu::one_hot(l.as_slice().unwrap_or(&[]), classes))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::one_hot(g.gpu(), g, classes)?)),
    }
}

/// A `rows x cols` draw from `dist`; element `i` depends only on `(seed, i)`, so both backends give the same
/// numbers (uniform: bit for bit; normal: to float tolerance of `ln`/`cos`).
pub fn random(device: &Device, rows: usize, cols: usize, dist: Distribution, seed: u64) -> Result<Tensor> {
    match device {
        Device::Cpu => Ok(Tensor::Cpu(cpu::random(rows, cols, dist, seed))),
        Device::Gpu(g) => Ok(Tensor::Gpu(gpu::random(g, rows, cols, dist, seed)?)),
    }
}

/// Copies `block` of `src` into `dst`, in place.
pub fn copy_block(src: &Tensor, dst: &mut Tensor, block: &Block) -> Result<()> {
    let fits = |shape: [usize; 2], at: [usize; 2]| at[0] + block.height <= shape[0] && at[1] + block.width <= shape[1];
    if !fits(src.shape(), block.src) || !fits(dst.shape(), block.dst) {
        return Err(Error::shape("copy_block", format!("{block:?} from {:?} to {:?}", src.shape(), dst.shape())));
    }
    match (src, dst) {
        (Tensor::Cpu(s), Tensor::Cpu(d)) => {
            cpu::copy_block(s.view(), d.view_mut(), block);
            Ok(())
        }
        (Tensor::Gpu(s), Tensor::Gpu(d)) => gpu::copy_block(s.gpu(), s, d, block),
        _ => Err(mismatch("copy_block")),
    }
}

/// Concatenates along `axis` (0: stack rows, 1: side by side).
pub fn concat(parts: &[&Tensor], axis: usize) -> Result<Tensor> {
    let Some(first) = parts.first() else { return Err(Error::shape("concat", "nothing to concatenate")) };
    let keep = 1 - axis.min(1);
    if axis > 1 || parts.iter().any(|p| p.shape()[keep] != first.shape()[keep]) {
        let shapes: Vec<[usize; 2]> = parts.iter().map(|p| p.shape()).collect();
        return Err(Error::shape("concat", format!("axis {axis}, shapes {shapes:?}")));
    }
    let total: usize = parts.iter().map(|p| p.shape()[axis]).sum();
    let mut shape = first.shape();
    shape[axis] = total;
    let mut out = first.device().zeros(shape[0], shape[1])?;
    let mut offset = 0;
    for p in parts {
        let [h, w] = p.shape();
        let dst = if axis == 0 { [offset, 0] } else { [0, offset] };
        copy_block(p, &mut out, &Block { height: h, width: w, src: [0, 0], dst })?;
        offset += p.shape()[axis];
    }
    Ok(out)
}

/// Rows (`axis = 0`) or columns (`axis = 1`) `range` of `x`, as a new tensor.
pub fn slice(x: &Tensor, axis: usize, range: std::ops::Range<usize>) -> Result<Tensor> {
    let [rows, cols] = x.shape();
    if axis > 1 || range.start > range.end || range.end > x.shape()[axis.min(1)] {
        return Err(Error::shape("slice", format!("axis {axis}, {range:?} of {:?}", x.shape())));
    }
    let n = range.end - range.start;
    let (h, w, src) = if axis == 0 { (n, cols, [range.start, 0]) } else { (rows, n, [0, range.start]) };
    let mut out = x.device().zeros(h, w)?;
    copy_block(x, &mut out, &Block { height: h, width: w, src, dst: [0, 0] })?;
    Ok(out)
}

/// Inverted dropout: each element is zeroed with probability `p` (mask fixed by `seed`, identical on both
/// backends), survivors scaled by `1 / (1 - p)`. Its backward is `dropout(grad, p, seed)` with the same seed.
pub fn dropout(x: &Tensor, p: f32, seed: u64) -> Result<Tensor> {
    if !(0.0..1.0).contains(&p) {
        return Err(Error::invalid("dropout", format!("probability {p} (use 0 <= p < 1)")));
    }
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::dropout(x.view(), p, seed))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::dropout(g.gpu(), g, p, seed)?)),
    }
}

/// Cosine-similarity matrix `S[i, j] = cos(a_i, b_j)` (rows L2-normalised with `eps` on the norm, then
/// `â b̂ᵀ`), e.g. CCL's forward-vs-feedback alignment. Its gradient composes [`matmul`] and
/// [`l2_normalize_rows_backward`].
pub fn cosine_similarity(a: &Tensor, b: &Tensor, eps: f32) -> Result<Tensor> {
    matmul(&l2_normalize_rows(a, eps)?, &l2_normalize_rows(b, eps)?, false, true)
}
