// Nearest-neighbour upsampling by 2: out[p, y, x] = x[p, y / 2, x / 2], one invocation per output element.

struct UpsampleDims {
    planes: u32,
    height: u32,
    width: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> d: UpsampleDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn upsample2x(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    let oh = 2u * d.height;
    let ow = 2u * d.width;
    if i >= d.planes * oh * ow {
        return;
    }
    let p = i / (oh * ow);
    let y = (i % (oh * ow)) / ow;
    let x2 = i % ow;
    out[i] = x[(p * d.height + y / 2u) * d.width + x2 / 2u];
}
