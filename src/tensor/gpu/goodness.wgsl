// Forward-forward "goodness" per row: sum (mode 0) or mean (mode 1) of squares (ForwardGNN spec §9.1:
// training uses the sum, inference the mean). One invocation per row; output rows x 1.

struct GoodnessDims {
    rows: u32,
    cols: u32,
    mode: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: GoodnessDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn goodness(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let r = gid.x + gid.y * groups.x * 256u;
    if r >= dims.rows {
        return;
    }
    var acc = 0.0;
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        acc = acc + x[r * dims.cols + c] * x[r * dims.cols + c];
    }
    out[r] = select(acc, acc / f32(dims.cols), dims.mode == 1u);
}
