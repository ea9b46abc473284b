//! The wgpu backend: one [`Gpu`] context (device, queue, every pipeline built once), a buffer pool, and one
//! launcher per kernel beside its WGSL file. Ops only record commands into a pending encoder; the encoder is
//! submitted when it holds enough work or when something is uploaded or read back, so a training step never
//! waits for the device.

mod activation;
mod activation_backward;
mod adam;
mod add_row;
mod add_scaled;
mod context;
mod gather_rows;
mod matmul;
mod pool;
mod sgd;
mod softmax_cross_entropy;
mod sum_rows;
mod tensor;

pub use activation::activation;
pub use activation_backward::activation_backward;
pub use adam::adam;
pub use add_row::add_row;
pub use add_scaled::add_scaled;
pub use context::{AdapterSummary, Gpu};
pub use gather_rows::gather_rows;
pub use matmul::matmul;
pub use pool::MemoryStats;
pub use sgd::sgd;
pub use softmax_cross_entropy::softmax_cross_entropy;
pub use sum_rows::sum_rows;
pub use tensor::GpuTensor;

/// Every compute pipeline, created once in [`Gpu::new`].
pub(crate) struct Kernels {
    pub matmul: wgpu::ComputePipeline,
    pub add_row: wgpu::ComputePipeline,
    pub sum_rows: wgpu::ComputePipeline,
    pub activation: wgpu::ComputePipeline,
    pub activation_backward: wgpu::ComputePipeline,
    pub softmax_cross_entropy: wgpu::ComputePipeline,
    pub gather_rows: wgpu::ComputePipeline,
    pub add_scaled: wgpu::ComputePipeline,
    pub adam: wgpu::ComputePipeline,
    pub sgd: wgpu::ComputePipeline,
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
            add_row: make(wgpu::include_wgsl!("add_row.wgsl"), "add_row"),
            sum_rows: make(wgpu::include_wgsl!("sum_rows.wgsl"), "sum_rows"),
            activation: make(wgpu::include_wgsl!("activation.wgsl"), "activation"),
            activation_backward: make(wgpu::include_wgsl!("activation_backward.wgsl"), "activation_backward"),
            softmax_cross_entropy: make(wgpu::include_wgsl!("softmax_cross_entropy.wgsl"), "softmax_cross_entropy"),
            gather_rows: make(wgpu::include_wgsl!("gather_rows.wgsl"), "gather_rows"),
            add_scaled: make(wgpu::include_wgsl!("add_scaled.wgsl"), "add_scaled"),
            adam: make(wgpu::include_wgsl!("adam.wgsl"), "adam"),
            sgd: make(wgpu::include_wgsl!("sgd.wgsl"), "sgd"),
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
