// Gradient of y = x / (||x|| + eps) per row, with n = ||x|| and d = n + eps:
//   dx = g / d - x (x · g) / (n d²)      (the second term is 0 when n = 0)
// One invocation per row.

struct L2NormalizeDims {
    rows: u32,
    cols: u32,
    eps: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: L2NormalizeDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> grad_y: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_x: array<f32>;

@compute @workgroup_size(256)
fn l2_normalize_rows_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.x + gid.y * groups.x * 256u;
    if r >= dims.rows {
        return;
    }
    let base = r * dims.cols;
    var sq = 0.0;
    var xg = 0.0;
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        sq = sq + x[base + c] * x[base + c];
        xg = xg + x[base + c] * grad_y[base + c];
    }
    let n = sqrt(sq);
    let d = n + dims.eps;
    var k = 0.0;
    if n > 0.0 {
        k = xg / (n * d * d);
    }
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        grad_x[base + c] = grad_y[base + c] / d - x[base + c] * k;
    }
}
