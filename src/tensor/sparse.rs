//! Sparse matrices in CSR form, for graph propagation (GCN's normalised adjacency, SAGE's mean aggregation).
//! Each [`Csr`] keeps its transpose too, so the backward pass `Aᵀ·G` is the same kernel (`gpu/spmm.wgsl`)
//! without atomics.

use super::gpu::{GpuIndex, GpuTensor};
use super::{cpu, gpu, Device, Tensor};
use crate::error::{Error, Result};

/// One CSR matrix on one backend.
enum Part {
    Cpu { row_ptr: Vec<u32>, col_index: Vec<u32>, values: Vec<f32> },
    Gpu { row_ptr: GpuIndex, col_index: GpuIndex, values: GpuTensor },
}

/// A `rows x cols` sparse matrix and its transpose.
pub struct Csr {
    rows: usize,
    cols: usize,
    nnz: usize,
    forward: Part,
    transpose: Part,
    /// For [`Csr::pattern`]: which triplet each stored entry of `forward` / `transpose` came from (`nnz x 1`, ids
    /// as f32), so per-step values can be laid out in CSR order with one gather.
    triplet_order: Option<[Tensor; 2]>,
}

impl std::fmt::Debug for Csr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Csr({}x{}, {} non-zeros)", self.rows, self.cols, self.nnz)
    }
}

/// `row_ptr`, `col_index` and `values` of one CSR matrix.
type CsrArrays = (Vec<u32>, Vec<u32>, Vec<f32>);

/// CSR arrays of `triplets` (row, col, value), ordered by row then by input order (a stable sort), and that
/// order (which triplet each entry came from).
fn csr_arrays(rows: usize, triplets: &[(u32, u32, f32)]) -> (CsrArrays, Vec<usize>) {
    let mut order: Vec<usize> = (0..triplets.len()).collect();
    order.sort_by_key(|&i| triplets[i].0);
    let mut row_ptr = vec![0u32; rows + 1];
    for &(r, _, _) in triplets {
        row_ptr[r as usize + 1] += 1;
    }
    for r in 0..rows {
        row_ptr[r + 1] += row_ptr[r];
    }
    let col_index = order.iter().map(|&i| triplets[i].1).collect();
    let values = order.iter().map(|&i| triplets[i].2).collect();
    ((row_ptr, col_index, values), order)
}

fn part(device: &Device, arrays: CsrArrays) -> Result<Part> {
    let (row_ptr, col_index, values) = arrays;
    match device {
        Device::Cpu => Ok(Part::Cpu { row_ptr, col_index, values }),
        Device::Gpu(g) => Ok(Part::Gpu {
            row_ptr: GpuIndex::new(g, &row_ptr, "csr.row_ptr")?,
            col_index: GpuIndex::new(g, &col_index, "csr.col_index")?,
            values: GpuTensor::from_slice(g, &[values.len(), 1], &values)?,
        }),
    }
}

impl Csr {
    /// A matrix from `(row, col, value)` triplets; duplicates are kept (they add up in products).
    pub fn from_triplets(device: &Device, rows: usize, cols: usize, triplets: &[(u32, u32, f32)]) -> Result<Csr> {
        Ok(Csr::build(device, rows, cols, triplets, false)?.0)
    }

    fn build(
        device: &Device,
        rows: usize,
        cols: usize,
        triplets: &[(u32, u32, f32)],
        keep_order: bool,
    ) -> Result<(Csr, [Vec<usize>; 2])> {
        if let Some(&(r, c, _)) = triplets.iter().find(|&&(r, c, _)| r as usize >= rows || c as usize >= cols) {
            return Err(Error::shape("csr", format!("entry ({r}, {c}) outside a {rows}x{cols} matrix")));
        }
        let transposed: Vec<(u32, u32, f32)> = triplets.iter().map(|&(r, c, v)| (c, r, v)).collect();
        let (forward, forward_order) = csr_arrays(rows, triplets);
        let (transpose, transpose_order) = csr_arrays(cols, &transposed);
        let csr = Csr {
            rows,
            cols,
            nnz: triplets.len(),
            forward: part(device, forward)?,
            transpose: part(device, transpose)?,
            triplet_order: None,
        };
        let orders = if keep_order { [forward_order, transpose_order] } else { [Vec::new(), Vec::new()] };
        Ok((csr, orders))
    }

