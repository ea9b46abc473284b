// Softmax cross-entropy with logits, one invocation per row:
//   loss[r]    = logsumexp(logits[r, :]) - logits[r, y_r]
//   grad[r, c] = scale * (softmax(logits[r, :])[c] - [c == y_r])
// labels hold class ids as f32; scale is usually 1 / rows (gradient of the mean loss).

struct SoftmaxCrossEntropyDims {
    rows: u32,
    classes: u32,
    scale: f32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: SoftmaxCrossEntropyDims;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn softmax_cross_entropy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.x + gid.y * groups.x * 256u;
    if r >= dims.rows {
        return;
    }
    let base = r * dims.classes;
    let y = u32(labels[r]);
    var top = logits[base];
    for (var c = 1u; c < dims.classes; c = c + 1u) {
        top = max(top, logits[base + c]);
    }
    var total = 0.0;
    for (var c = 0u; c < dims.classes; c = c + 1u) {
        total = total + exp(logits[base + c] - top);
    }
    let log_z = top + log(total);
    loss[r] = log_z - logits[base + min(y, dims.classes - 1u)];
    for (var c = 0u; c < dims.classes; c = c + 1u) {
        let p = exp(logits[base + c] - log_z);
        grad[base + c] = dims.scale * (p - select(0.0, 1.0, c == y));
    }
}
