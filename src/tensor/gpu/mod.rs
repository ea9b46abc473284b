//! The wgpu backend: one [`Gpu`] context (device, queue, every pipeline built once), a buffer pool, and one
//! launcher per kernel beside its WGSL file. Ops only record commands into a pending encoder; the encoder is
//! submitted when it holds enough work or when something is uploaded or read back, so a training step never
//! waits for the device.

mod activation;
mod activation_backward;
mod adam;
mod add_row;
mod add_scaled;
mod batch_norm;
mod centralize_columns;
mod clip_by_norm;
mod context;
mod conv2d;
mod conv2d_input_grad;
mod conv2d_weight_grad;
mod copy_block;
mod dropout;
mod elementwise_loss;
mod gat_aggregate;
mod gat_attention_grad;
mod gat_dims;
mod gat_softmax;
mod gat_softmax_backward;
mod gather_rows;
mod goodness;
mod index;
mod l2_normalize_rows;
mod l2_normalize_rows_backward;
mod matmul;
mod matmul_naive;
mod max_pool2x2;
mod max_pool2x2_backward;
mod one_hot;
mod pool;
mod random;
mod reduce;
mod row_dot;
mod scale_rows;
mod sgd;
mod softmax;
mod softmax_backward;
mod softmax_cross_entropy;
mod spmm;
mod sum_rows;
mod sum_squares;
mod tensor;
mod upsample2x;
mod upsample2x_backward;

pub use activation::activation;
pub use activation_backward::activation_backward;
pub use adam::adam;
pub use add_row::add_row;
pub use add_scaled::add_scaled;
pub use batch_norm::{batch_norm, batch_norm_backward, batch_norm_stats};
pub use centralize_columns::centralize_columns;
pub use clip_by_norm::clip_by_norm;
pub use context::{AdapterSummary, Gpu};
pub use conv2d::conv2d;
pub use conv2d_input_grad::conv2d_input_grad;
pub use conv2d_weight_grad::conv2d_weight_grad;
pub use copy_block::copy_block;
pub use dropout::dropout;
pub use elementwise_loss::{bce_with_logits, mse};
pub use gat_aggregate::gat_aggregate;
pub use gat_attention_grad::gat_attention_grad;
pub use gat_softmax::gat_softmax;
pub use gat_softmax_backward::gat_softmax_backward;
pub use gather_rows::gather_rows;
pub use goodness::{goodness, goodness_backward};
pub use index::GpuIndex;
pub use l2_normalize_rows::l2_normalize_rows;
pub use l2_normalize_rows_backward::l2_normalize_rows_backward;
pub use matmul::{matmul, matmul_batched};
pub use matmul_naive::matmul_naive;
pub use max_pool2x2::max_pool2x2;
pub use max_pool2x2_backward::max_pool2x2_backward;
pub use one_hot::one_hot;
pub use pool::MemoryStats;
pub use random::random;
pub use reduce::reduce;
pub use row_dot::{row_dot, row_dot_pairs};
pub use scale_rows::scale_rows;
pub use sgd::sgd;
pub use softmax::softmax;
pub use softmax_backward::softmax_backward;
pub use softmax_cross_entropy::softmax_cross_entropy;
pub use spmm::spmm;
pub use sum_rows::sum_rows;
pub use sum_squares::sum_squares;
pub use tensor::GpuTensor;
pub use upsample2x::upsample2x;
pub use upsample2x_backward::upsample2x_backward;

