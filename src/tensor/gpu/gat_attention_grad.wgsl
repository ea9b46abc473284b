// Gradient of GAT's aggregation with respect to the attention weights, per edge e = j -> i and head h:
//   d alpha[e, h] = sum_c d out[i, h C + c] * x[j, h C + c]

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
@group(0) @binding(1) var<storage, read> src_of: array<u32>;
@group(0) @binding(2) var<storage, read> dst_of: array<u32>;
@group(0) @binding(3) var<storage, read> grad_out: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_alpha: array<f32>;

@compute @workgroup_size(256)
fn gat_attention_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let t = gid.x + gid.y * groups.x * 256u;
    if t >= dims.edges * dims.heads {
        return;
    }
    let e = t / dims.heads;
    let h = t % dims.heads;
    let width = dims.heads * dims.channels;
    let i = dst_of[e];
    let j = src_of[e];
    var acc = 0.0;
    for (var c = 0u; c < dims.channels; c = c + 1u) {
        acc = acc + grad_out[i * width + h * dims.channels + c] * x[j * width + h * dims.channels + c];
    }
    grad_alpha[t] = acc;
}
