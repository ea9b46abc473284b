// out[c] = sum over r of x[r, c]: reduces a rows x cols matrix to one row (the bias gradient).
// One invocation per column; rows are summed in order, as the CPU reference does.

struct SumRowsDims {
    rows: u32,
    cols: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: SumRowsDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn sum_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = gid.x + gid.y * groups.x * 256u;
    if c >= dims.cols {
        return;
    }
    var acc = 0.0;
    for (var r = 0u; r < dims.rows; r = r + 1u) {
        acc = acc + x[r * dims.cols + c];
    }
    out[c] = acc;
}