/// Every compute pipeline, created once in [`Gpu::new`].
pub(crate) struct Kernels {
    pub matmul: wgpu::ComputePipeline,
    pub matmul_naive: wgpu::ComputePipeline,
    pub add_row: wgpu::ComputePipeline,
    pub scale_rows: wgpu::ComputePipeline,
    pub sum_rows: wgpu::ComputePipeline,
    pub activation: wgpu::ComputePipeline,
    pub activation_backward: wgpu::ComputePipeline,
    pub softmax_cross_entropy: wgpu::ComputePipeline,
    pub gather_rows: wgpu::ComputePipeline,
    pub l2_normalize_rows: wgpu::ComputePipeline,
    pub l2_normalize_rows_backward: wgpu::ComputePipeline,
    pub spmm: wgpu::ComputePipeline,
    pub add_scaled: wgpu::ComputePipeline,
    pub adam: wgpu::ComputePipeline,
    pub sgd: wgpu::ComputePipeline,
    pub batch_norm_backward: wgpu::ComputePipeline,
    pub batch_norm: wgpu::ComputePipeline,
    pub batch_norm_stats: wgpu::ComputePipeline,
    pub dropout: wgpu::ComputePipeline,
    pub upsample2x_backward: wgpu::ComputePipeline,
    pub upsample2x: wgpu::ComputePipeline,
    pub max_pool2x2_backward: wgpu::ComputePipeline,
    pub max_pool2x2: wgpu::ComputePipeline,
    pub conv2d_weight_grad: wgpu::ComputePipeline,
    pub conv2d_input_grad: wgpu::ComputePipeline,
    pub conv2d: wgpu::ComputePipeline,
    pub gat_attention_grad: wgpu::ComputePipeline,
    pub gat_aggregate: wgpu::ComputePipeline,
    pub gat_softmax_backward: wgpu::ComputePipeline,
    pub gat_softmax: wgpu::ComputePipeline,
    pub copy_block: wgpu::ComputePipeline,
    pub goodness_backward: wgpu::ComputePipeline,
    pub goodness: wgpu::ComputePipeline,
    pub row_dot: wgpu::ComputePipeline,
    pub row_dot_pairs: wgpu::ComputePipeline,
    pub mse: wgpu::ComputePipeline,
    pub bce_with_logits: wgpu::ComputePipeline,
    pub softmax_backward: wgpu::ComputePipeline,
    pub softmax: wgpu::ComputePipeline,
    pub reduce: wgpu::ComputePipeline,
    pub random: wgpu::ComputePipeline,
    pub one_hot: wgpu::ComputePipeline,
    pub sum_squares: wgpu::ComputePipeline,
    pub clip_by_norm: wgpu::ComputePipeline,
    pub centralize_columns: wgpu::ComputePipeline,
}

