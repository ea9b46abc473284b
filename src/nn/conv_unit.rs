//! A convolution unit as CCL's autoencoder blocks use them: optional nearest upsampling x2, a 3x3 conv (with
//! an optional bias), then optional batch norm and ReLU — and orthogonal weight initialisation.

use super::{BatchNorm, Param};
use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::{
    activation, activation_backward, conv2d, conv2d_input_grad, conv2d_weight_grad, reduce, sum_rows, upsample2x,
    upsample2x_backward, Activation, Conv2dShape, Device, Reduction, Tensor,
};

/// One convolution of F or G with its optional upsampling before, batch norm and ReLU after.
#[derive(Debug)]
pub struct ConvUnit {
    /// Geometry of the convolution (after upsampling).
    pub shape: Conv2dShape,
    /// Upsample the input by 2 first.
    pub upsample: bool,
    /// `out x (in 9)`.
    pub weight: Param,
    /// `1 x out`, if any.
    pub bias: Option<Param>,
    zero_bias: Tensor,
    /// Batch norm + ReLU after the conv (γ/β are never stepped: their gradients are dropped).
    pub norm: Option<BatchNorm>,
}

/// What one unit's forward pass keeps: the conv input (after upsampling) and the pre-ReLU values.
pub struct ConvUnitCache {
    input: Tensor,
    normed: Tensor,
}

impl ConvUnit {
    /// A unit with the given weight; a zero bias if `bias`; batch norm + ReLU if `norm`.
    pub fn new(
        device: &Device,
        shape: Conv2dShape,
        upsample: bool,
        bias: bool,
        norm: bool,
        weight: Tensor,
    ) -> Result<Self> {
        Ok(ConvUnit {
            shape,
            upsample,
            weight: Param::new(weight),
            bias: if bias { Some(Param::new(device.zeros(1, shape.out_ch)?)) } else { None },
            zero_bias: device.zeros(1, shape.out_ch)?,
            norm: if norm { Some(BatchNorm::new(device, shape.out_ch)?) } else { None },
        })
    }

    /// `relu(bn(conv(up(x))))` with the running statistics, nothing cached (evaluation).
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        let input = if self.upsample {
            upsample2x(x, self.shape.in_ch, self.shape.height / 2, self.shape.width / 2)?
        } else {
            x.try_clone()?
        };
        let bias = self.bias.as_ref().map_or(&self.zero_bias, |b| &b.value);
        let conv = conv2d(&input, &self.weight.value, bias, &self.shape)?;
        match &self.norm {
            Some(bn) => activation(&bn.infer(&conv)?, Activation::Relu),
            None => Ok(conv),
        }
    }

    /// `relu(bn(conv(up(x))))` (or without norm/ReLU for an output unit). `train` uses batch statistics.
    pub fn forward(&mut self, x: &Tensor, train: bool) -> Result<(Tensor, ConvUnitCache)> {
        let input = if self.upsample {
            upsample2x(x, self.shape.in_ch, self.shape.height / 2, self.shape.width / 2)?
        } else {
            x.try_clone()?
        };
        let bias = self.bias.as_ref().map_or(&self.zero_bias, |b| &b.value);
        let conv = conv2d(&input, &self.weight.value, bias, &self.shape)?;
        let (normed, out) = match &mut self.norm {
            Some(bn) => {
                let n = if train { bn.forward(conv)? } else { bn.infer(&conv)? };
                let out = activation(&n, Activation::Relu)?;
                (n, out)
            }
            None => (conv.try_clone()?, conv),
        };
        Ok((out, ConvUnitCache { input, normed }))
    }

    /// From `dL/d out`: accumulates the weight (and bias) gradients; returns `dL/d x` if `need_input`.
    pub fn backward(&mut self, cache: &ConvUnitCache, grad: &Tensor, need_input: bool) -> Result<Option<Tensor>> {
        let dz = match &mut self.norm {
            Some(bn) => {
                let d = activation_backward(&cache.normed, grad, Activation::Relu)?;
                let dz = bn.backward(&d)?;
                bn.gamma.grad = None; // γ, β are in no optimiser: frozen batch norm (docs/algorithms/ccl.md)
                bn.beta.grad = None;
                dz
            }
            None => grad.try_clone()?,
        };
        self.weight.accumulate(conv2d_weight_grad(&dz, &cache.input, &self.shape)?)?;
        if let Some(b) = &mut self.bias {
            let plane = self.shape.out_height() * self.shape.out_width();
            let per_plane = dz.try_clone()?.reshape(dz.rows() * self.shape.out_ch, plane)?;
            let per_channel = reduce(&per_plane, 1, Reduction::Sum)?.reshape(dz.rows(), self.shape.out_ch)?;
            b.accumulate(sum_rows(&per_channel)?)?;
        }
        if !need_input {
            return Ok(None);
        }
        let dx = conv2d_input_grad(&dz, &self.weight.value, &self.shape)?;
        Ok(Some(if self.upsample {
            upsample2x_backward(&dx, self.shape.in_ch, self.shape.height / 2, self.shape.width / 2)?
        } else {
            dx
        }))
    }
}

/// Orthogonal `out x (in 9)` weights (PyTorch's `orthogonal_`, gain 1): orthonormal rows when `out <= in 9`,
/// else orthonormal rows of the `(in, out 9)` permutation, times `scale` (the CCL autoencoder's initialisation,
/// docs/algorithms/ccl.md, "Architectures and hyper-parameters").
pub fn orthogonal(device: &Device, out_ch: usize, in_ch: usize, scale: f32, rng: &mut Rng) -> Result<Tensor> {
    let (rows, cols, permuted) =
        if out_ch <= in_ch * 9 { (out_ch, in_ch * 9, false) } else { (in_ch, out_ch * 9, true) };
    let q = orthonormal_rows(rows, cols, rng);
    let mut w = vec![0.0f32; out_ch * in_ch * 9];
    for o in 0..out_ch {
        for i in 0..in_ch {
            for k in 0..9 {
                let v = if permuted { q[i][o * 9 + k] } else { q[o][i * 9 + k] };
                w[(o * in_ch + i) * 9 + k] = v as f32 * scale;
            }
        }
    }
    device.tensor(out_ch, in_ch * 9, &w)
}

/// `rows` orthonormal vectors of length `cols` (Gram-Schmidt, twice, on seeded Gaussian draws; `rows <= cols`),
/// or unit-norm Gaussian rows when `rows > cols` (no orthonormal set exists).
pub fn orthonormal_rows(rows: usize, cols: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
    let mut q: Vec<Vec<f64>> = Vec::with_capacity(rows);
    while q.len() < rows {
        let mut v: Vec<f64> = (0..cols).map(|_| f64::from(rng.normal())).collect();
        if rows <= cols {
            for _ in 0..2 {
                for u in &q {
                    let d: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
                    v.iter_mut().zip(u).for_each(|(a, b)| *a -= d * b);
                }
            }
        }
        let n = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if n > 1e-6 {
            q.push(v.into_iter().map(|a| a / n).collect());
        }
    }
    q
}
