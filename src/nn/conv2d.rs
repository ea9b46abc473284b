//! 3x3 convolution layer, with max pooling and nearest upsampling as layers beside it. Images are rows of the
//! batch matrix (NCHW flattened), see `tensor::conv2d`.
//!
//! # Shapes
//! `x: batch x (in_ch h w)` -> `batch x (out_ch h' w')`; weight `out_ch x (in_ch 3 3)` (PyTorch's
//! `(out, in, kh, kw)` flattened), bias `1 x out_ch`.

use super::Param;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{
    conv2d, conv2d_input_grad, conv2d_weight_grad, max_pool2x2, max_pool2x2_backward, reduce, sum_rows, upsample2x,
    upsample2x_backward, Conv2dShape, Device, Reduction, Tensor,
};

/// `y = conv3x3(x, W) + b`.
#[derive(Debug)]
pub struct Conv2d {
    /// Geometry (input size, channels, stride, padding).
    pub shape: Conv2dShape,
    /// `out_ch x (in_ch 9)`.
    pub weight: Param,
    /// `1 x out_ch`; `None` for a bias-free convolution.
    pub bias: Option<Param>,
    zero_bias: Tensor,
    input: Option<Tensor>,
}

impl Conv2d {
    /// PyTorch's default initialisation: weight and bias `U(±1/sqrt(in_ch 9))`.
    pub fn new(device: &Device, shape: Conv2dShape, bias: bool, rng: &mut Rng) -> Result<Self> {
        let bound = 1.0 / ((shape.in_ch * 9).max(1) as f32).sqrt();
        let w: Vec<f32> = (0..shape.out_ch * shape.in_ch * 9).map(|_| rng.uniform(-bound, bound)).collect();
        let bias = if bias {
            let b: Vec<f32> = (0..shape.out_ch).map(|_| rng.uniform(-bound, bound)).collect();
            Some(Param::new(device.tensor(1, shape.out_ch, &b)?))
        } else {
            None
        };
        Ok(Conv2d {
            shape,
            weight: Param::new(device.tensor(shape.out_ch, shape.in_ch * 9, &w)?),
            bias,
            zero_bias: device.zeros(1, shape.out_ch)?,
            input: None,
        })
    }

    /// The convolution, caching `x`.
    pub fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        let y = self.infer(&x)?;
        self.input = Some(x);
        Ok(y)
    }

    /// The convolution without caching.
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        let bias = self.bias.as_ref().map_or(&self.zero_bias, |b| &b.value);
        conv2d(x, &self.weight.value, bias, &self.shape)
    }

    /// Accumulates `dL/dW` (and `dL/db`, the per-channel sum of `dL/dy`); returns `dL/dx`.
    pub fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        self.backward_params(grad_y)?;
        conv2d_input_grad(grad_y, &self.weight.value, &self.shape)
    }

    /// [`Conv2d::backward`] without `dL/dx`, for a first layer whose input is data.
    pub fn backward_params(&mut self, grad_y: &Tensor) -> Result<()> {
        let x = self.input.take().ok_or_else(|| Error::invalid("backward", "Conv2d::backward before forward"))?;
        self.weight.accumulate(conv2d_weight_grad(grad_y, &x, &self.shape)?)?;
        if let Some(bias) = &mut self.bias {
            let (batch, plane) = (grad_y.rows(), self.shape.out_height() * self.shape.out_width());
            let per_plane = grad_y.try_clone()?.reshape(batch * self.shape.out_ch, plane)?;
            let per_channel = reduce(&per_plane, 1, Reduction::Sum)?.reshape(batch, self.shape.out_ch)?;
            bias.accumulate(sum_rows(&per_channel)?)?;
        }
        Ok(())
    }

    /// The weight and, if any, the bias.
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        std::iter::once(&mut self.weight).chain(self.bias.as_mut()).collect()
    }
}

/// 2x2 max pooling with stride 2 over `channels` planes of `height x width`.
#[derive(Debug)]
pub struct MaxPool2x2 {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    winner: Option<Tensor>,
}

impl MaxPool2x2 {
    /// Pooling for inputs of `channels x height x width`.
    pub fn new(channels: usize, height: usize, width: usize) -> Self {
        MaxPool2x2 { channels, height, width, winner: None }
    }

    /// Pools, caching the winners.
    pub fn forward(&mut self, x: Tensor) -> Result<Tensor> {
        let (y, winner) = max_pool2x2(&x, self.channels, self.height, self.width)?;
        self.winner = Some(winner);
        Ok(y)
    }

    /// Pools without caching.
    pub fn infer(&self, x: &Tensor) -> Result<Tensor> {
        Ok(max_pool2x2(x, self.channels, self.height, self.width)?.0)
    }

    /// Routes each window's gradient to its winner.
    pub fn backward(&mut self, grad_y: &Tensor) -> Result<Tensor> {
        let winner =
            self.winner.take().ok_or_else(|| Error::invalid("backward", "MaxPool2x2::backward before forward"))?;
        max_pool2x2_backward(grad_y, &winner, self.channels, self.height, self.width)
    }
}

/// Nearest-neighbour upsampling by 2 of `channels` planes of `height x width`.
#[derive(Clone, Copy, Debug)]
pub struct Upsample2x {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl Upsample2x {
    /// Doubles height and width.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        upsample2x(x, self.channels, self.height, self.width)
    }

    /// Sums the four copies' gradients.
    pub fn backward(&self, grad_y: &Tensor) -> Result<Tensor> {
        upsample2x_backward(grad_y, self.channels, self.height, self.width)
    }
}
