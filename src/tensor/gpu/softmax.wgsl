// Row-wise softmax (mode 0) or log-softmax (mode 1), max-shifted for stability. One invocation per row.

struct SoftmaxDims {
    rows: u32,
    cols: u32,
    mode: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: SoftmaxDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn softmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.x + gid.y * groups.x * 256u;
    if r >= dims.rows {
        return;
    }
    let base = r * dims.cols;
    var top = x[base];
    for (var c = 1u; c < dims.cols; c = c + 1u) {
        top = max(top, x[base + c]);
    }
    var total = 0.0;
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        total = total + exp(x[base + c] - top);
    }
    let log_z = top + log(total);
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        let log_p = x[base + c] - log_z;
        y[base + c] = select(exp(log_p), log_p, dims.mode == 1u);
    }
}
