//! The CPU backend on ndarray: the reference every GPU kernel is tested against, and the fallback for browsers
//! without WebGPU. One function per kernel, with the kernel's name; shapes are checked by the caller
//! (`tensor::*`).

pub mod gat;
pub mod image;
mod losses;
pub mod norm;
mod optim;
mod random;
pub mod rows;

pub use losses::*;
pub use optim::*;
pub use random::*;

use super::{Activation, Block, Reduction};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip};

/// `op(a) · op(b)`.
pub fn matmul(a: ArrayView2<f32>, b: ArrayView2<f32>, trans_a: bool, trans_b: bool) -> Array2<f32> {
    let a = if trans_a { a.reversed_axes() } else { a };
    let b = if trans_b { b.reversed_axes() } else { b };
    a.dot(&b)
}

/// `batch` products `op(a_i) · op(b_i)` of matrices stored one after another (rows split evenly).
pub fn matmul_batched(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    trans_a: bool,
    trans_b: bool,
    batch: usize,
) -> Array2<f32> {
    let (ar, br) = (a.nrows() / batch.max(1), b.nrows() / batch.max(1));
    let parts: Vec<Array2<f32>> = (0..batch)
        .map(|i| {
            let ai = a.slice(ndarray::s![i * ar..(i + 1) * ar, ..]);
            let bi = b.slice(ndarray::s![i * br..(i + 1) * br, ..]);
            matmul(ai, bi, trans_a, trans_b)
        })
        .collect();
    let views: Vec<ArrayView2<f32>> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views).unwrap_or_else(|_| Array2::zeros((0, 0)))
}

/// `x + row`, `row` (1 x cols) broadcast over the rows.
pub fn add_row(x: ArrayView2<f32>, row: ArrayView2<f32>) -> Array2<f32> {
    &x + &row
}

/// `x[r, :] * s[r]`, or `x[r, :] * [s[r] >= threshold]` when `threshold` is given (`s`: rows x 1).
pub fn scale_rows(x: ArrayView2<f32>, s: ArrayView2<f32>, threshold: Option<f32>) -> Array2<f32> {
    let mut out = Vec::with_capacity(x.len());
    for (row, &f) in x.rows().into_iter().zip(s.iter()) {
        let f = match threshold {
            Some(t) => f32::from(u8::from(f >= t)),
            None => f,
        };
        match row.as_slice() {
            Some(row) => out.extend(row.iter().map(|v| v * f)),
            None => out.extend(row.iter().map(|v| v * f)),
        }
    }
    Array2::from_shape_vec(x.dim(), out).unwrap_or_else(|_| Array2::zeros(x.dim()))
}

/// Column sums: `rows x cols -> 1 x cols`, rows added in order.
pub fn sum_rows(x: ArrayView2<f32>) -> Array2<f32> {
    x.sum_axis(Axis(0)).insert_axis(Axis(0))
}

pub(super) fn sigmoid(v: f32) -> f32 {
    if v >= 0.0 {
        1.0 / (1.0 + (-v).exp())
    } else {
        let e = v.exp();
        e / (1.0 + e)
    }
}

/// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), the formula the WGSL kernels use.
pub fn erf_approx(v: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.327_591_1 * v.abs());
    let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152 + t * 1.061_405_4))));
    let e = 1.0 - poly * (-v * v).exp();
    if v >= 0.0 {
        e
    } else {
        -e
    }
}

/// `f(x)` elementwise.
pub fn activation(x: ArrayView2<f32>, f: Activation) -> Array2<f32> {
    match f {
        Activation::Identity => x.to_owned(),
        Activation::Relu => x.mapv(|v| v.max(0.0)),
        Activation::Tanh => x.mapv(f32::tanh),
        Activation::Sigmoid => x.mapv(sigmoid),
        Activation::Elu => x.mapv(|v| if v > 0.0 { v } else { v.exp() - 1.0 }),
        Activation::Gelu => x.mapv(|v| 0.5 * v * (1.0 + erf_approx(v * std::f32::consts::FRAC_1_SQRT_2))),
        Activation::Square => x.mapv(|v| v * v),
    }
}

/// `grad_out * f'(x)` elementwise.
pub fn activation_backward(x: ArrayView2<f32>, grad_out: ArrayView2<f32>, f: Activation) -> Array2<f32> {
    let derivative = |v: f32| match f {
        Activation::Identity => 1.0,
        Activation::Relu => f32::from(v > 0.0),
        Activation::Tanh => 1.0 - v.tanh() * v.tanh(),
        Activation::Sigmoid => sigmoid(v) * (1.0 - sigmoid(v)),
        Activation::Elu => {
            if v > 0.0 {
                1.0
            } else {
                v.exp()
            }
        }
        Activation::Gelu => {
            0.5 * (1.0 + erf_approx(v * std::f32::consts::FRAC_1_SQRT_2)) + v * 0.398_942_3 * (-0.5 * v * v).exp()
        }
        Activation::Square => 2.0 * v,
    };
    Zip::from(&x).and(&grad_out).map_collect(|&v, &g| g * derivative(v))
}

