//! The local losses of counter-current learning, with their analytic gradients.
//! Implements docs/algorithms/ccl.md, Eqs. (3)-(5), (9) and (12), and Eq. (14) for conv weights; equation
//! numbers below are that page's: the MLP's raw dot-product loss (3)-(5), the CNN's cosine loss with
//! decorrelation terms (8)-(9), the autoencoder's per-sample loss (12), and gradient centralisation of conv
//! weights (14).

use crate::config::CclOptions;
use crate::error::Result;
use crate::tensor::{
    add_scaled, l2_normalize_rows, l2_normalize_rows_backward, matmul, mse, reduce, Reduction, Tensor,
};

const NORM_EPS: f32 = 1e-8;

/// What one pair's local loss produces.
pub(crate) struct PairLoss {
    /// `1 x 1` value of `L_l`.
    pub value: Tensor,
    /// `dL_l / dA` (`B x d`).
    pub grad_a: Tensor,
    /// `dL_l / dP` (`K x d`).
    pub grad_p: Tensor,
}

/// Eqs. (3) and (5): `C = A Pᵀ`, `L = s · mean((C - Y)²)`, `dA = G1 P`, `dP = G1ᵀ A` with
/// `G1 = 2 s / (B K) · (C - Y)`.
pub(crate) fn mlp_pair_loss(a: &Tensor, p: &Tensor, y: &Tensor, s: f32) -> Result<PairLoss> {
    let c = matmul(a, p, false, true)?;
    let n = (c.rows() * c.cols()).max(1) as f32;
    let (per_element, g1) = mse(&c, y, s / n)?;
    let total = reduce(&reduce(&per_element, 0, Reduction::Sum)?, 1, Reduction::Sum)?;
    let mut value = total.device().zeros(1, 1)?;
    add_scaled(&mut value, &total, s / n)?;
    Ok(PairLoss { value, grad_a: matmul(&g1, p, false, false)?, grad_p: matmul(&g1, a, true, false)? })
}

/// `loss_scale · 256 / d`: the MLP weight of a pair of width `d` (Eq. (4)).
pub fn mlp_pair_scale(loss_scale: f32, d: usize) -> f32 {
    loss_scale * 256.0 / d.max(1) as f32
}

/// `[value (1x1), dA, dP]` of the cosine pair loss of Eq. (9) for masked forward rows `a` and feedback
/// rows `p`; `need_da = false` skips `dA` (the input pair, where `a = x` has no parameters).
pub fn cosine_pair_loss(
    a: &Tensor,
    p: &Tensor,
    y: &Tensor,
    o: &CclOptions,
    need_da: bool,
) -> Result<[Option<Tensor>; 3]> {
    let device = a.device();
    let (b, k) = (a.rows(), p.rows());
    let eye = |n: usize| -> Result<Tensor> {
        let data: Vec<f32> = (0..n * n).map(|i| if i / n == i % n { 1.0 } else { 0.0 }).collect();
        device.tensor(n, n, &data)
    };
    let ah = l2_normalize_rows(a, NORM_EPS)?;
    let ph = l2_normalize_rows(p, NORM_EPS)?;
    let (s1, s2, s3) =
        (o.loss_scale / (b * k) as f32, o.decorrelation_scale / (b * b) as f32, o.decorrelation_scale / (k * k) as f32);
    let (e1, g1) = mse(&matmul(&ah, &ph, false, true)?, y, s1)?;
    let (e2, g2) = mse(&matmul(&ah, &ah, false, true)?, &eye(b)?, s2)?;
    let (e3, g3) = mse(&matmul(&ph, &ph, false, true)?, &eye(k)?, s3)?;
    let mut value = device.zeros(1, 1)?;
    for (e, s) in [(&e1, s1), (&e2, s2), (&e3, s3)] {
        add_scaled(&mut value, &reduce(&reduce(e, 0, Reduction::Sum)?, 1, Reduction::Sum)?, s)?;
    }
    // dP̂ = G1ᵀ Â + 2 G3 P̂ (G3 symmetric), then through the row normalisation.
    let mut dph = matmul(&g1, &ah, true, false)?;
    add_scaled(&mut dph, &matmul(&g3, &ph, false, false)?, 2.0)?;
    let dp = l2_normalize_rows_backward(p, &dph, NORM_EPS)?;
    let da = if need_da {
        let mut dah = matmul(&g1, &ph, false, false)?;
        add_scaled(&mut dah, &matmul(&g2, &ah, false, false)?, 2.0)?;
        Some(l2_normalize_rows_backward(a, &dah, NORM_EPS)?)
    } else {
        None
    };
    Ok([Some(value), da, Some(dp)])
}

