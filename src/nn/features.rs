//! [`Features`]: a layer input made of column blocks, each dense (a [`Tensor`]) or sparse (a [`Csr`]).
//!
//! Graph inputs are bag-of-words rows with about 1-2 % non-zeros (Cora-ML: 2,995 x 2,879, 151,171 non-zeros),
//! so a first layer multiplies them as a sparse matrix: `X W` is 50x cheaper than the dense product and never
//! needs the 34 MB dense matrix on the device. ForwardGNN's top-down layers read `[LN(below) || LN(above)]`:
//! a sparse block beside a dense one, multiplied block by block against the matching rows of `W`.

use crate::data::SparseRows;
use crate::error::{Error, Result};
use crate::tensor::{add_scaled, concat, matmul, scale_rows, slice, spmm, spmm_transposed, Csr, Device, Tensor};
use std::rc::Rc;

/// A fixed input matrix, dense or sparse (shared between streams and epochs).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // a handful per run, never in a hot collection
pub enum Matrix {
    /// Dense.
    Dense(Tensor),
    /// Sparse (CSR).
    Sparse(Csr),
}

impl Matrix {
    /// Host rows on `device`: sparse when at most 5 % of the entries are non-zero (bag-of-words graphs such
    /// as Cora-ML, 1.8 %), dense otherwise (Amazon-Photo, 35 %: a dense GEMM beats the CSR kernel there).
    pub fn upload(rows: &SparseRows, device: &Device) -> Result<Rc<Matrix>> {
        let cells = (rows.rows() * rows.cols).max(1);
        if rows.values.len() * 20 <= cells {
            return Ok(Rc::new(Matrix::Sparse(upload_csr(rows, device)?)));
        }
        let dense = rows.to_dense();
        Ok(Rc::new(Matrix::Dense(device.from_array(&dense)?)))
    }

    fn shape(&self) -> [usize; 2] {
        match self {
            Matrix::Dense(t) => t.shape(),
            Matrix::Sparse(c) => [c.rows(), c.cols()],
        }
    }

    fn matmul(&self, w: &Tensor) -> Result<Tensor> {
        match self {
            Matrix::Dense(t) => matmul(t, w, false, false),
            Matrix::Sparse(c) => spmm(c, w),
        }
    }
}

/// The stored product for weight `nth`, checked against that weight's output width.
fn stored_product<'a>(products: &'a [Tensor], w: &Tensor, nth: usize) -> Result<&'a Tensor> {
    match products.get(nth) {
        Some(p) if p.cols() == w.cols() => Ok(p),
        _ => Err(Error::shape("stored product", format!("no product for weight {nth} of {:?}", w.shape()))),
    }
}

/// The products of shared matrices by one layer's current weights, keyed by matrix and column offset: the
/// streams of forward-forward read the same `X` (FF-LA: with per-stream row factors and label columns;
/// FF-VN: on per-stream graphs), so with this each of the `3K` streams of an epoch reuses one `X W` instead
/// of multiplying it again. Valid until the weights change: build one per optimiser step or evaluation.
#[derive(Debug, Default)]
pub struct SharedProducts {
    entries: Vec<(Rc<Matrix>, usize, Rc<Vec<Tensor>>)>,
}

