//! CPU references (and the CPU backend) of the image kernels (`gpu/conv2d*.wgsl`, `max_pool2x2*.wgsl`, `upsample2x*.wgsl`).
//! Images are rows of a matrix, each row one NCHW image flattened in (C, H, W) order.

use super::super::Conv2dShape;
use ndarray::{Array2, ArrayView2};

fn tap(s: &Conv2dShape, o: usize, k: usize, size: usize) -> Option<usize> {
    let v = (o * s.stride + k) as isize - s.pad as isize;
    (v >= 0 && (v as usize) < size).then_some(v as usize)
}

/// `in_ch 9 x (out_h out_w)` columns of image `n`: column `(oy, ox)` holds the 3x3 patch under that output
/// (zeros outside the image), so a convolution is one matrix product (im2col).
fn im2col(x: ArrayView2<f32>, n: usize, s: &Conv2dShape) -> Array2<f32> {
    let (oh, ow) = (s.out_height(), s.out_width());
    let mut cols = Array2::zeros((s.in_ch * 9, oh * ow));
    for ci in 0..s.in_ch {
        for ky in 0..3 {
            for kx in 0..3 {
                let mut row = cols.row_mut(ci * 9 + ky * 3 + kx);
                for oy in 0..oh {
                    let Some(y) = tap(s, oy, ky, s.height) else { continue };
                    for ox in 0..ow {
                        let Some(xx) = tap(s, ox, kx, s.width) else { continue };
                        row[oy * ow + ox] = x[[n, (ci * s.height + y) * s.width + xx]];
                    }
                }
            }
        }
    }
    cols
}

/// Adds the columns back onto image `n` of `dx` (the adjoint of [`im2col`]).
fn col2im(cols: &Array2<f32>, dx: &mut Array2<f32>, n: usize, s: &Conv2dShape) {
    let (oh, ow) = (s.out_height(), s.out_width());
    for ci in 0..s.in_ch {
        for ky in 0..3 {
            for kx in 0..3 {
                let row = cols.row(ci * 9 + ky * 3 + kx);
                for oy in 0..oh {
                    let Some(y) = tap(s, oy, ky, s.height) else { continue };
                    for ox in 0..ow {
                        let Some(xx) = tap(s, ox, kx, s.width) else { continue };
                        dx[[n, (ci * s.height + y) * s.width + xx]] += row[oy * ow + ox];
                    }
                }
            }
        }
    }
}

/// 3x3 convolution with bias: per image, `W · im2col(x) + b` (an ndarray GEMM; the GPU kernel is direct,
/// so the parity test compares two independent formulations).
pub fn conv2d(x: ArrayView2<f32>, w: ArrayView2<f32>, bias: &[f32], s: &Conv2dShape) -> Array2<f32> {
    let plane = s.out_height() * s.out_width();
    let mut out = Array2::zeros((x.nrows(), s.out_len()));
    for n in 0..x.nrows() {
        let y = w.dot(&im2col(x, n, s)); // out_ch x plane
        let mut row = out.row_mut(n);
        for co in 0..s.out_ch {
            for p in 0..plane {
                row[co * plane + p] = y[[co, p]] + bias[co];
            }
        }
    }
    out
}

/// The image-`n` gradient as an `out_ch x plane` matrix.
fn grad_matrix(grad_out: ArrayView2<f32>, n: usize, s: &Conv2dShape) -> Array2<f32> {
    let plane = s.out_height() * s.out_width();
    Array2::from_shape_fn((s.out_ch, plane), |(co, p)| grad_out[[n, co * plane + p]])
}

/// Gradient with respect to the input: `col2im(Wᵀ · dY)` per image.
pub fn conv2d_input_grad(grad_out: ArrayView2<f32>, w: ArrayView2<f32>, s: &Conv2dShape) -> Array2<f32> {
    let mut dx = Array2::zeros((grad_out.nrows(), s.in_len()));
    for n in 0..grad_out.nrows() {
        let cols = w.t().dot(&grad_matrix(grad_out, n, s));
        col2im(&cols, &mut dx, n, s);
    }
    dx
}

/// Gradient with respect to the weights: `Σ_n dY_n · im2col(x_n)ᵀ`.
pub fn conv2d_weight_grad(grad_out: ArrayView2<f32>, x: ArrayView2<f32>, s: &Conv2dShape) -> Array2<f32> {
    let mut dw = Array2::zeros((s.out_ch, s.in_ch * 9));
    for n in 0..grad_out.nrows() {
        dw += &grad_matrix(grad_out, n, s).dot(&im2col(x, n, s).t());
    }
    dw
}

/// 2x2/2 max pooling and the winner (0..3, row-major, first maximum) of every window.
pub fn max_pool2x2(x: ArrayView2<f32>, channels: usize, h: usize, w: usize) -> (Array2<f32>, Array2<f32>) {
    let (oh, ow) = (h / 2, w / 2);
    let mut out = Array2::zeros((x.nrows(), channels * oh * ow));
    let mut winner = Array2::zeros(out.dim());
    for n in 0..x.nrows() {
        for c in 0..channels {
            for oy in 0..oh {
                for ox in 0..ow {
                    let at = |k: usize| x[[n, (c * h + 2 * oy + k / 2) * w + 2 * ox + k % 2]];
                    let (mut best, mut which) = (at(0), 0);
                    for k in 1..4 {
                        if at(k) > best {
                            best = at(k);
                            which = k;
                        }
                    }
                    out[[n, (c * oh + oy) * ow + ox]] = best;
                    winner[[n, (c * oh + oy) * ow + ox]] = which as f32;
                }
            }
        }
    }
    (out, winner)
}

/// Backward of [`max_pool2x2`].
pub fn max_pool2x2_backward(
    grad_out: ArrayView2<f32>,
    winner: ArrayView2<f32>,
    channels: usize,
    h: usize,
    w: usize,
) -> Array2<f32> {
    let (oh, ow) = (h / 2, w / 2);
    let mut dx = Array2::zeros((grad_out.nrows(), channels * h * w));
    for n in 0..grad_out.nrows() {
        for c in 0..channels {
            for oy in 0..oh {
                for ox in 0..ow {
                    let o = (c * oh + oy) * ow + ox;
                    let k = winner[[n, o]] as usize;
                    dx[[n, (c * h + 2 * oy + k / 2) * w + 2 * ox + k % 2]] = grad_out[[n, o]];
                }
            }
        }
    }
    dx
}

/// Nearest-neighbour upsampling by 2.
pub fn upsample2x(x: ArrayView2<f32>, channels: usize, h: usize, w: usize) -> Array2<f32> {
    let (oh, ow) = (2 * h, 2 * w);
    Array2::from_shape_fn((x.nrows(), channels * oh * ow), |(n, i)| {
        let (c, y, xx) = (i / (oh * ow), (i % (oh * ow)) / ow, i % ow);
        x[[n, (c * h + y / 2) * w + xx / 2]]
    })
}

/// Backward of [`upsample2x`]: the sum of each input's four copies.
pub fn upsample2x_backward(grad_out: ArrayView2<f32>, channels: usize, h: usize, w: usize) -> Array2<f32> {
    let ow = 2 * w;
    Array2::from_shape_fn((grad_out.nrows(), channels * h * w), |(n, i)| {
        let (c, y, x) = (i / (h * w), (i % (h * w)) / w, i % w);
        let base = (c * 2 * h + 2 * y) * ow + 2 * x;
        grad_out[[n, base]] + grad_out[[n, base + 1]] + grad_out[[n, base + ow]] + grad_out[[n, base + ow + 1]]
    })
}
