//! GAT's graph-attention operators (Veličković et al., 2018, as PyG's `GATConv`): the edge structure with
//! one self-loop per node, the segment softmax over each node's incoming edges, the attention-weighted
//! aggregation and their gradients. The layer composing them is `nn::GatConv`.

use super::gpu::GpuIndex;
use super::{cpu, gpu, Csr, Device, Tensor};
use crate::error::{Error, Result};

/// Index arrays of one backend.
enum Indices {
    Cpu(Vec<u32>),
    Gpu(GpuIndex),
}

impl Indices {
    fn new(device: &Device, data: Vec<u32>, label: &'static str) -> Result<Self> {
        match device {
            Device::Cpu => Ok(Indices::Cpu(data)),
            Device::Gpu(g) => Ok(Indices::Gpu(GpuIndex::new(g, &data, label)?)),
        }
    }

    fn cpu(&self) -> Result<&[u32]> {
        match self {
            Indices::Cpu(v) => Ok(v),
            Indices::Gpu(_) => Err(Error::DeviceMismatch { op: "gat" }),
        }
    }

    fn gpu(&self) -> Result<&GpuIndex> {
        match self {
            Indices::Gpu(g) => Ok(g),
            Indices::Cpu(_) => Err(Error::DeviceMismatch { op: "gat" }),
        }
    }
}

/// The attention graph: existing self-loops removed, one self-loop per node added (PyG's default), edges
/// ordered by destination; plus the by-source view and the segment-sum matrices the backward needs.
pub struct GatGraph {
    nodes: usize,
    edges: usize,
    dst_ptr: Indices,
    src_of: Indices,
    dst_of: Indices,
    identity: Indices,
    src_ptr: Indices,
    src_order_dst: Indices,
    src_order_edge: Indices,
    /// `nodes x edges`: row i sums the edges into i.
    pub sum_by_dst: Csr,
    /// `nodes x edges`: row j sums the edges out of j.
    pub sum_by_src: Csr,
}

impl GatGraph {
    /// Builds the structure for `edges` (`src -> dst`) on `nodes` nodes.
    pub fn new(device: &Device, nodes: usize, edges: &[(u32, u32)]) -> Result<Self> {
        if let Some(&(s, d)) = edges.iter().find(|&&(s, d)| s as usize >= nodes || d as usize >= nodes) {
            return Err(Error::shape("gat graph", format!("edge {s}->{d} with {nodes} nodes")));
        }
        let mut list: Vec<(u32, u32)> = edges.iter().copied().filter(|&(s, d)| s != d).collect();
        list.extend((0..nodes as u32).map(|i| (i, i)));
        list.sort_by_key(|&(s, d)| (d, s));
        let e = list.len();
        let ptr = |key: &dyn Fn(&(u32, u32)) -> u32| {
            let mut p = vec![0u32; nodes + 1];
            for x in &list {
                p[key(x) as usize + 1] += 1;
            }
            for i in 0..nodes {
                p[i + 1] += p[i];
            }
            p
        };
        let dst_ptr = ptr(&|&(_, d)| d);
        let src_ptr = ptr(&|&(s, _)| s);
        let mut by_src: Vec<u32> = (0..e as u32).collect();
        by_src.sort_by_key(|&k| list[k as usize].0);
        let src_order_dst: Vec<u32> = by_src.iter().map(|&k| list[k as usize].1).collect();
        let dst_triplets: Vec<(u32, u32, f32)> =
            list.iter().enumerate().map(|(k, &(_, d))| (d, k as u32, 1.0)).collect();
        let src_triplets: Vec<(u32, u32, f32)> =
            list.iter().enumerate().map(|(k, &(s, _))| (s, k as u32, 1.0)).collect();
        Ok(GatGraph {
            nodes,
            edges: e,
            dst_ptr: Indices::new(device, dst_ptr, "gat.dst_ptr")?,
            src_of: Indices::new(device, list.iter().map(|&(s, _)| s).collect(), "gat.src_of")?,
            dst_of: Indices::new(device, list.iter().map(|&(_, d)| d).collect(), "gat.dst_of")?,
            identity: Indices::new(device, (0..e as u32).collect(), "gat.identity")?,
            src_ptr: Indices::new(device, src_ptr, "gat.src_ptr")?,
            src_order_dst: Indices::new(device, src_order_dst, "gat.src_order_dst")?,
            src_order_edge: Indices::new(device, by_src, "gat.src_order_edge")?,
            sum_by_dst: Csr::from_triplets(device, nodes, e, &dst_triplets)?,
            sum_by_src: Csr::from_triplets(device, nodes, e, &src_triplets)?,
        })
    }

    /// Nodes.
    pub fn nodes(&self) -> usize {
        self.nodes
    }

    /// Edges, self-loops included.
    pub fn edges(&self) -> usize {
        self.edges
    }

