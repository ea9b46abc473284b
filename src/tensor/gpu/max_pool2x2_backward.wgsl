// Backward of max_pool2x2.wgsl, one invocation per input element: the window's gradient goes to the input
// that won, zero elsewhere (and for the dropped odd row/column).

struct PoolDims {
    planes: u32,
    height: u32,
    width: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> d: PoolDims;
@group(0) @binding(1) var<storage, read> grad_out: array<f32>;
@group(0) @binding(2) var<storage, read> winner: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_x: array<f32>;

@compute @workgroup_size(256)
fn max_pool2x2_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= d.planes * d.height * d.width {
        return;
    }
    let p = i / (d.height * d.width);
    let y = (i % (d.height * d.width)) / d.width;
    let x = i % d.width;
    let oh = d.height / 2u;
    let ow = d.width / 2u;
    if y / 2u >= oh || x / 2u >= ow {
        grad_x[i] = 0.0;
        return;
    }
    let o = (p * oh + y / 2u) * ow + x / 2u;
    let k = (y % 2u) * 2u + (x % 2u);
    grad_x[i] = select(0.0, grad_out[o], u32(winner[o]) == k);
}
