// Backward of goodness.wgsl: dx[r, c] = g[r] * 2 x[r, c] (divided by cols for the mean).

struct GoodnessDims {
    rows: u32,
    cols: u32,
    mode: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: GoodnessDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(256)
fn goodness_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.rows * dims.cols {
        return;
    }
    let r = i / dims.cols;
    let k = select(2.0, 2.0 / f32(dims.cols), dims.mode == 1u);
    dx[i] = g[r] * k * x[i];
}