    /// The pattern of `entries` (`(row, col)`, duplicates kept), for products whose values change every step
    /// ([`spmm_weighted`]): entry `k`'s value is `w[k]` of the step's weights.
    pub fn pattern(device: &Device, rows: usize, cols: usize, entries: &[(u32, u32)]) -> Result<Csr> {
        let triplets: Vec<(u32, u32, f32)> = entries.iter().map(|&(r, c)| (r, c, 1.0)).collect();
        let (mut csr, orders) = Csr::build(device, rows, cols, &triplets, true)?;
        let ids = |order: &[usize]| device.tensor(order.len(), 1, &order.iter().map(|&i| i as f32).collect::<Vec<_>>());
        csr.triplet_order = Some([ids(&orders[0])?, ids(&orders[1])?]);
        Ok(csr)
    }

    /// GCN's propagation matrix `Â = D^-1/2 (A + I) D^-1/2` for edges `src -> dst` (PyG `GCNConv`): a
    /// self-loop of weight 1 is added to every node without one, `deg(i)` counts the edges into `i`
    /// (self-loop included), and row `i` of `Â` aggregates the messages arriving at `i`.
    pub fn gcn_normalized(device: &Device, nodes: usize, edges: &[(u32, u32)]) -> Result<Csr> {
        let mut has_loop = vec![false; nodes];
        let mut all: Vec<(u32, u32)> = Vec::with_capacity(edges.len() + nodes);
        for &(s, d) in edges {
            if s as usize >= nodes || d as usize >= nodes {
                return Err(Error::shape("gcn_normalized", format!("edge {s}->{d} with {nodes} nodes")));
            }
            if s == d {
                has_loop[s as usize] = true;
            }
            all.push((s, d));
        }
        all.extend((0..nodes as u32).filter(|&i| !has_loop[i as usize]).map(|i| (i, i)));
        let mut deg = vec![0f32; nodes];
        for &(_, d) in &all {
            deg[d as usize] += 1.0;
        }
        let triplets: Vec<(u32, u32, f32)> =
            all.iter().map(|&(s, d)| (d, s, 1.0 / (deg[s as usize] * deg[d as usize]).sqrt())).collect();
        Csr::from_triplets(device, nodes, nodes, &triplets)
    }

    /// SAGE's mean aggregation: row `i` averages the features of the nodes with an edge into `i` (zero row
    /// when there is none; no self-loops added).
    pub fn mean_aggregation(device: &Device, nodes: usize, edges: &[(u32, u32)]) -> Result<Csr> {
        let mut indeg = vec![0f32; nodes];
        for &(s, d) in edges {
            if s as usize >= nodes || d as usize >= nodes {
                return Err(Error::shape("mean_aggregation", format!("edge {s}->{d} with {nodes} nodes")));
            }
            indeg[d as usize] += 1.0;
        }
        let triplets: Vec<(u32, u32, f32)> = edges.iter().map(|&(s, d)| (d, s, 1.0 / indeg[d as usize])).collect();
        Csr::from_triplets(device, nodes, nodes, &triplets)
    }

