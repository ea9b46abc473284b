// Per-row L2 normalisation with eps on the norm (ForwardGNN's "LayerNormalization", spec §2.2):
//   y[r, :] = x[r, :] / (||x[r, :]||_2 + eps)
// One invocation per row.

struct L2NormalizeDims {
    rows: u32,
    cols: u32,
    eps: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: L2NormalizeDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn l2_normalize_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.x + gid.y * groups.x * 256u;
    if r >= dims.rows {
        return;
    }
    let base = r * dims.cols;
    var sq = 0.0;
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        sq = sq + x[base + c] * x[base + c];
    }
    let scale = 1.0 / (sqrt(sq) + dims.eps);
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        y[base + c] = x[base + c] * scale;
    }
}