    /// Attention weights `alpha` (`edges x heads`) from per-node scores (`nodes x heads`).
    pub fn softmax(&self, s_src: &Tensor, s_dst: &Tensor, slope: f32) -> Result<Tensor> {
        if s_src.shape() != s_dst.shape() || s_src.rows() != self.nodes {
            return Err(Error::shape("gat_softmax", format!("{:?}, {:?}", s_src.shape(), s_dst.shape())));
        }
        match (s_src, s_dst) {
            (Tensor::Cpu(a), Tensor::Cpu(b)) => Ok(Tensor::Cpu(cpu::gat::gat_softmax(
                self.dst_ptr.cpu()?,
                self.src_of.cpu()?,
                a.view(),
                b.view(),
                slope,
            ))),
            (Tensor::Gpu(a), Tensor::Gpu(b)) => {
                Ok(Tensor::Gpu(gpu::gat_softmax(a.gpu(), self.dst_ptr.gpu()?, self.src_of.gpu()?, a, b, slope)?))
            }
            _ => Err(Error::DeviceMismatch { op: "gat_softmax" }),
        }
    }

    /// Gradient with respect to the raw scores `s_src[j] + s_dst[i]` (`edges x heads`).
    pub fn softmax_backward(
        &self,
        s_src: &Tensor,
        s_dst: &Tensor,
        alpha: &Tensor,
        grad_alpha: &Tensor,
        slope: f32,
    ) -> Result<Tensor> {
        match (s_src, s_dst, alpha, grad_alpha) {
            (Tensor::Cpu(a), Tensor::Cpu(b), Tensor::Cpu(al), Tensor::Cpu(g)) => {
                Ok(Tensor::Cpu(cpu::gat::gat_softmax_backward(
                    self.dst_ptr.cpu()?,
                    self.src_of.cpu()?,
                    a.view(),
                    b.view(),
                    al.view(),
                    g.view(),
                    slope,
                )))
            }
            (Tensor::Gpu(a), Tensor::Gpu(b), Tensor::Gpu(al), Tensor::Gpu(g)) => Ok(Tensor::Gpu(
                gpu::gat_softmax_backward(a.gpu(), self.dst_ptr.gpu()?, self.src_of.gpu()?, a, b, al, g, slope)?,
            )),
            _ => Err(Error::DeviceMismatch { op: "gat_softmax_backward" }),
        }
    }

    fn aggregate_with(&self, by_dst: bool, alpha: &Tensor, x: &Tensor) -> Result<Tensor> {
        if alpha.rows() != self.edges || x.rows() != self.nodes || !x.cols().is_multiple_of(alpha.cols().max(1)) {
            return Err(Error::shape("gat_aggregate", format!("alpha {:?}, x {:?}", alpha.shape(), x.shape())));
        }
        let (ptr, neighbor, edge) = if by_dst {
            (&self.dst_ptr, &self.src_of, &self.identity)
        } else {
            (&self.src_ptr, &self.src_order_dst, &self.src_order_edge)
        };
        match (alpha, x) {
            (Tensor::Cpu(a), Tensor::Cpu(x)) => {
                Ok(Tensor::Cpu(cpu::gat::gat_aggregate(ptr.cpu()?, neighbor.cpu()?, edge.cpu()?, a.view(), x.view())))
            }
            (Tensor::Gpu(a), Tensor::Gpu(gx)) => {
                Ok(Tensor::Gpu(gpu::gat_aggregate(a.gpu(), ptr.gpu()?, neighbor.gpu()?, edge.gpu()?, a, gx)?))
            }
            _ => Err(Error::DeviceMismatch { op: "gat_aggregate" }),
        }
    }

    /// Forward message passing: `out[i, head h] = Σ_{j -> i} alpha[e, h] x[j, head h]`.
    pub fn aggregate(&self, alpha: &Tensor, x: &Tensor) -> Result<Tensor> {
        self.aggregate_with(true, alpha, x)
    }

    /// Its gradient with respect to `x`: `dx[j, head h] = Σ_{j -> i} alpha[e, h] d out[i, head h]`.
    pub fn aggregate_backward_features(&self, alpha: &Tensor, grad_out: &Tensor) -> Result<Tensor> {
        self.aggregate_with(false, alpha, grad_out)
    }

    /// Its gradient with respect to `alpha` (`edges x heads`).
    pub fn aggregate_backward_attention(&self, grad_out: &Tensor, x: &Tensor, heads: usize) -> Result<Tensor> {
        match (grad_out, x) {
            (Tensor::Cpu(g), Tensor::Cpu(x)) => Ok(Tensor::Cpu(cpu::gat::gat_attention_grad(
                self.src_of.cpu()?,
                self.dst_of.cpu()?,
                g.view(),
                x.view(),
                heads,
            ))),
            (Tensor::Gpu(g), Tensor::Gpu(gx)) => {
                Ok(Tensor::Gpu(gpu::gat_attention_grad(g.gpu(), self.src_of.gpu()?, self.dst_of.gpu()?, g, gx, heads)?))
            }
            _ => Err(Error::DeviceMismatch { op: "gat_attention_grad" }),
        }
    }
}
