//! CPU reference of `gpu/row_dot.wgsl`: row-wise products of two matrices.

use ndarray::{Array2, ArrayView2};

/// `out[r] = <a_r, b_r>` (`rows x 1`), in polarization form `(‖a_r + b_r‖² − ‖a_r − b_r‖²) / 4` with each sum
/// of squares accumulated column by column. This is, operation for operation, what ForwardGNN's link scores
/// were computed as before this kernel existed (`goodness(a + b) / 4 − goodness(a − b) / 4`, four passes and
/// two copies of the pair matrices), so every link result stays bit-identical while the work is one pass.
/// Rows go four at a time: each row's sums keep their order, the four chains just run side by side.
pub fn row_dot(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    let (rows, cols) = a.dim();
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let (Some(a), Some(b)) = (a.as_slice(), b.as_slice()) else { return Array2::zeros((rows, 1)) };
    if cols == 0 || a.len() != b.len() {
        return Array2::zeros((rows, 1));
    }
    let mut out = Vec::with_capacity(rows);
    let (mut blocks_a, mut blocks_b) = (a.chunks_exact(4 * cols), b.chunks_exact(4 * cols));
    for (xa, xb) in (&mut blocks_a).zip(&mut blocks_b) {
        let (mut sum_sq, mut diff_sq) = ([0f32; 4], [0f32; 4]);
        let ra: [&[f32]; 4] = std::array::from_fn(|k| &xa[k * cols..(k + 1) * cols]);
        let rb: [&[f32]; 4] = std::array::from_fn(|k| &xb[k * cols..(k + 1) * cols]);
        for c in 0..cols {
            for k in 0..4 {
                let (x, y) = (ra[k][c], rb[k][c]);
                sum_sq[k] += (x + y) * (x + y);
                diff_sq[k] += (x - y) * (x - y);
            }
        }
        out.extend((0..4).map(|k| 0.25 * sum_sq[k] + (-0.25) * diff_sq[k]));
    }
    for (x, y) in blocks_a.remainder().chunks_exact(cols).zip(blocks_b.remainder().chunks_exact(cols)) {
        let sum_sq: f32 = x.iter().zip(y).map(|(x, y)| (x + y) * (x + y)).sum();
        let diff_sq: f32 = x.iter().zip(y).map(|(x, y)| (x - y) * (x - y)).sum();
        out.push(0.25 * sum_sq + (-0.25) * diff_sq);
    }
    Array2::from_shape_vec((rows, 1), out).unwrap_or_else(|_| Array2::zeros((rows, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::cpu::goodness;

    fn matrix(rows: usize, cols: usize, seed: u32) -> Array2<f32> {
        Array2::from_shape_fn((rows, cols), |(r, c)| {
            let h = (r as u32 * 7919 + c as u32 * 104_729 + seed).wrapping_mul(2_654_435_761);
            (h >> 8) as f32 / (1u32 << 24) as f32 * 4.0 - 2.0
        })
    }

    #[test]
    fn equals_the_goodness_formulation_bit_for_bit_and_the_plain_dot_closely() {
        let (a, b) = (matrix(303, 128, 1), matrix(303, 128, 2));
        let mut old = Array2::<f32>::zeros((303, 1));
        old.scaled_add(0.25, &goodness((&a + &b).view(), false));
        old.scaled_add(-0.25, &goodness((&a - &b).view(), false));
        let got = row_dot(a.view(), b.view());
        let bits = |x: &Array2<f32>| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&old));
        for (r, g) in got.iter().enumerate() {
            let dot: f64 = a.row(r).iter().zip(b.row(r)).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
            assert!((f64::from(*g) - dot).abs() < 1e-3 * (1.0 + dot.abs()), "row {r}: {g} vs {dot}");
        }
    }
}
