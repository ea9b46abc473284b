// conv2d_input_grad.wgsl's gradient, register-blocked for software adapters as conv2d_direct.wgsl is:
//   dx[n, ci, y, x] = Σ_{co, ky, kx} w[co, ci, ky, kx] dout[n, co, oy, ox]  over the (oy, ox) with
//   oy s + ky - p = y and ox s + kx - p = x inside the output.
// Each invocation computes 8 input channels at 4 consecutive input positions (over image, row and column), so
// every dout value it reads feeds 8 multiply-adds and every weight 4. Each element sums the terms of
// conv2d_input_grad.wgsl in another order (ky, kx, co: where a tap reads is worked out once for all channels).
// Channels past in_ch read the last channel's weights, positions past the end position 0; neither is stored.

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

@compute @workgroup_size(64)
fn conv2d_input_grad_direct(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 64u;
    let plane = d.height * d.width;
    let positions = d.batch * plane;
    let blocks = (positions + 3u) / 4u;
    if i >= blocks * ((d.in_ch + 7u) / 8u) {
        return;
    }
    let ci0 = (i / blocks) * 8u;
    let p = vec4<u32>(i % blocks * 4u) + vec4<u32>(0u, 1u, 2u, 3u);
    let live = p < vec4<u32>(positions);
    let q = select(vec4<u32>(0u), p, live);
    let n = q / plane;
    let sp = q % plane;
    // (y + p - ky) and (x + p - kx) must be multiples of the stride (1 or 2: a shift and a mask, never a division
    // in the inner loops), inside the output
    let ty0 = vec4<i32>(sp / d.width) + i32(d.pad);
    let tx0 = vec4<i32>(sp % d.width) + i32(d.pad);
    let shift = vec4<u32>(d.stride / 2u);
    let odd = vec4<i32>(i32(d.stride) - 1);
    let oh = vec4<i32>(i32(d.out_height));
    let ow = vec4<i32>(i32(d.out_width));
    let out_plane = d.out_height * d.out_width;
    let img = n * (d.out_ch * out_plane);
    // the weights w[co, ci, ky, kx] of channels ci0 .. ci0 + 7 (the last real channel past in_ch)
    let last = d.in_ch - 1u;
    let w0 = min(ci0, last) * 9u;
    let w1 = min(ci0 + 1u, last) * 9u;
    let w2 = min(ci0 + 2u, last) * 9u;
    let w3 = min(ci0 + 3u, last) * 9u;
    let w4 = min(ci0 + 4u, last) * 9u;
    let w5 = min(ci0 + 5u, last) * 9u;
    let w6 = min(ci0 + 6u, last) * 9u;
    let w7 = min(ci0 + 7u, last) * 9u;
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0);
    var a5 = vec4<f32>(0.0);
    var a6 = vec4<f32>(0.0);
    var a7 = vec4<f32>(0.0);
    let co_step = d.in_ch * 9u;
    // the tap (ky, kx) reads the same place of every output channel: where and whether, once per tap
    for (var ky = 0u; ky < 3u; ky = ky + 1u) {
        let ty = ty0 - i32(ky);
        let oy = ty >> shift;
        let row_ok = live & (ty >= vec4<i32>(0)) & ((ty & odd) == vec4<i32>(0)) & (oy < oh);
        for (var kx = 0u; kx < 3u; kx = kx + 1u) {
            let tx = tx0 - i32(kx);
            let ox = tx >> shift;
            let ok = row_ok & (tx >= vec4<i32>(0)) & ((tx & odd) == vec4<i32>(0)) & (ox < ow);
            var at = select(vec4<u32>(0u), img + vec4<u32>(oy * ow + ox), ok);
            var t = ky * 3u + kx;
            for (var co = 0u; co < d.out_ch; co = co + 1u) {
                let v = select(vec4<f32>(0.0), vec4<f32>(grad_out[at.x], grad_out[at.y], grad_out[at.z], grad_out[at.w]), ok);
                a0 = a0 + w[w0 + t] * v;
                a1 = a1 + w[w1 + t] * v;
                a2 = a2 + w[w2 + t] * v;
                a3 = a3 + w[w3 + t] * v;
                a4 = a4 + w[w4 + t] * v;
                a5 = a5 + w[w5 + t] * v;
                a6 = a6 + w[w6 + t] * v;
                a7 = a7 + w[w7 + t] * v;
                at = at + out_plane;
                t = t + co_step;
            }
        }
    }
    // dx[n, ci, sp] at n * in_ch * plane + ci * plane + sp
    let o = n * (d.in_ch * plane) + sp + ci0 * plane;
    var acc = array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7);
    for (var c = 0u; c < 8u; c = c + 1u) {
        if ci0 + c >= d.in_ch {
            break;
        }
        let oc = o + c * plane;
        let a = acc[c];
        for (var j = 0u; j < 4u; j = j + 1u) {
            if live[j] {
                grad_x[oc[j]] = a[j];
            }
        }
    }
}
