// Attention-weighted aggregation, per head: out[n, h C + c] = sum over k in ptr[n]..ptr[n+1] of
//   alpha[edge[k], h] * x[neighbor[k], h C + c].
// With the destination CSR (edge[k] = k, neighbor = source) it is GAT's forward message passing; with the
// source CSR (neighbor = destination) it is the gradient of that aggregation with respect to its features.

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
@group(0) @binding(1) var<storage, read> ptr: array<u32>;
@group(0) @binding(2) var<storage, read> neighbor: array<u32>;
@group(0) @binding(3) var<storage, read> edge: array<u32>;
@group(0) @binding(4) var<storage, read> alpha: array<f32>;
@group(0) @binding(5) var<storage, read> x: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn gat_aggregate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let width = dims.heads * dims.channels;
    let t = gid.x + gid.y * groups.x * 256u;
    if t >= dims.nodes * width {
        return;
    }
    let n = t / width;
    let f = t % width;
    let h = f / dims.channels;
    var acc = 0.0;
    for (var k = ptr[n]; k < ptr[n + 1u]; k = k + 1u) {
        acc = acc + alpha[edge[k] * dims.heads + h] * x[neighbor[k] * width + f];
    }
    out[t] = acc;
}
