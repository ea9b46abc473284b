// out[r, :] = x[index[r], :]: picks rows (a mini-batch) by index; indices are stored as f32.
// An index past the end gives a zero row.

struct GatherRowsDims {
    len: u32,
    cols: u32,
    source_rows: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: GatherRowsDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> index: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn gather_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.len {
        return;
    }
    let r = i / dims.cols;
    let c = i % dims.cols;
    let src = u32(index[r]);
    if src >= dims.source_rows {
        out[i] = 0.0;
        return;
    }
    out[i] = x[src * dims.cols + c];
}