/// Gradient centralisation of a conv weight gradient (`out x (in 9)`): each output channel's mean over its
/// `in x 3 x 3` fan-in is removed (`g -= mean(g, dims = [1, 2, 3])`, Eq. (14)).
pub(crate) fn centralize_rows(g: &mut Tensor) -> Result<()> {
    let mean = reduce(g, 1, Reduction::Mean)?;
    let ones = g.device().tensor(1, g.cols(), &vec![1.0; g.cols()])?;
    add_scaled(g, &matmul(&mean, &ones, false, false)?, -1.0)
}

/// Sum of all elements as a `1 x 1` tensor.
pub(crate) fn total(x: &Tensor) -> Result<Tensor> {
    reduce(&reduce(x, 0, Reduction::Sum)?, 1, Reduction::Sum)
}

/// Every (image, channel) plane of `x` (rows of `channels * plane` values) centred to mean 0.
fn center_planes(x: &Tensor, plane: usize) -> Result<Tensor> {
    let [rows, cols] = x.shape();
    let planes = x.try_clone()?.reshape(rows * cols / plane, plane)?;
    let mean = reduce(&planes, 1, Reduction::Mean)?;
    let ones = x.device().tensor(1, plane, &vec![1.0; plane])?;
    let mut centred = planes;
    add_scaled(&mut centred, &matmul(&mean, &ones, false, false)?, -1.0)?;
    centred.reshape(rows, cols)
}

/// `Ā`: planes centred and divided by `‖·‖ + 1e-8` (Eq. (12)), as `(rows * channels) x plane`.
fn centred_normalised(x: &Tensor, plane: usize) -> Result<Tensor> {
    let [rows, cols] = x.shape();
    l2_normalize_rows(&center_planes(x, plane)?.reshape(rows * cols / plane, plane)?, 1e-8)
}

/// Backward of [`centred_normalised`] from `dĀ` (`(rows * channels) x plane`) to `dx` (`rows x cols`).
fn centred_normalised_backward(x: &Tensor, grad: &Tensor, plane: usize) -> Result<Tensor> {
    let [rows, cols] = x.shape();
    let centred = center_planes(x, plane)?.reshape(rows * cols / plane, plane)?;
    let d = l2_normalize_rows_backward(&centred, grad, 1e-8)?.reshape(rows, cols)?;
    center_planes(&d, plane) // centring is a symmetric projection: its backward centres the gradient
}

/// Eq. (12) for one pair: `(value, dA, dB)`; `interior` adds the centred-normalised term.
pub fn ae_pair_loss(
    a: &Tensor,
    b: &Tensor,
    height: usize,
    plane: usize,
    o: &CclOptions,
    interior: bool,
) -> Result<[Tensor; 3]> {
    let n = a.len().max(1) as f32;
    let h = height as f32;
    let (e1, g1) = mse(a, b, h * o.loss_scale / n)?;
    let mut value = a.device().zeros(1, 1)?;
    add_scaled(&mut value, &total(&e1)?, h * o.loss_scale / n)?;
    let mut da = g1;
    let mut db = a.device().zeros(b.rows(), b.cols())?;
    add_scaled(&mut db, &da, -1.0)?;
    if interior {
        let (an, bn) = (centred_normalised(a, plane)?, centred_normalised(b, plane)?);
        let (e2, g2) = mse(&an, &bn, h * o.decorrelation_scale / n)?;
        add_scaled(&mut value, &total(&e2)?, h * o.decorrelation_scale / n)?;
        add_scaled(&mut da, &centred_normalised_backward(a, &g2, plane)?, 1.0)?;
        let mut neg = g2.device().zeros(g2.rows(), g2.cols())?;
        add_scaled(&mut neg, &g2, -1.0)?;
        add_scaled(&mut db, &centred_normalised_backward(b, &neg, plane)?, 1.0)?;
    }
    Ok([value, da, db])
}
