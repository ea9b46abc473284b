// Backward of gat_softmax.wgsl: from d alpha to d raw (the pre-LeakyReLU score), per (node, head) segment:
//   d logit[e] = alpha[e] (d alpha[e] - sum_e' alpha[e'] d alpha[e']),  d raw[e] = d logit[e] * (raw > 0 ? 1 : slope)

struct GatDims {
    nodes: u32,
    heads: u32,
    channels: u32,
    edges: u32,
    slope: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> dims: GatDims;
@group(0) @binding(1) var<storage, read> dst_ptr: array<u32>;
@group(0) @binding(2) var<storage, read> src_of: array<u32>;
@group(0) @binding(3) var<storage, read> s_src: array<f32>;
@group(0) @binding(4) var<storage, read> s_dst: array<f32>;
@group(0) @binding(5) var<storage, read> alpha: array<f32>;
@group(0) @binding(6) var<storage, read> grad_alpha: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad_raw: array<f32>;

@compute @workgroup_size(256)
fn gat_softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let t = gid.x + gid.y * groups.x * 256u;
    if t >= dims.nodes * dims.heads {
        return;
    }
    let i = t / dims.heads;
    let h = t % dims.heads;
    let start = dst_ptr[i];
    let end = dst_ptr[i + 1u];
    var dot = 0.0;
    for (var e = start; e < end; e = e + 1u) {
        dot = dot + alpha[e * dims.heads + h] * grad_alpha[e * dims.heads + h];
    }
    let own = s_dst[i * dims.heads + h];
    for (var e = start; e < end; e = e + 1u) {
        let k = e * dims.heads + h;
        let raw = s_src[src_of[e] * dims.heads + h] + own;
        grad_raw[k] = alpha[k] * (grad_alpha[k] - dot) * select(dims.slope, 1.0, raw > 0.0);
    }
}
