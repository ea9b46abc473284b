// 3x3 convolution, NCHW, images stored one per row (x: batch x (C_in H W)), weights out_ch x (in_ch 3 3):
//   out[n, co, oy, ox] = bias[co] + Σ_{ci, ky, kx} w[co, ci, ky, kx] x[n, ci, oy s + ky - p, ox s + kx - p]
// (zero outside the image). One invocation per output element.

struct ConvDims {
    batch: u32,
    in_ch: u32,
    height: u32,
    width: u32,
    out_ch: u32,
    out_height: u32,
    out_width: u32,
    stride: u32,
    pad: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> d: ConvDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn conv2d(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    let plane = d.out_height * d.out_width;
    if i >= d.batch * d.out_ch * plane {
        return;
    }
    let n = i / (d.out_ch * plane);
    let co = (i / plane) % d.out_ch;
    let oy = (i % plane) / d.out_width;
    let ox = i % d.out_width;
    var acc = bias[co];
    for (var ci = 0u; ci < d.in_ch; ci = ci + 1u) {
        for (var ky = 0u; ky < 3u; ky = ky + 1u) {
            let y = i32(oy * d.stride + ky) - i32(d.pad);
            if y < 0 || y >= i32(d.height) {
                continue;
            }
            for (var kx = 0u; kx < 3u; kx = kx + 1u) {
                let xx = i32(ox * d.stride + kx) - i32(d.pad);
                if xx < 0 || xx >= i32(d.width) {
                    continue;
                }
                let xi = ((n * d.in_ch + ci) * d.height + u32(y)) * d.width + u32(xx);
                acc = acc + w[(co * d.in_ch + ci) * 9u + ky * 3u + kx] * x[xi];
            }
        }
    }
    out[i] = acc;
}
