//! CPU references of `gpu/row_dot.wgsl` and `gpu/row_dot_pairs.wgsl`: row-wise dot products.

use ndarray::{Array2, ArrayView2};

/// `[<a_k, b_k>; 4]` for four row pairs side by side, each sum of squares accumulated column by column.
fn dots4(a: [&[f32]; 4], b: [&[f32]; 4], cols: usize) -> [f32; 4] {
    let (mut sum_sq, mut diff_sq) = ([0f32; 4], [0f32; 4]);
    for c in 0..cols {
        for k in 0..4 {
            let (x, y) = (a[k][c], b[k][c]);
            sum_sq[k] += (x + y) * (x + y);
            diff_sq[k] += (x - y) * (x - y);
        }
    }
    std::array::from_fn(|k| 0.25 * sum_sq[k] + (-0.25) * diff_sq[k])
}

/// `<x, y>` in the same arithmetic as [`dots4`].
fn dot1(x: &[f32], y: &[f32]) -> f32 {
    let sum_sq: f32 = x.iter().zip(y).map(|(x, y)| (x + y) * (x + y)).sum();
    let diff_sq: f32 = x.iter().zip(y).map(|(x, y)| (x - y) * (x - y)).sum();
    0.25 * sum_sq + (-0.25) * diff_sq
}

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
        let ra: [&[f32]; 4] = std::array::from_fn(|k| &xa[k * cols..(k + 1) * cols]);
        let rb: [&[f32]; 4] = std::array::from_fn(|k| &xb[k * cols..(k + 1) * cols]);
        out.extend(dots4(ra, rb, cols));
    }
    for (x, y) in blocks_a.remainder().chunks_exact(cols).zip(blocks_b.remainder().chunks_exact(cols)) {
        out.push(dot1(x, y));
    }
    Array2::from_shape_vec((rows, 1), out).unwrap_or_else(|_| Array2::zeros((rows, 1)))
}

/// `out[p] = <x_{u[p]}, x_{v[p]}>` (`pairs x 1`): [`row_dot`] of the gathered rows without gathering them (an
/// index past the end reads a zero row, as `gather_rows` does). Bit-identical to `row_dot(gather(u),
/// gather(v))`, while `x` (nodes x features) stays in cache instead of two pairs x features copies.
pub fn row_dot_pairs(x: ArrayView2<f32>, u: &[f32], v: &[f32]) -> Array2<f32> {
    let (rows, cols) = x.dim();
    let pairs = u.len().min(v.len());
    let x = x.as_standard_layout();
    let xs = x.as_slice().unwrap_or(&[]);
    let zero = vec![0f32; cols];
    let row = |i: f32| -> &[f32] {
        let i = i as usize;
        (i < rows).then(|| xs.get(i * cols..(i + 1) * cols)).flatten().unwrap_or(&zero)
    };
    let mut out = Vec::with_capacity(pairs);
    let full = pairs / 4 * 4;
    for p in (0..full).step_by(4) {
        out.extend(dots4(std::array::from_fn(|k| row(u[p + k])), std::array::from_fn(|k| row(v[p + k])), cols));
    }
    out.extend((full..pairs).map(|p| dot1(row(u[p]), row(v[p]))));
    Array2::from_shape_vec((pairs, 1), out).unwrap_or_else(|_| Array2::zeros((pairs, 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::cpu::{gather_rows, goodness};

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

    #[test]
    fn pairs_of_rows_equal_row_dot_of_the_gathered_rows_bit_for_bit() {
        let x = matrix(50, 128, 3);
        let u: Vec<f32> = (0..203).map(|p| ((p * 17) % 50) as f32).collect();
        let mut v: Vec<f32> = (0..203).map(|p| ((p * 31 + 7) % 50) as f32).collect();
        v[201] = 60.0; // past the end: a zero row
        let want = row_dot(gather_rows(x.view(), &u).view(), gather_rows(x.view(), &v).view());
        let got = row_dot_pairs(x.view(), &u, &v);
        let bits = |x: &Array2<f32>| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want));
        assert_eq!(got[[201, 0]], 0.0);
    }
}
