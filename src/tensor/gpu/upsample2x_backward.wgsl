// Backward of upsample2x.wgsl: each input gathers the gradients of its four copies.

struct UpsampleDims {
    planes: u32,
    height: u32,
    width: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> d: UpsampleDims;
@group(0) @binding(1) var<storage, read> grad_out: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_x: array<f32>;

@compute @workgroup_size(256)
fn upsample2x_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= d.planes * d.height * d.width {
        return;
    }
    let p = i / (d.height * d.width);
    let y = (i % (d.height * d.width)) / d.width;
    let x = i % d.width;
    let ow = 2u * d.width;
    let base = (p * 2u * d.height + 2u * y) * ow + 2u * x;
    grad_x[i] = grad_out[base] + grad_out[base + 1u] + grad_out[base + ow] + grad_out[base + ow + 1u];
}
