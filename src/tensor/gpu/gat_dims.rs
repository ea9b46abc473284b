//! The uniform shared by the four GAT kernels (`gat_*.wgsl`).

use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub(super) struct GatDims {
    pub nodes: u32,
    pub heads: u32,
    pub channels: u32,
    pub edges: u32,
    pub slope: f32,
    pub _pad: [u32; 3],
}

impl GatDims {
    pub fn new(nodes: usize, heads: usize, channels: usize, edges: usize, slope: f32) -> Self {
        GatDims {
            nodes: nodes as u32,
            heads: heads as u32,
            channels: channels as u32,
            edges: edges as u32,
            slope,
            _pad: [0; 3],
        }
    }
}
