// g *= min(1, max_norm / (sqrt(total_sq[0]) + 1e-6)), in place: global-norm clipping (PyTorch's
// clip_grad_norm_), where total_sq holds the squared norm summed over every gradient of the group.

struct ClipDims {
    len: u32,
    max_norm: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: ClipDims;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;
@group(0) @binding(2) var<storage, read> total_sq: array<f32>;

@compute @workgroup_size(256)
fn clip_by_norm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.len {
        return;
    }
    let coef = min(1.0, dims.max_norm / (sqrt(total_sq[0]) + 1e-6));
    g[i] = g[i] * coef;
}
