// out[r, c] = x[r, c] * f(s[r]): scales every row of x by its own factor, where f is the identity (mode 0) or
// the indicator s >= threshold (mode 1, a 0/1 row mask such as CCL's "flooding" mask).

struct ScaleRowsDims {
    len: u32,
    cols: u32,
    mode: u32,
    threshold: f32,
}

@group(0) @binding(0) var<uniform> dims: ScaleRowsDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> s: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn scale_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.len {
        return;
    }
    var f = s[i / dims.cols];
    if dims.mode == 1u {
        f = select(0.0, 1.0, f >= dims.threshold);
    }
    out[i] = x[i] * f;
}
