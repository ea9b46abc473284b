// GAT attention (Veličković et al., 2018; PyG GATConv): for every destination node i and head h, over the
// edges e = j -> i of i's segment (CSR by destination),
//   raw[e, h] = s_src[j, h] + s_dst[i, h],  logit = LeakyReLU_slope(raw),  alpha[e, h] = softmax_e(logit).
// One invocation per (node, head); alpha is E x heads in destination order.

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
@group(0) @binding(5) var<storage, read_write> alpha: array<f32>;

fn leaky(v: f32) -> f32 {
    return select(dims.slope * v, v, v > 0.0);
}

@compute @workgroup_size(256)
fn gat_softmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let t = gid.x + gid.y * groups.x * 256u;
    if t >= dims.nodes * dims.heads {
        return;
    }
    let i = t / dims.heads;
    let h = t % dims.heads;
    let start = dst_ptr[i];
    let end = dst_ptr[i + 1u];
    if start == end {
        return;
    }
    let own = s_dst[i * dims.heads + h];
    var top = -3.0e38;
    for (var e = start; e < end; e = e + 1u) {
        top = max(top, leaky(s_src[src_of[e] * dims.heads + h] + own));
    }
    var total = 0.0;
    for (var e = start; e < end; e = e + 1u) {
        total = total + exp(leaky(s_src[src_of[e] * dims.heads + h] + own) - top);
    }
    for (var e = start; e < end; e = e + 1u) {
        alpha[e * dims.heads + h] = exp(leaky(s_src[src_of[e] * dims.heads + h] + own) - top) / total;
    }
}