/// `out[r] = x[index[r]]`; an index past the end gives a zero row.
pub fn gather_rows(x: ArrayView2<f32>, index: &[f32]) -> Array2<f32> {
    let (rows, cols) = x.dim();
    let x = x.as_standard_layout();
    let xs = x.as_slice().unwrap_or(&[]);
    let mut out = Vec::with_capacity(index.len() * cols);
    for &i in index {
        let i = i as usize;
        match (i < rows).then(|| xs.get(i * cols..(i + 1) * cols)).flatten() {
            Some(row) => out.extend_from_slice(row),
            None => out.resize(out.len() + cols, 0.0),
        }
    }
    Array2::from_shape_vec((index.len(), cols), out).unwrap_or_else(|_| Array2::zeros((index.len(), cols)))
}

/// `y = x / (||x||_2 + eps)` per row.
pub fn l2_normalize_rows(x: ArrayView2<f32>, eps: f32) -> Array2<f32> {
    let mut y = x.to_owned();
    for mut row in y.rows_mut() {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        row.mapv_inplace(|v| v / (norm + eps));
    }
    y
}

/// Backward of [`l2_normalize_rows`]: `dx = g / d - x (x·g) / (n d²)` with `n = ||x||`, `d = n + eps`.
pub fn l2_normalize_rows_backward(x: ArrayView2<f32>, grad_y: ArrayView2<f32>, eps: f32) -> Array2<f32> {
    let mut out = Array2::zeros(x.dim());
    for ((xr, gr), mut o) in x.rows().into_iter().zip(grad_y.rows()).zip(out.rows_mut()) {
        let n = xr.iter().map(|v| v * v).sum::<f32>().sqrt();
        let d = n + eps;
        let xg: f32 = xr.iter().zip(gr.iter()).map(|(a, b)| a * b).sum();
        let k = if n > 0.0 { xg / (n * d * d) } else { 0.0 };
        for ((o, &xv), &gv) in o.iter_mut().zip(xr.iter()).zip(gr.iter()) {
            *o = gv / d - xv * k;
        }
    }
    out
}

/// CSR times dense, edges summed in CSR order.
pub fn spmm(row_ptr: &[u32], col_index: &[u32], values: &[f32], x: ArrayView2<f32>) -> Array2<f32> {
    let (rows, cols) = (row_ptr.len().saturating_sub(1), x.ncols());
    let mut out = Array2::zeros((rows, cols));
    // Row-major, so both are plain slices: the loop is `o += v · x` per edge in CSR order, as ndarray's
    // `scaled_add` would do it, without the per-row view overhead (10 % of a Top-To-Input epoch on Amazon-Photo).
    let x = x.as_standard_layout();
    if let (Some(xs), Some(os)) = (x.as_slice(), out.as_slice_mut()) {
        for (r, o) in os.chunks_exact_mut(cols.max(1)).enumerate() {
            for e in row_ptr[r] as usize..row_ptr[r + 1] as usize {
                let (v, c) = (values[e], col_index[e] as usize);
                for (o, x) in o.iter_mut().zip(&xs[c * cols..(c + 1) * cols]) {
                    *o += v * x;
                }
            }
        }
    }
    out
}

/// `[1, 1]`: the sum of squares of every element.
pub fn sum_squares(x: ArrayView2<f32>) -> Array2<f32> {
    Array2::from_elem((1, 1), x.iter().map(|v| v * v).sum())
}

/// Reduction along `axis` (0: over rows -> `1 x cols`; 1: over columns -> `rows x 1`), in index order;
/// argmax returns the first maximum.
pub fn reduce(x: ArrayView2<f32>, axis: usize, op: Reduction) -> Array2<f32> {
    let lanes: Vec<Vec<f32>> = if axis == 0 {
        x.columns().into_iter().map(|c| c.to_vec()).collect()
    } else {
        x.rows().into_iter().map(|r| r.to_vec()).collect()
    };
    let values: Vec<f32> = lanes
        .iter()
        .map(|lane| match op {
            Reduction::Sum => lane.iter().sum(),
            Reduction::Mean => lane.iter().sum::<f32>() / lane.len().max(1) as f32,
            Reduction::Max => lane.iter().copied().fold(lane.first().copied().unwrap_or(0.0), f32::max),
            Reduction::Argmax => {
                let mut best = 0;
                for (i, &v) in lane.iter().enumerate() {
                    if v > lane[best] {
                        best = i;
                    }
                }
                best as f32
            }
        })
        .collect();
    let n = values.len();
    let shape = if axis == 0 { (1, n) } else { (n, 1) };
    Array2::from_shape_vec(shape, values).unwrap_or_else(|_| Array2::zeros(shape))
}

/// One-hot rows of class ids (an id out of range gives a zero row).
pub fn one_hot(labels: &[f32], classes: usize) -> Array2<f32> {
    let mut out = Array2::zeros((labels.len(), classes));
    for (r, &l) in labels.iter().enumerate() {
        if l >= 0.0 && (l as usize) < classes {
            out[[r, l as usize]] = 1.0;
        }
    }
    out
}

/// `dst[block.dst + (r, c)] = src[block.src + (r, c)]`.
pub fn copy_block(src: ArrayView2<f32>, mut dst: ArrayViewMut2<f32>, block: &Block) {
    let [sr, sc] = block.src;
    let [dr, dc] = block.dst;
    let (h, w) = (block.height, block.width);
    dst.slice_mut(ndarray::s![dr..dr + h, dc..dc + w]).assign(&src.slice(ndarray::s![sr..sr + h, sc..sc + w]));
}
