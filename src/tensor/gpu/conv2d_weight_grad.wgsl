// Gradient of conv2d.wgsl with respect to its weights, one invocation per weight (co, ci, ky, kx):
//   dw = Σ_{n, oy, ox} dout[n, co, oy, ox] x[n, ci, oy s + ky - p, ox s + kx - p]

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
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_w: array<f32>;

@compute @workgroup_size(256)
fn conv2d_weight_grad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= d.out_ch * d.in_ch * 9u {
        return;
    }
    let co = i / (d.in_ch * 9u);
    let ci = (i / 9u) % d.in_ch;
    let ky = (i % 9u) / 3u;
    let kx = i % 3u;
    var acc = 0.0;
    for (var n = 0u; n < d.batch; n = n + 1u) {
        for (var oy = 0u; oy < d.out_height; oy = oy + 1u) {
            let y = i32(oy * d.stride + ky) - i32(d.pad);
            if y < 0 || y >= i32(d.height) {
                continue;
            }
            for (var ox = 0u; ox < d.out_width; ox = ox + 1u) {
                let xx = i32(ox * d.stride + kx) - i32(d.pad);
                if xx < 0 || xx >= i32(d.width) {
                    continue;
                }
                let oi = ((n * d.out_ch + co) * d.out_height + oy) * d.out_width + ox;
                let xi = ((n * d.in_ch + ci) * d.height + u32(y)) * d.width + u32(xx);
                acc = acc + grad_out[oi] * x[xi];
            }
        }
    }
    grad_w[i] = acc;
}