    /// The `rows x index.len()` matrix with a 1 at `(index[r], r)`: `spmm` with it adds row `r` of its operand
    /// into row `index[r]` ([`scatter_add_rows`]).
    pub fn scatter(device: &Device, index: &[u32], rows: usize) -> Result<Csr> {
        let triplets: Vec<(u32, u32, f32)> = index.iter().enumerate().map(|(r, &i)| (i, r as u32, 1.0)).collect();
        Csr::from_triplets(device, rows, index.len(), &triplets)
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Stored entries.
    pub fn nnz(&self) -> usize {
        self.nnz
    }
}

fn spmm_part(p: &Part, out_rows: usize, x: &Tensor) -> Result<Tensor> {
    match (p, x) {
        (Part::Cpu { row_ptr, col_index, values }, Tensor::Cpu(x)) => {
            Ok(Tensor::Cpu(cpu::spmm(row_ptr, col_index, values, x.view())))
        }
        (Part::Gpu { row_ptr, col_index, values }, Tensor::Gpu(gx)) => {
            Ok(Tensor::Gpu(gpu::spmm(gx.gpu(), row_ptr, col_index, values, gx, out_rows)?))
        }
        _ => Err(Error::DeviceMismatch { op: "spmm" }),
    }
}

/// [`spmm_part`] with the values `w` given in triplet order instead of the stored ones.
fn spmm_part_weighted(a: &Csr, side: usize, w: &Tensor, out_rows: usize, x: &Tensor) -> Result<Tensor> {
    let order = a.triplet_order.as_ref().ok_or_else(|| Error::invalid("spmm_weighted", "a Csr::pattern is needed"))?;
    if w.shape() != [a.nnz, 1] {
        return Err(Error::shape("spmm_weighted", format!("{} entries, weights {:?}", a.nnz, w.shape())));
    }
    let values = super::gather_rows(w, &order[side])?;
    let part = if side == 0 { &a.forward } else { &a.transpose };
    match (part, &values, x) {
        (Part::Cpu { row_ptr, col_index, .. }, Tensor::Cpu(v), Tensor::Cpu(x)) => {
            Ok(Tensor::Cpu(cpu::spmm(row_ptr, col_index, v.as_slice().unwrap_or(&[]), x.view())))
        }
        (Part::Gpu { row_ptr, col_index, .. }, Tensor::Gpu(v), Tensor::Gpu(gx)) => {
            Ok(Tensor::Gpu(gpu::spmm(gx.gpu(), row_ptr, col_index, v, gx, out_rows)?))
        }
        _ => Err(Error::DeviceMismatch { op: "spmm_weighted" }),
    }
}

/// `A_w · x` for a [`Csr::pattern`] `A` whose entry `k` is `w[k]` (`w: nnz x 1`, e.g. a per-pair gradient):
/// `out[r] = Σ_k [row_k = r] w[k] x[col_k]`, summed in entry order — the same sums as scattering `w`-scaled
/// gathered rows, without materialising them.
pub fn spmm_weighted(a: &Csr, w: &Tensor, x: &Tensor) -> Result<Tensor> {
    if x.rows() != a.cols {
        return Err(Error::shape("spmm_weighted", format!("{}x{} sparse times {:?}", a.rows, a.cols, x.shape())));
    }
    spmm_part_weighted(a, 0, w, a.rows, x)
}

/// `A_wᵀ · x` for a [`Csr::pattern`] `A` whose entry `k` is `w[k]`.
pub fn spmm_transposed_weighted(a: &Csr, w: &Tensor, x: &Tensor) -> Result<Tensor> {
    if x.rows() != a.rows {
        return Err(Error::shape(
            "spmm_transposed_weighted",
            format!("({}x{})ᵀ sparse times {:?}", a.rows, a.cols, x.shape()),
        ));
    }
    spmm_part_weighted(a, 1, w, a.cols, x)
}

/// `A · x` for a sparse `A` (`rows x cols`) and a dense `x` (`cols x features`).
pub fn spmm(a: &Csr, x: &Tensor) -> Result<Tensor> {
    if x.rows() != a.cols {
        return Err(Error::shape("spmm", format!("{}x{} sparse times {:?}", a.rows, a.cols, x.shape())));
    }
    spmm_part(&a.forward, a.rows, x)
}

/// `Aᵀ · x` (the backward of [`spmm`] with respect to its dense operand).
pub fn spmm_transposed(a: &Csr, x: &Tensor) -> Result<Tensor> {
    if x.rows() != a.rows {
        return Err(Error::shape("spmm_transposed", format!("({}x{})ᵀ sparse times {:?}", a.rows, a.cols, x.shape())));
    }
    spmm_part(&a.transpose, a.cols, x)
}

/// `out[index[r]] += src[r]` into a `rows x cols` zero tensor: the backward of [`super::gather_rows`] (and
/// of an embedding lookup). Built as a sparse product, so no float atomics are needed on the GPU; a caller
/// that scatters with the same `index` every step keeps [`Csr::scatter`] and calls [`spmm`] itself.
pub fn scatter_add_rows(src: &Tensor, index: &[u32], rows: usize) -> Result<Tensor> {
    if index.len() != src.rows() {
        return Err(Error::shape("scatter_add_rows", format!("{} indices for {:?}", index.len(), src.shape())));
    }
    spmm(&Csr::scatter(&src.device(), index, rows)?, src)
}
