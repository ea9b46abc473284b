//! Launcher of `matmul_naive.wgsl`, the untiled baseline of `matmul` (reference: `cpu::matmul`).

use super::matmul::MatmulDims;
use super::{Gpu, GpuTensor};
use crate::error::{Error, Result};

/// Same contract as [`super::matmul`].
pub fn matmul_naive(
    gpu: &Gpu,
    a: &GpuTensor,
    b: &GpuTensor,
    trans_a: bool,
    trans_b: bool,
    mkn: [usize; 3],
) -> Result<GpuTensor> {
    let [m, k, n] = mkn;
    let out = GpuTensor::empty(gpu, &[m, n], "matmul_naive")?;
    let dims = MatmulDims {
        m: m as u32,
        k: k as u32,
        n: n as u32,
        trans_a: trans_a.into(),
        trans_b: trans_b.into(),
        batch: 1,
        _pad: [0; 2],
    };
    let groups = [n.div_ceil(16) as u32, m.div_ceil(16) as u32, 1];
    if groups[0] > 65_535 || groups[1] > 65_535 {
        return Err(Error::shape(
            "matmul_naive",
            format!("{m}x{n} output needs more than 65,535 workgroups per dimension"),
        ));
    }
    gpu.launch(
        &gpu.kernels().matmul_naive,
        "matmul_naive",
        bytemuck::bytes_of(&dims),
        &[a.buffer(), b.buffer(), out.buffer()],
        groups,
    );
    Ok(out)
}
