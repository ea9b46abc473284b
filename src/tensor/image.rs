//! Image operators on batches stored one image per row (NCHW flattened in C, H, W order): 3x3 convolution
//! (stride 1 or 2, padding 0 or 1) with its input and weight gradients, 2x2 max pooling, nearest upsampling
//! by 2, and their backward passes.

use super::{cpu, gpu, Tensor};
use crate::error::{Error, Result};

/// Geometry of a 3x3 convolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dShape {
    pub in_ch: usize,
    pub height: usize,
    pub width: usize,
    pub out_ch: usize,
    /// 1 or 2.
    pub stride: usize,
    /// 0 ("valid") or 1 ("same" at stride 1).
    pub pad: usize,
}

impl Conv2dShape {
    /// Output height `(h + 2p - 3) / s + 1`.
    pub fn out_height(&self) -> usize {
        (self.height + 2 * self.pad).saturating_sub(3) / self.stride.max(1) + 1
    }

    /// Output width.
    pub fn out_width(&self) -> usize {
        (self.width + 2 * self.pad).saturating_sub(3) / self.stride.max(1) + 1
    }

    /// Values per input image.
    pub fn in_len(&self) -> usize {
        self.in_ch * self.height * self.width
    }

    /// Values per output image.
    pub fn out_len(&self) -> usize {
        self.out_ch * self.out_height() * self.out_width()
    }

    fn validate(&self, op: &'static str) -> Result<()> {
        if !(1..=2).contains(&self.stride)
            || self.pad > 1
            || self.height + 2 * self.pad < 3
            || self.width + 2 * self.pad < 3
        {
            return Err(Error::shape(op, format!("unsupported geometry {self:?} (3x3, stride 1|2, padding 0|1)")));
        }
        Ok(())
    }
}

fn mismatch(op: &'static str) -> Error {
    Error::DeviceMismatch { op }
}

/// `conv(x, w) + bias`: `x: batch x (in_ch h w)`, `w: out_ch x (in_ch 9)`, `bias: 1 x out_ch`.
pub fn conv2d(x: &Tensor, w: &Tensor, bias: &Tensor, s: &Conv2dShape) -> Result<Tensor> {
    s.validate("conv2d")?;
    if x.cols() != s.in_len() || w.shape() != [s.out_ch, s.in_ch * 9] || bias.shape() != [1, s.out_ch] {
        return Err(Error::shape(
            "conv2d",
            format!("x {:?}, w {:?}, bias {:?} for {s:?}", x.shape(), w.shape(), bias.shape()),
        ));
    }
    match (x, w, bias) {
        (Tensor::Cpu(x), Tensor::Cpu(w), Tensor::Cpu(b)) => {
            Ok(Tensor::Cpu(cpu::image::conv2d(x.view(), w.view(), b.as_slice().unwrap_or(&[]), s)))
        }
        (Tensor::Gpu(gx), Tensor::Gpu(gw), Tensor::Gpu(gb)) => Ok(Tensor::Gpu(gpu::conv2d(gx.gpu(), gx, gw, gb, s)?)),
        _ => Err(mismatch("conv2d")),
    }
}

/// `dL/dx` of [`conv2d`].
pub fn conv2d_input_grad(grad_out: &Tensor, w: &Tensor, s: &Conv2dShape) -> Result<Tensor> {
    s.validate("conv2d_input_grad")?;
    if grad_out.cols() != s.out_len() {
        return Err(Error::shape("conv2d_input_grad", format!("grad {:?} for {s:?}", grad_out.shape())));
    }
    match (grad_out, w) {
        (Tensor::Cpu(g), Tensor::Cpu(w)) => Ok(Tensor::Cpu(cpu::image::conv2d_input_grad(g.view(), w.view(), s))),
        (Tensor::Gpu(g), Tensor::Gpu(w)) => Ok(Tensor::Gpu(gpu::conv2d_input_grad(g.gpu(), g, w, s)?)),
        _ => Err(mismatch("conv2d_input_grad")),
    }
}

