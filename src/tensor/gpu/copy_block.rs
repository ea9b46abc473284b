//! Launcher of `copy_block.wgsl` (reference: `cpu::copy_block`).

use super::{grid_1d, Gpu, GpuTensor};
use crate::error::Result;
use crate::tensor::Block;
use bytemuck::{Pod, Zeroable};

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct CopyBlockDims {
    height: u32,
    width: u32,
    src_cols: u32,
    dst_cols: u32,
    src_row: u32,
    src_col: u32,
    dst_row: u32,
    dst_col: u32,
}

/// Copies `block` of `src` into `dst` (in place on `dst`; bounds checked by the caller).
pub fn copy_block(gpu: &Gpu, src: &GpuTensor, dst: &GpuTensor, block: &Block) -> Result<()> {
    let dims = CopyBlockDims {
        height: block.height as u32,
        width: block.width as u32,
        src_cols: src.shape()[1] as u32,
        dst_cols: dst.shape()[1] as u32,
        src_row: block.src[0] as u32,
        src_col: block.src[1] as u32,
        dst_row: block.dst[0] as u32,
        dst_col: block.dst[1] as u32,
    };
    gpu.launch(
        &gpu.kernels().copy_block,
        "copy_block",
        bytemuck::bytes_of(&dims),
        &[src.buffer(), dst.buffer()],
        grid_1d(block.height * block.width),
    );
    Ok(())
}
