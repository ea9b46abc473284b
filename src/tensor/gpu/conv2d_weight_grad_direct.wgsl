// conv2d_weight_grad.wgsl's gradient, register-blocked for software adapters as conv2d_direct.wgsl is:
//   dw[co, ci, ky, kx] = Σ_{n, oy, ox} dout[n, co, oy, ox] x[n, ci, oy s + ky - p, ox s + kx - p]
// Each invocation computes the 9 weights of 4 output channels from one input channel (36 sums in registers): at
// every output position it reads 4 dout values and 9 input values for 36 multiply-adds, against 2 reads per
// multiply-add in conv2d_weight_grad.wgsl. The batch is cut into parts of `chunk` images, each summed by its own
// invocations into its own copy of the weights (the launcher adds the parts in order); within a part each weight
// sums in that kernel's order (n, oy, ox), a tap outside the image adding 0. Channels past out_ch read the last
// channel and are not stored.

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
    chunk: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> d: ConvDims;
@group(0) @binding(1) var<storage, read> grad_out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_w: array<f32>;

// x[base + y width + xx + j], j = 0, 1, 2, as 0 outside the image: one row of taps with vector conditions. (Nine
// calls of a one-tap function with `&&` conditions made SwiftShader, Chromium's software adapter, take 95 s to
// compile this kernel; this form takes 0.13 s.)
fn rowv(base: u32, y: i32, xx: i32) -> vec3<f32> {
    let row_ok = y >= 0 && y < i32(d.height);
    let cols = vec3<i32>(xx) + vec3<i32>(0, 1, 2);
    let ok = vec3<bool>(row_ok) & (cols >= vec3<i32>(0)) & (cols < vec3<i32>(i32(d.width)));
    let i = select(vec3<u32>(0u), base + u32(y) * d.width + vec3<u32>(cols), ok);
    return select(vec3<f32>(0.0), vec3<f32>(x[i.x], x[i.y], x[i.z]), ok);
}

@compute @workgroup_size(64)
fn conv2d_weight_grad_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    let per_part = d.in_ch * ((d.out_ch + 3u) / 4u);
    if i >= per_part * ((d.batch + d.chunk - 1u) / d.chunk) {
        return;
    }
    // part `part` of the batch: images part chunk .. (part + 1) chunk - 1
    let part = i / per_part;
    let ci = i % d.in_ch;
    let co0 = (i % per_part / d.in_ch) * 4u;
    let last = d.out_ch - 1u;
    let out_plane = d.out_height * d.out_width;
    let in_plane = d.height * d.width;
    // dout[n, co, oy, ox] at (n out_ch + co) out_plane + oy out_width + ox, for co0 .. co0 + 3
    let g = vec4<u32>(min(co0, last), min(co0 + 1u, last), min(co0 + 2u, last), min(co0 + 3u, last)) * out_plane;
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0);
    var a5 = vec4<f32>(0.0);
    var a6 = vec4<f32>(0.0);
    var a7 = vec4<f32>(0.0);
    var a8 = vec4<f32>(0.0);
    for (var n = part * d.chunk; n < min(d.batch, (part + 1u) * d.chunk); n = n + 1u) {
        let gn = g + n * d.out_ch * out_plane;
        let xn = (n * d.in_ch + ci) * in_plane;
        for (var oy = 0u; oy < d.out_height; oy = oy + 1u) {
            let y = i32(oy * d.stride) - i32(d.pad);
            for (var ox = 0u; ox < d.out_width; ox = ox + 1u) {
                let o = gn + oy * d.out_width + ox;
                let gv = vec4<f32>(grad_out[o.x], grad_out[o.y], grad_out[o.z], grad_out[o.w]);
                let xx = i32(ox * d.stride) - i32(d.pad);
                let r0 = rowv(xn, y, xx);
                let r1 = rowv(xn, y + 1, xx);
                let r2 = rowv(xn, y + 2, xx);
                a0 = a0 + r0.x * gv;
                a1 = a1 + r0.y * gv;
                a2 = a2 + r0.z * gv;
                a3 = a3 + r1.x * gv;
                a4 = a4 + r1.y * gv;
                a5 = a5 + r1.z * gv;
                a6 = a6 + r2.x * gv;
                a7 = a7 + r2.y * gv;
                a8 = a8 + r2.z * gv;
            }
        }
    }
    // part `part`'s grad_w[co, ci, k] at part out_ch in_ch 9 + (co in_ch + ci) 9 + k
    let base = (part * d.out_ch * d.in_ch + co0 * d.in_ch + ci) * 9u;
    let step = d.in_ch * 9u;
    store9(base, a0.x, a1.x, a2.x, a3.x, a4.x, a5.x, a6.x, a7.x, a8.x);
    if co0 + 1u < d.out_ch {
        store9(base + step, a0.y, a1.y, a2.y, a3.y, a4.y, a5.y, a6.y, a7.y, a8.y);
    }
    if co0 + 2u < d.out_ch {
        store9(base + 2u * step, a0.z, a1.z, a2.z, a3.z, a4.z, a5.z, a6.z, a7.z, a8.z);
    }
    if co0 + 3u < d.out_ch {
        store9(base + 3u * step, a0.w, a1.w, a2.w, a3.w, a4.w, a5.w, a6.w, a7.w, a8.w);
    }
}

fn store9(at: u32, v0: f32, v1: f32, v2: f32, v3: f32, v4: f32, v5: f32, v6: f32, v7: f32, v8: f32) {
    grad_w[at] = v0;
    grad_w[at + 1u] = v1;
    grad_w[at + 2u] = v2;
    grad_w[at + 3u] = v3;
    grad_w[at + 4u] = v4;
    grad_w[at + 5u] = v5;
    grad_w[at + 6u] = v6;
    grad_w[at + 7u] = v7;
    grad_w[at + 8u] = v8;
}
