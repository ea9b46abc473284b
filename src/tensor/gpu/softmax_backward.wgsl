// Backward of softmax.wgsl from its output y and the upstream gradient g, one invocation per row:
//   softmax     (mode 0): dx = y ⊙ (g - Σ_c g_c y_c)
//   log-softmax (mode 1): dx = g - exp(y) Σ_c g_c

struct SoftmaxDims {
    rows: u32,
    cols: u32,
    mode: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: SoftmaxDims;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.x + gid.y * groups.x * 256u;
    if r >= dims.rows {
        return;
    }
    let base = r * dims.cols;
    var dot = 0.0;
    var total = 0.0;
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        dot = dot + g[base + c] * y[base + c];
        total = total + g[base + c];
    }
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        if dims.mode == 1u {
            dx[base + c] = g[base + c] - exp(y[base + c]) * total;
        } else {
            dx[base + c] = y[base + c] * (g[base + c] - dot);
        }
    }
}
