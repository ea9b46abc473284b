// Sparse (CSR) times dense: out[i, f] = sum over e in row_ptr[i]..row_ptr[i+1] of values[e] * x[col_index[e], f].
// GCN's normalised-adjacency propagation and SAGE's mean aggregation; the backward uses the same kernel on
// the stored transpose. One invocation per output element, edges summed in CSR order (as the CPU reference).

struct SpmmDims {
    rows: u32,
    features: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: SpmmDims;
@group(0) @binding(1) var<storage, read> row_ptr: array<u32>;
@group(0) @binding(2) var<storage, read> col_index: array<u32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn spmm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.rows * dims.features {
        return;
    }
    let row = i / dims.features;
    let f = i % dims.features;
    var acc = 0.0;
    for (var e = row_ptr[row]; e < row_ptr[row + 1u]; e = e + 1u) {
        acc = acc + values[e] * x[col_index[e] * dims.features + f];
    }
    out[i] = acc;
}
