// Gradient of conv2d.wgsl with respect to its input, one invocation per input element (n, ci, y, x):
//   dx = Σ_{co, ky, kx} w[co, ci, ky, kx] dout[n, co, oy, ox]  over the (oy, ox) with oy s + ky - p = y and
//   ox s + kx - p = x inside the output.

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
@group(0) @binding(1) var<storage, read> grad_out: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_x: array<f32>;

@compute @workgroup_size(256)
fn conv2d_input_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    let plane = d.height * d.width;
    if i >= d.batch * d.in_ch * plane {
        return;
    }
    let n = i / (d.in_ch * plane);
    let ci = (i / plane) % d.in_ch;
    let y = i32((i % plane) / d.width);
    let xx = i32(i % d.width);
    var acc = 0.0;
    for (var co = 0u; co < d.out_ch; co = co + 1u) {
        for (var ky = 0u; ky < 3u; ky = ky + 1u) {
            let ty = y + i32(d.pad) - i32(ky);
            if ty < 0 || ty % i32(d.stride) != 0 || ty / i32(d.stride) >= i32(d.out_height) {
                continue;
            }
            let oy = u32(ty) / d.stride;
            for (var kx = 0u; kx < 3u; kx = kx + 1u) {
                let tx = xx + i32(d.pad) - i32(kx);
                if tx < 0 || tx % i32(d.stride) != 0 || tx / i32(d.stride) >= i32(d.out_width) {
                    continue;
                }
                let ox = u32(tx) / d.stride;
                let oi = ((n * d.out_ch + co) * d.out_height + oy) * d.out_width + ox;
                acc = acc + w[(co * d.in_ch + ci) * 9u + ky * 3u + kx] * grad_out[oi];
            }
        }
    }
    grad_x[i] = acc;
}
