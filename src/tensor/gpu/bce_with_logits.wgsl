// Binary cross-entropy with logits, elementwise, in its overflow-free form:
//   loss = max(z, 0) - z t + log(1 + exp(-|z|))      grad = scale * (sigmoid(z) - t)

struct BceDims {
    len: u32,
    scale: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: BceDims;
@group(0) @binding(1) var<storage, read> z: array<f32>;
@group(0) @binding(2) var<storage, read> expected: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn bce_with_logits(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.len {
        return;
    }
    let v = z[i];
    let t = expected[i];
    let e = exp(-abs(v));
    loss[i] = max(v, 0.0) - v * t + log(1.0 + e);
    let s = select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
    grad[i] = dims.scale * (s - t);
}
