// conv2d.wgsl's convolution, register-blocked for software adapters (lavapipe, SwiftShader), as matmul_direct.wgsl
// is for products:
//   out[n, co, oy, ox] = bias[co] + Σ_{ci, ky, kx} w[co, ci, ky, kx] x[n, ci, oy s + ky - p, ox s + kx - p]
// Each invocation computes 8 output channels at 4 consecutive output positions (counted over image, row and
// column together, so a row's end never idles a lane): every input value it reads feeds 8 multiply-adds and every
// weight 4, against one read per multiply-add in conv2d.wgsl. Each output sums the terms of conv2d.wgsl in
// another order (bias, then ky, kx, ci: where a tap reads is worked out once for all channels). Channels past
// out_ch read the last channel's weights and positions past the end read position 0: never a branch in the inner
// loop; neither is stored.

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

@compute @workgroup_size(64)
fn conv2d_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    let plane = d.out_height * d.out_width;
    let positions = d.batch * plane;
    let blocks = (positions + 3u) / 4u;
    if i >= blocks * ((d.out_ch + 7u) / 8u) {
        return;
    }
    let co0 = (i / blocks) * 8u;
    let p = vec4<u32>(i % blocks * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
    let live = p < vec4<u32>(positions);
    let q = select(vec4<u32>(0u), p, live);
    let n = q / plane;
    let sp = q % plane;
    let y0 = vec4<i32>(sp / d.out_width * d.stride) - i32(d.pad);
    let x0 = vec4<i32>(sp % d.out_width * d.stride) - i32(d.pad);
    let in_plane = d.height * d.width;
    let img = n * (d.in_ch * in_plane);
    // the weights of channels co0 .. co0 + 7 (the last real channel past out_ch)
    let last = d.out_ch - 1u;
    let k = d.in_ch * 9u;
    let w0 = min(co0, last) * k;
    let w1 = min(co0 + 1u, last) * k;
    let w2 = min(co0 + 2u, last) * k;
    let w3 = min(co0 + 3u, last) * k;
    let w4 = min(co0 + 4u, last) * k;
    let w5 = min(co0 + 5u, last) * k;
    let w6 = min(co0 + 6u, last) * k;
    let w7 = min(co0 + 7u, last) * k;
    var a0 = vec4<f32>(bias[min(co0, last)]);
    var a1 = vec4<f32>(bias[min(co0 + 1u, last)]);
    var a2 = vec4<f32>(bias[min(co0 + 2u, last)]);
    var a3 = vec4<f32>(bias[min(co0 + 3u, last)]);
    var a4 = vec4<f32>(bias[min(co0 + 4u, last)]);
    var a5 = vec4<f32>(bias[min(co0 + 5u, last)]);
    var a6 = vec4<f32>(bias[min(co0 + 6u, last)]);
    var a7 = vec4<f32>(bias[min(co0 + 7u, last)]);
    let h = vec4<i32>(i32(d.height));
    let wd = vec4<i32>(i32(d.width));
    // the tap (ky, kx) reads the same place of every input channel: where and whether, once per tap
    for (var ky = 0u; ky < 3u; ky = ky + 1u) {
        let y = y0 + i32(ky);
        let row_ok = live & (y >= vec4<i32>(0)) & (y < h);
        for (var kx = 0u; kx < 3u; kx = kx + 1u) {
            let xx = x0 + i32(kx);
            let ok = row_ok & (xx >= vec4<i32>(0)) & (xx < wd);
            var at = select(vec4<u32>(0u), img + vec4<u32>(y * wd + xx), ok);
            var t = ky * 3u + kx;
            for (var ci = 0u; ci < d.in_ch; ci = ci + 1u) {
                let v = select(vec4<f32>(0.0), vec4<f32>(x[at.x], x[at.y], x[at.z], x[at.w]), ok);
                a0 = a0 + w[w0 + t] * v;
                a1 = a1 + w[w1 + t] * v;
                a2 = a2 + w[w2 + t] * v;
                a3 = a3 + w[w3 + t] * v;
                a4 = a4 + w[w4 + t] * v;
                a5 = a5 + w[w5 + t] * v;
                a6 = a6 + w[w6 + t] * v;
                a7 = a7 + w[w7 + t] * v;
                at = at + in_plane;
                t = t + 9u;
            }
        }
    }
    // out[n, co, sp] at n * out_ch * plane + co * plane + sp
    let o = n * (d.out_ch * plane) + sp + co0 * plane;
    var acc = array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7);
    for (var c = 0u; c < 8u; c = c + 1u) {
        if co0 + c >= d.out_ch {
            break;
        }
        let oc = o + c * plane;
        let a = acc[c];
        for (var j = 0u; j < 4u; j = j + 1u) {
            if live[j] {
                out[oc[j]] = a[j];
            }
        }
    }
}