impl SharedProducts {
    /// Distinct matrices multiplied so far.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing was multiplied yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get(&mut self, matrix: &Rc<Matrix>, start: usize, weights: &[&Tensor]) -> Result<Rc<Vec<Tensor>>> {
        if let Some((_, _, p)) = self.entries.iter().find(|(m, s, _)| Rc::ptr_eq(m, matrix) && *s == start) {
            return Ok(Rc::clone(p));
        }
        let cols = matrix.shape()[1];
        let products = weights
            .iter()
            .map(|w| {
                if start == 0 && cols == w.rows() {
                    matrix.matmul(w)
                } else {
                    matrix.matmul(&slice(w, 0, start..start + cols)?)
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let products = Rc::new(products);
        self.entries.push((Rc::clone(matrix), start, Rc::clone(&products)));
        Ok(products)
    }
}

/// One column block of a [`Features`] matrix.
#[derive(Debug)]
pub enum FeatureBlock {
    /// A dense `rows x cols` tensor owned by this input.
    Dense(Tensor),
    /// A shared matrix, optionally with every row `r` multiplied by `row_scale[r]` (`rows x 1`): how a
    /// per-row normalisation of `[X || labels]` reuses one copy of `X` for every label stream.
    Shared {
        /// The matrix.
        matrix: Rc<Matrix>,
        /// Row factors, if any.
        row_scale: Option<Tensor>,
        /// `matrix · W_n[rows of this block]` for the layer's n-th weight, when a [`SharedProducts`] supplied
        /// them ([`Features::with_shared_products`]); the row factors still apply after.
        products: Option<Rc<Vec<Tensor>>>,
    },
    /// A `rows x cols` block already multiplied by the leading rows of a layer's weights, one product per
    /// weight ([`GnnConv::project`](super::GnnConv::project)): inference that repeats with this block fixed
    /// (SF-Top-To-Input's 10 test-time steps) skips the widest product. Inference only.
    Projected {
        /// The block's columns.
        cols: usize,
        /// `block · W_n[..cols]` for the layer's n-th weight.
        products: Rc<Vec<Tensor>>,
    },
}

impl FeatureBlock {
    /// A shared matrix with optional row factors (no products yet).
    pub fn shared(matrix: Rc<Matrix>, row_scale: Option<Tensor>) -> Self {
        FeatureBlock::Shared { matrix, row_scale, products: None }
    }

    fn shape(&self) -> [usize; 2] {
        match self {
            FeatureBlock::Dense(t) => t.shape(),
            FeatureBlock::Shared { matrix, .. } => matrix.shape(),
            FeatureBlock::Projected { cols, products } => [products.first().map_or(0, Tensor::rows), *cols],
        }
    }

    fn try_clone(&self) -> Result<FeatureBlock> {
        Ok(match self {
            FeatureBlock::Dense(t) => FeatureBlock::Dense(t.try_clone()?),
            FeatureBlock::Shared { matrix, row_scale, products } => FeatureBlock::Shared {
                matrix: Rc::clone(matrix),
                row_scale: row_scale.as_ref().map(Tensor::try_clone).transpose()?,
                products: products.clone(),
            },
            FeatureBlock::Projected { cols, products } => {
                FeatureBlock::Projected { cols: *cols, products: Rc::clone(products) }
            }
        })
    }

    /// `B W`, where `W` is the layer's `nth` weight (only a projected block needs to know which).
    fn matmul(&self, w: &Tensor, nth: usize) -> Result<Tensor> {
        match self {
            FeatureBlock::Dense(t) => matmul(t, w, false, false),
            FeatureBlock::Projected { products, .. } => stored_product(products, w, nth)?.try_clone(),
            FeatureBlock::Shared { matrix, row_scale, products } => match (products, row_scale) {
                (Some(p), Some(s)) => scale_rows(stored_product(p, w, nth)?, s, None),
                (Some(p), None) => stored_product(p, w, nth)?.try_clone(),
                (None, Some(s)) => scale_rows(&matrix.matmul(w)?, s, None),
                (None, None) => matrix.matmul(w),
            },
        }
    }

    /// `Bᵀ G`.
    fn matmul_t(&self, g: &Tensor) -> Result<Tensor> {
        match self {
            FeatureBlock::Dense(t) => matmul(t, g, true, false),
            FeatureBlock::Shared { matrix, row_scale, .. } => {
                let scaled;
                let g = match row_scale {
                    Some(s) => {
                        scaled = scale_rows(g, s, None)?;
                        &scaled
                    }
                    None => g,
                };
                match &**matrix {
                    Matrix::Dense(t) => matmul(t, g, true, false),
                    Matrix::Sparse(c) => spmm_transposed(c, g),
                }
            }
            FeatureBlock::Projected { .. } => {
                Err(Error::invalid("features", "a projected block is for inference only"))
            }
        }
    }
}

/// A `rows x cols` layer input: column blocks placed side by side.
#[derive(Debug)]
pub struct Features {
    blocks: Vec<FeatureBlock>,
}

impl From<Tensor> for Features {
    fn from(t: Tensor) -> Self {
        Features { blocks: vec![FeatureBlock::Dense(t)] }
    }
}

impl From<Rc<Matrix>> for Features {
    fn from(matrix: Rc<Matrix>) -> Self {
        Features { blocks: vec![FeatureBlock::shared(matrix, None)] }
    }
}

impl Features {
    /// Blocks side by side; all must have the same number of rows.
    pub fn concat(blocks: Vec<FeatureBlock>) -> Result<Self> {
        let rows = blocks.first().map(|b| b.shape()[0]).ok_or_else(|| Error::shape("features", "no blocks"))?;
        if let Some(b) = blocks.iter().find(|b| b.shape()[0] != rows) {
            return Err(Error::shape("features", format!("block of {:?} beside {rows} rows", b.shape())));
        }
        Ok(Features { blocks })
    }

    /// The column blocks.
    pub fn into_blocks(self) -> Vec<FeatureBlock> {
        self.blocks
    }

    /// Rows (nodes).
    pub fn rows(&self) -> usize {
        self.blocks[0].shape()[0]
    }

    /// Columns (all blocks).
    pub fn cols(&self) -> usize {
        self.blocks.iter().map(|b| b.shape()[1]).sum()
    }

    /// A copy (dense blocks copied, sparse blocks shared).
    pub fn try_clone(&self) -> Result<Features> {
        Ok(Features { blocks: self.blocks.iter().map(FeatureBlock::try_clone).collect::<Result<_>>()? })
    }

    /// The single dense block, if this is one.
    pub fn as_dense(&self) -> Option<&Tensor> {
        match self.blocks.as_slice() {
            [FeatureBlock::Dense(t)] => Some(t),
            _ => None,
        }
    }

    /// `X W` (`W: cols x out`).
    pub fn matmul(&self, w: &Tensor) -> Result<Tensor> {
        self.matmul_nth(w, 0)
    }

    /// `X W` where `W` is the layer's `nth` weight, in the order of [`GnnConv::project`](super::GnnConv::project).
    pub fn matmul_nth(&self, w: &Tensor, nth: usize) -> Result<Tensor> {
        if w.rows() != self.cols() {
            return Err(Error::shape("features matmul", format!("{} columns vs W {:?}", self.cols(), w.shape())));
        }
        let mut out: Option<Tensor> = None;
        let mut start = 0;
        for b in &self.blocks {
            let width = b.shape()[1];
            let part_w;
            let w_rows = if self.blocks.len() == 1 {
                w
            } else {
                part_w = slice(w, 0, start..start + width)?;
                &part_w
            };
            let y = b.matmul(w_rows, nth)?;
            match &mut out {
                Some(acc) => add_scaled(acc, &y, 1.0)?,
                None => out = Some(y),
            }
            start += width;
        }
        out.ok_or_else(|| Error::shape("features matmul", "no blocks"))
    }

    /// A copy whose shared blocks carry their products by `weights` (in [`Features::matmul_nth`] order),
    /// taken from `cache` or computed and added to it. `matmul` gives the same result bit for bit (the row
    /// factors apply after the product either way) and the backward is unchanged.
    pub fn with_shared_products(&self, weights: &[&Tensor], cache: &mut SharedProducts) -> Result<Features> {
        let mut blocks = Vec::with_capacity(self.blocks.len());
        let mut start = 0;
        for b in &self.blocks {
            let width = b.shape()[1];
            blocks.push(match b {
                FeatureBlock::Shared { matrix, row_scale, .. } => FeatureBlock::Shared {
                    matrix: Rc::clone(matrix),
                    row_scale: row_scale.as_ref().map(Tensor::try_clone).transpose()?,
                    products: Some(cache.get(matrix, start, weights)?),
                },
                other => other.try_clone()?,
            });
            start += width;
        }
        Ok(Features { blocks })
    }

    /// `Xᵀ G` (`G: rows x out`), the weight gradient of [`Features::matmul`].
    pub fn matmul_t(&self, g: &Tensor) -> Result<Tensor> {
        let parts: Vec<Tensor> = self.blocks.iter().map(|b| b.matmul_t(g)).collect::<Result<_>>()?;
        if parts.len() == 1 {
            return parts.into_iter().next().ok_or_else(|| Error::shape("features", "no blocks"));
        }
        concat(&parts.iter().collect::<Vec<_>>(), 0)
    }
}

/// Host sparse rows as a device CSR matrix.
pub fn upload_csr(rows: &SparseRows, device: &Device) -> Result<Csr> {
    let mut triplets = Vec::with_capacity(rows.values.len());
    for r in 0..rows.rows() {
        triplets.extend(rows.row(r).map(|(c, v)| (r as u32, c, v)));
    }
    Csr::from_triplets(device, rows.rows(), rows.cols, &triplets)
}
