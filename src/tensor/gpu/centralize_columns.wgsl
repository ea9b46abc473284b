// Gradient centralisation (Yong et al., 2020) for a weight stored in x out (bpfree's Linear layout):
// each column (one output unit's fan-in) gets its mean removed, g[:, c] -= mean_r g[r, c]. In place.

struct CentralizeDims {
    rows: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: CentralizeDims;
@group(0) @binding(1) var<storage, read_write> g: array<f32>;

@compute @workgroup_size(256)
fn centralize_columns(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = gid.x + gid.y * groups.x * 256u;
    if c >= dims.cols {
        return;
    }
    var total = 0.0;
    for (var r = 0u; r < dims.rows; r = r + 1u) {
        total = total + g[r * dims.cols + c];
    }
    let mean = total / f32(dims.rows);
    for (var r = 0u; r < dims.rows; r = r + 1u) {
        g[r * dims.cols + c] = g[r * dims.cols + c] - mean;
    }
}