/// `dL/dw` of [`conv2d`].
pub fn conv2d_weight_grad(grad_out: &Tensor, x: &Tensor, s: &Conv2dShape) -> Result<Tensor> {
    s.validate("conv2d_weight_grad")?;
    if grad_out.cols() != s.out_len() || x.cols() != s.in_len() || x.rows() != grad_out.rows() {
        return Err(Error::shape("conv2d_weight_grad", format!("grad {:?}, x {:?}", grad_out.shape(), x.shape())));
    }
    match (grad_out, x) {
        (Tensor::Cpu(g), Tensor::Cpu(x)) => Ok(Tensor::Cpu(cpu::image::conv2d_weight_grad(g.view(), x.view(), s))),
        (Tensor::Gpu(g), Tensor::Gpu(x)) => Ok(Tensor::Gpu(gpu::conv2d_weight_grad(g.gpu(), g, x, s)?)),
        _ => Err(mismatch("conv2d_weight_grad")),
    }
}

fn check_planes(op: &'static str, t: &Tensor, channels: usize, h: usize, w: usize) -> Result<()> {
    if t.cols() != channels * h * w {
        return Err(Error::shape(op, format!("{:?} is not batch x ({channels} x {h} x {w})", t.shape())));
    }
    Ok(())
}

/// 2x2 max pooling with stride 2; returns the pooled images and the winners the backward needs.
pub fn max_pool2x2(x: &Tensor, channels: usize, h: usize, w: usize) -> Result<(Tensor, Tensor)> {
    check_planes("max_pool2x2", x, channels, h, w)?;
    match x {
        Tensor::Cpu(x) => {
            let (y, k) = cpu::image::max_pool2x2(x.view(), channels, h, w);
            Ok((Tensor::Cpu(y), Tensor::Cpu(k)))
        }
        Tensor::Gpu(g) => {
            let (y, k) = gpu::max_pool2x2(g.gpu(), g, channels, h, w)?;
            Ok((Tensor::Gpu(y), Tensor::Gpu(k)))
        }
    }
}

/// Backward of [`max_pool2x2`] (`h, w` are the input's sizes).
pub fn max_pool2x2_backward(grad_out: &Tensor, winner: &Tensor, channels: usize, h: usize, w: usize) -> Result<Tensor> {
    check_planes("max_pool2x2_backward", grad_out, channels, h / 2, w / 2)?;
    match (grad_out, winner) {
        (Tensor::Cpu(g), Tensor::Cpu(k)) => {
            Ok(Tensor::Cpu(cpu::image::max_pool2x2_backward(g.view(), k.view(), channels, h, w)))
        }
        (Tensor::Gpu(g), Tensor::Gpu(k)) => Ok(Tensor::Gpu(gpu::max_pool2x2_backward(g.gpu(), g, k, channels, h, w)?)),
        _ => Err(mismatch("max_pool2x2_backward")),
    }
}

/// Nearest-neighbour upsampling by 2 of `batch x (channels h w)`.
pub fn upsample2x(x: &Tensor, channels: usize, h: usize, w: usize) -> Result<Tensor> {
    check_planes("upsample2x", x, channels, h, w)?;
    match x {
        Tensor::Cpu(x) => Ok(Tensor::Cpu(cpu::image::upsample2x(x.view(), channels, h, w))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::upsample2x(g.gpu(), g, channels, h, w)?)),
    }
}

/// Backward of [`upsample2x`] (`h, w` are the input's sizes).
pub fn upsample2x_backward(grad_out: &Tensor, channels: usize, h: usize, w: usize) -> Result<Tensor> {
    check_planes("upsample2x_backward", grad_out, channels, 2 * h, 2 * w)?;
    match grad_out {
        Tensor::Cpu(g) => Ok(Tensor::Cpu(cpu::image::upsample2x_backward(g.view(), channels, h, w))),
        Tensor::Gpu(g) => Ok(Tensor::Gpu(gpu::upsample2x_backward(g.gpu(), g, channels, h, w)?)),
    }
}
