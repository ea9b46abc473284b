// out = op(a) · op(b) for `batch` products, as matmul.wgsl, without workgroup memory or barriers: the form that
// suits software adapters (lavapipe, SwiftShader), which run a workgroup's invocations as the lanes of CPU vector
// registers, where "global" memory is the CPU's cached RAM and a barrier splits the shader in two.
//
// A 16x4 workgroup computes a 32-row, 64-column block of `out`. Invocation (x, y) owns rows 8y .. 8y + 7 of the
// block and columns x, x + 16, x + 32, x + 48: neighbouring invocations (neighbouring lanes) read neighbouring
// columns of op(b) and the same element of op(a). Out-of-range rows and columns read the last valid one (never a
// branch in the inner loop) and are not stored.

struct MatmulDims {
    m: u32,
    k: u32,
    n: u32,
    trans_a: u32,
    trans_b: u32,
    batch: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> dims: MatmulDims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(16, 4)
fn matmul_direct(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = wg.y * 32u + lid.y * 8u;
    let col = wg.x * 64u + lid.x;
    // op(a)[r, kk] = a[r * a_row + kk * a_k]; op(b)[kk, c] = b[kk * b_k + c * b_col]
    let a_row = select(dims.k, 1u, dims.trans_a == 1u);
    let a_k = select(1u, dims.m, dims.trans_a == 1u);
    let b_k = select(dims.n, 1u, dims.trans_b == 1u);
    let b_col = select(1u, dims.k, dims.trans_b == 1u);
    let last_row = dims.m - 1u;
    let last_col = dims.n - 1u;
    let a_base = wg.z * dims.m * dims.k;
    let b_base = wg.z * dims.k * dims.n;
    var ia = vec4<u32>(
        a_base + min(row, last_row) * a_row,
        a_base + min(row + 1u, last_row) * a_row,
        a_base + min(row + 2u, last_row) * a_row,
        a_base + min(row + 3u, last_row) * a_row,
    );
    var ia2 = vec4<u32>(
        a_base + min(row + 4u, last_row) * a_row,
        a_base + min(row + 5u, last_row) * a_row,
        a_base + min(row + 6u, last_row) * a_row,
        a_base + min(row + 7u, last_row) * a_row,
    );
    var ib = vec4<u32>(
        b_base + min(col, last_col) * b_col,
        b_base + min(col + 16u, last_col) * b_col,
        b_base + min(col + 32u, last_col) * b_col,
        b_base + min(col + 48u, last_col) * b_col,
    );
    var acc0 = vec4<f32>(0.0); // row `row`, columns col, col + 16, col + 32, col + 48
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    var acc4 = vec4<f32>(0.0);
    var acc5 = vec4<f32>(0.0);
    var acc6 = vec4<f32>(0.0);
    var acc7 = vec4<f32>(0.0);
    for (var kk = 0u; kk < dims.k; kk = kk + 1u) {
        let vb = vec4<f32>(b[ib.x], b[ib.y], b[ib.z], b[ib.w]);
        let va = vec4<f32>(a[ia.x], a[ia.y], a[ia.z], a[ia.w]);
        acc0 = acc0 + va.x * vb;
        acc1 = acc1 + va.y * vb;
        acc2 = acc2 + va.z * vb;
        acc3 = acc3 + va.w * vb;
        let va2 = vec4<f32>(a[ia2.x], a[ia2.y], a[ia2.z], a[ia2.w]);
        acc4 = acc4 + va2.x * vb;
        acc5 = acc5 + va2.y * vb;
        acc6 = acc6 + va2.z * vb;
        acc7 = acc7 + va2.w * vb;
        ia = ia + vec4<u32>(a_k);
        ia2 = ia2 + vec4<u32>(a_k);
        ib = ib + vec4<u32>(b_k);
    }
    let out_base = wg.z * dims.m * dims.n;
    store_row(out_base, row, col, acc0);
    store_row(out_base, row + 1u, col, acc1);
    store_row(out_base, row + 2u, col, acc2);
    store_row(out_base, row + 3u, col, acc3);
    store_row(out_base, row + 4u, col, acc4);
    store_row(out_base, row + 5u, col, acc5);
    store_row(out_base, row + 6u, col, acc6);
    store_row(out_base, row + 7u, col, acc7);
}

// Writes the in-range outputs of row `r` at columns c, c + 16, c + 32, c + 48.
fn store_row(base: u32, r: u32, c: u32, v: vec4<f32>) {
    if r >= dims.m {
        return;
    }
    for (var j = 0u; j < 4u; j = j + 1u) {
        let cj = c + 16u * j;
        if cj < dims.n {
            out[base + r * dims.n + cj] = v[j];
        }
    }
}
