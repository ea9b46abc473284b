// 2x2 max pooling with stride 2 (odd trailing rows/columns dropped, as PyTorch's floor mode), one invocation
// per output element; also records which of the four inputs won (0..3, row-major, first maximum) for the
// backward pass.

struct PoolDims {
    planes: u32,
    height: u32,
    width: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> d: PoolDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> winner: array<f32>;

@compute @workgroup_size(256)
fn max_pool2x2(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    let oh = d.height / 2u;
    let ow = d.width / 2u;
    if i >= d.planes * oh * ow {
        return;
    }
    let p = i / (oh * ow);
    let oy = (i % (oh * ow)) / ow;
    let ox = i % ow;
    let base = (p * d.height + 2u * oy) * d.width + 2u * ox;
    var best = x[base];
    var which = 0u;
    for (var k = 1u; k < 4u; k = k + 1u) {
        let v = x[base + (k / 2u) * d.width + (k % 2u)];
        if v > best {
            best = v;
            which = k;
        }
    }
    out[i] = best;
    winner[i] = f32(which);
}
