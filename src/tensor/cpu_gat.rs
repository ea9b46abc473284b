//! CPU references of the four GAT kernels (`gpu/gat_*.wgsl`), same loops and order.

use ndarray::{Array2, ArrayView2};

fn leaky(v: f32, slope: f32) -> f32 {
    if v > 0.0 {
        v
    } else {
        slope * v
    }
}

/// Segment softmax of `LeakyReLU(s_src[j] + s_dst[i])` over each destination's incoming edges.
pub fn gat_softmax(
    dst_ptr: &[u32],
    src_of: &[u32],
    s_src: ArrayView2<f32>,
    s_dst: ArrayView2<f32>,
    slope: f32,
) -> Array2<f32> {
    let heads = s_src.ncols();
    let mut alpha = Array2::zeros((src_of.len(), heads));
    for i in 0..dst_ptr.len().saturating_sub(1) {
        let seg = dst_ptr[i] as usize..dst_ptr[i + 1] as usize;
        for h in 0..heads {
            let logit = |e: usize| leaky(s_src[[src_of[e] as usize, h]] + s_dst[[i, h]], slope);
            let top = seg.clone().map(logit).fold(f32::NEG_INFINITY, f32::max);
            let total: f32 = seg.clone().map(|e| (logit(e) - top).exp()).sum();
            for e in seg.clone() {
                alpha[[e, h]] = (logit(e) - top).exp() / total;
            }
        }
    }
    alpha
}

/// Backward of [`gat_softmax`]: `d raw = alpha (d alpha - Σ alpha d alpha) * LeakyReLU'(raw)`.
pub fn gat_softmax_backward(
    dst_ptr: &[u32],
    src_of: &[u32],
    s_src: ArrayView2<f32>,
    s_dst: ArrayView2<f32>,
    alpha: ArrayView2<f32>,
    grad_alpha: ArrayView2<f32>,
    slope: f32,
) -> Array2<f32> {
    let heads = s_src.ncols();
    let mut out = Array2::zeros((src_of.len(), heads));
    for i in 0..dst_ptr.len().saturating_sub(1) {
        let seg = dst_ptr[i] as usize..dst_ptr[i + 1] as usize;
        for h in 0..heads {
            let dot: f32 = seg.clone().map(|e| alpha[[e, h]] * grad_alpha[[e, h]]).sum();
            for e in seg.clone() {
                let raw = s_src[[src_of[e] as usize, h]] + s_dst[[i, h]];
                let d = if raw > 0.0 { 1.0 } else { slope };
                out[[e, h]] = alpha[[e, h]] * (grad_alpha[[e, h]] - dot) * d;
            }
        }
    }
    out
}

/// `out[n, hC+c] = Σ_k alpha[edge[k], h] x[neighbor[k], hC+c]` over `k in ptr[n]..ptr[n+1]`.
pub fn gat_aggregate(
    ptr: &[u32],
    neighbor: &[u32],
    edge: &[u32],
    alpha: ArrayView2<f32>,
    x: ArrayView2<f32>,
) -> Array2<f32> {
    let (nodes, width) = x.dim();
    let heads = alpha.ncols().max(1);
    let channels = width / heads;
    let mut out = Array2::zeros((nodes, width));
    for n in 0..nodes {
        for k in ptr[n] as usize..ptr[n + 1] as usize {
            for f in 0..width {
                out[[n, f]] += alpha[[edge[k] as usize, f / channels]] * x[[neighbor[k] as usize, f]];
            }
        }
    }
    out
}

/// `d alpha[e, h] = Σ_c d out[dst e, hC+c] x[src e, hC+c]`.
pub fn gat_attention_grad(
    src_of: &[u32],
    dst_of: &[u32],
    grad_out: ArrayView2<f32>,
    x: ArrayView2<f32>,
    heads: usize,
) -> Array2<f32> {
    let channels = x.ncols() / heads.max(1);
    Array2::from_shape_fn((src_of.len(), heads), |(e, h)| {
        (0..channels)
            .map(|c| grad_out[[dst_of[e] as usize, h * channels + c]] * x[[src_of[e] as usize, h * channels + c]])
            .sum()
    })
}
