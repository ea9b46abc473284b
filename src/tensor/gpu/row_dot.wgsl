// Row-wise dot products of two equally shaped matrices, `out[r] = <a_r, b_r>` (`rows x 1`), in polarization
// form `(‖a_r + b_r‖² − ‖a_r − b_r‖²) / 4` with each sum of squares accumulated column by column — the exact
// arithmetic of the CPU reference `cpu::rows::row_dot`. One invocation per row.

struct RowDotDims {
    rows: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: RowDotDims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn row_dot(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.x + gid.y * groups.x * 256u;
    if r >= dims.rows {
        return;
    }
    var sum_sq = 0.0;
    var diff_sq = 0.0;
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        let i = r * dims.cols + c;
        let s = a[i] + b[i];
        let d = a[i] - b[i];
        sum_sq = sum_sq + s * s;
        diff_sq = diff_sq + d * d;
    }
    out[r] = 0.25 * sum_sq + (-0.25) * diff_sq;
}