impl Kernels {
    fn new(device: &wgpu::Device) -> Self {
        let make = |desc: wgpu::ShaderModuleDescriptor, entry: &str| {
            let module = device.create_shader_module(desc);
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: None,
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        Kernels {
            matmul: make(wgpu::include_wgsl!("matmul.wgsl"), "matmul"),
            matmul_naive: make(wgpu::include_wgsl!("matmul_naive.wgsl"), "matmul_naive"),
            add_row: make(wgpu::include_wgsl!("add_row.wgsl"), "add_row"),
            scale_rows: make(wgpu::include_wgsl!("scale_rows.wgsl"), "scale_rows"),
            sum_rows: make(wgpu::include_wgsl!("sum_rows.wgsl"), "sum_rows"),
            activation: make(wgpu::include_wgsl!("activation.wgsl"), "activation"),
            activation_backward: make(wgpu::include_wgsl!("activation_backward.wgsl"), "activation_backward"),
            softmax_cross_entropy: make(wgpu::include_wgsl!("softmax_cross_entropy.wgsl"), "softmax_cross_entropy"),
            gather_rows: make(wgpu::include_wgsl!("gather_rows.wgsl"), "gather_rows"),
            l2_normalize_rows: make(wgpu::include_wgsl!("l2_normalize_rows.wgsl"), "l2_normalize_rows"),
            l2_normalize_rows_backward: make(
                wgpu::include_wgsl!("l2_normalize_rows_backward.wgsl"),
                "l2_normalize_rows_backward",
            ),
            spmm: make(wgpu::include_wgsl!("spmm.wgsl"), "spmm"),
            add_scaled: make(wgpu::include_wgsl!("add_scaled.wgsl"), "add_scaled"),
            adam: make(wgpu::include_wgsl!("adam.wgsl"), "adam"),
            sgd: make(wgpu::include_wgsl!("sgd.wgsl"), "sgd"),
            batch_norm_backward: make(wgpu::include_wgsl!("batch_norm_backward.wgsl"), "batch_norm_backward"),
            batch_norm: make(wgpu::include_wgsl!("batch_norm.wgsl"), "batch_norm"),
            batch_norm_stats: make(wgpu::include_wgsl!("batch_norm_stats.wgsl"), "batch_norm_stats"),
            dropout: make(wgpu::include_wgsl!("dropout.wgsl"), "dropout"),
            upsample2x_backward: make(wgpu::include_wgsl!("upsample2x_backward.wgsl"), "upsample2x_backward"),
            upsample2x: make(wgpu::include_wgsl!("upsample2x.wgsl"), "upsample2x"),
            max_pool2x2_backward: make(wgpu::include_wgsl!("max_pool2x2_backward.wgsl"), "max_pool2x2_backward"),
            max_pool2x2: make(wgpu::include_wgsl!("max_pool2x2.wgsl"), "max_pool2x2"),
            conv2d_weight_grad: make(wgpu::include_wgsl!("conv2d_weight_grad.wgsl"), "conv2d_weight_grad"),
            conv2d_input_grad: make(wgpu::include_wgsl!("conv2d_input_grad.wgsl"), "conv2d_input_grad"),
            conv2d: make(wgpu::include_wgsl!("conv2d.wgsl"), "conv2d"),
            gat_attention_grad: make(wgpu::include_wgsl!("gat_attention_grad.wgsl"), "gat_attention_grad"),
            gat_aggregate: make(wgpu::include_wgsl!("gat_aggregate.wgsl"), "gat_aggregate"),
            gat_softmax_backward: make(wgpu::include_wgsl!("gat_softmax_backward.wgsl"), "gat_softmax_backward"),
            gat_softmax: make(wgpu::include_wgsl!("gat_softmax.wgsl"), "gat_softmax"),
            copy_block: make(wgpu::include_wgsl!("copy_block.wgsl"), "copy_block"),
            goodness_backward: make(wgpu::include_wgsl!("goodness_backward.wgsl"), "goodness_backward"),
            goodness: make(wgpu::include_wgsl!("goodness.wgsl"), "goodness"),
            row_dot: make(wgpu::include_wgsl!("row_dot.wgsl"), "row_dot"),
            row_dot_pairs: make(wgpu::include_wgsl!("row_dot_pairs.wgsl"), "row_dot_pairs"),
            mse: make(wgpu::include_wgsl!("mse.wgsl"), "mse"),
            bce_with_logits: make(wgpu::include_wgsl!("bce_with_logits.wgsl"), "bce_with_logits"),
            softmax_backward: make(wgpu::include_wgsl!("softmax_backward.wgsl"), "softmax_backward"),
            softmax: make(wgpu::include_wgsl!("softmax.wgsl"), "softmax"),
            reduce: make(wgpu::include_wgsl!("reduce.wgsl"), "reduce"),
            random: make(wgpu::include_wgsl!("random.wgsl"), "random"),
            one_hot: make(wgpu::include_wgsl!("one_hot.wgsl"), "one_hot"),
            sum_squares: make(wgpu::include_wgsl!("sum_squares.wgsl"), "sum_squares"),
            clip_by_norm: make(wgpu::include_wgsl!("clip_by_norm.wgsl"), "clip_by_norm"),
            centralize_columns: make(wgpu::include_wgsl!("centralize_columns.wgsl"), "centralize_columns"),
        }
    }
}

/// Workgroups for `n` invocations of a 256-wide 1-D kernel. WebGPU allows at most 65,535 workgroups per
/// dimension (Chromium drops a larger dispatch silently), so large launches spill into y; kernels rebuild the
/// flat index as `gid.x + gid.y * num_workgroups.x * 256`.
pub(crate) fn grid_1d(n: usize) -> [u32; 3] {
    const MAX: usize = 65_535;
    let groups = n.div_ceil(256).max(1);
    if groups <= MAX {
        [groups as u32, 1, 1]
    } else {
        [MAX as u32, groups.div_ceil(MAX) as u32, 1]
    }
}

#[cfg(test)]
mod tests {
    use super::grid_1d;

    #[test]
    fn grid_never_exceeds_webgpu_limit() {
        for n in [1, 255, 256, 257, 65_535 * 256, 65_535 * 256 + 1, 300_000_000] {
            let [x, y, _] = grid_1d(n);
            assert!(x <= 65_535 && y <= 65_535);
            assert!(x as usize * y as usize * 256 >= n, "{n} not covered");
        }
    }
}
