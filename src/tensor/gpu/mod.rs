//! The wgpu backend: one [`Gpu`] context (device, queue, every pipeline built once), a buffer pool, and one
//! launcher per kernel beside its WGSL file. Ops only record commands into a pending encoder; the encoder is
//! submitted when it holds enough work or when something is uploaded or read back, so a training step never
//! waits for the device.

mod context;
mod gat_dims;
mod index;
mod matmul_dims;
mod pool;
mod profile;
mod tensor;

pub use context::{AdapterSummary, Gpu};
pub use index::GpuIndex;
pub use pool::MemoryStats;
pub use profile::KernelTime;
pub use tensor::GpuTensor;

/// Declares every launcher module (`NAME.rs`, re-exported here) with the kernels it launches, and builds their
/// pipelines once in [`Gpu::new`]: kernel `k` is the WGSL file `k.wgsl` beside its launcher, entry point `k`.
/// Adding a kernel is one line below (and `tests/native/wgsl.rs` validates every WGSL file it finds).
macro_rules! kernels {
    ($($module:ident => [$($kernel:ident),+],)+) => {
        $(mod $module; pub use $module::*;)+

        /// Every compute pipeline, created once in [`Gpu::new`].
        pub(crate) struct Kernels {
            $($(pub $kernel: wgpu::ComputePipeline,)+)+
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
                    $($($kernel: make(
                        wgpu::include_wgsl!(concat!(stringify!($kernel), ".wgsl")),
                        stringify!($kernel),
                    ),)+)+
                }
            }
        }
    };
}

kernels! {
    activation => [activation],
    activation_backward => [activation_backward],
    adam => [adam],
    add_row => [add_row],
    add_scaled => [add_scaled],
    batch_norm => [batch_norm, batch_norm_stats, batch_norm_backward],
    centralize_columns => [centralize_columns],
    clip_by_norm => [clip_by_norm],
    conv2d => [conv2d, conv2d_direct],
    conv2d_input_grad => [conv2d_input_grad, conv2d_input_grad_direct],
    conv2d_weight_grad => [conv2d_weight_grad, conv2d_weight_grad_direct],
    copy_block => [copy_block],
    dropout => [dropout],
    elementwise_loss => [mse, bce_with_logits],
    gat_aggregate => [gat_aggregate],
    gat_attention_grad => [gat_attention_grad],
    gat_softmax => [gat_softmax],
    gat_softmax_backward => [gat_softmax_backward],
    gather_rows => [gather_rows],
    goodness => [goodness, goodness_backward],
    l2_normalize_rows => [l2_normalize_rows],
    l2_normalize_rows_backward => [l2_normalize_rows_backward],
    matmul => [matmul],
    matmul_direct => [matmul_direct],
    matmul_naive => [matmul_naive],
    max_pool2x2 => [max_pool2x2],
    max_pool2x2_backward => [max_pool2x2_backward],
    one_hot => [one_hot],
    random => [random],
    reduce => [reduce],
    row_dot => [row_dot, row_dot_pairs],
    scale_rows => [scale_rows],
    sgd => [sgd],
    softmax => [softmax],
    softmax_backward => [softmax_backward],
    softmax_cross_entropy => [softmax_cross_entropy],
    spmm => [spmm],
    sum_rows => [sum_rows],
    sum_squares => [sum_squares],
    upsample2x => [upsample2x],
    upsample2x_backward => [upsample2x_backward],
}

/// Workgroups for `n` invocations of a 256-wide 1-D kernel. WebGPU allows at most 65,535 workgroups per
/// dimension (Chromium drops a larger dispatch silently), so large launches spill into y; kernels rebuild the
/// flat index as `gid.x + gid.y * num_workgroups.x * 256`.
pub(crate) fn grid_1d(n: usize) -> [u32; 3] {
    grid_1d_of(n, 256)
}

/// As [`grid_1d`] for a 1-D kernel of `size` invocations per workgroup (the index: `gid.x + gid.y *
/// num_workgroups.x * size`).
pub(crate) fn grid_1d_of(n: usize, size: usize) -> [u32; 3] {
    const MAX: usize = 65_535;
    let groups = n.div_ceil(size).max(1);
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
