// out = op(a) · op(b), where op transposes when the flag is set, for `batch` independent products
// (workgroup z = batch index). Logical shapes per product: op(a) is m x k, op(b) is k x n, out is m x n; all
// row-major, the products' matrices stored one after another.
//
// Register-tiled: a 16x16 workgroup computes a 64x64 block of `out`, each invocation a 4x4 sub-block held in
// registers. Per step of 16 along k, the workgroup stages a 64x16 slice of op(a) and a 16x64 slice of op(b)
// in workgroup memory (8 KiB), so each value loaded from global memory is used 64 times.
// (matmul_naive.wgsl is the one-output-per-invocation baseline; `bpfree bench` compares them.)

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

const BLOCK: u32 = 64u; // rows and columns of out per workgroup
const DEPTH: u32 = 16u; // k per staging step
const PER: u32 = 4u;    // rows and columns of out per invocation

// Staged slices as vec4s: tile_a[kk * 16 + q] = op(a)[block_row + 4q .. 4q + 3, step + kk] and
// tile_b[kk * 16 + q] = op(b)[step + kk, block_col + 4q .. 4q + 3]. Vectors (not scalar arrays indexed by loop
// counters) keep the 4x4 accumulator in registers on compilers that do not unroll (lavapipe's among them).
var<workgroup> tile_a: array<vec4<f32>, 256>;
var<workgroup> tile_b: array<vec4<f32>, 256>;

// Element (row, col) of op(a), or 0 outside the matrix.
fn load_a(base: u32, row: u32, col: u32) -> f32 {
    if row >= dims.m || col >= dims.k {
        return 0.0;
    }
    if dims.trans_a == 1u {
        return a[base + col * dims.m + row];
    }
    return a[base + row * dims.k + col];
}

// Element (row, col) of op(b), or 0 outside the matrix.
fn load_b(base: u32, row: u32, col: u32) -> f32 {
    if row >= dims.k || col >= dims.n {
        return 0.0;
    }
    if dims.trans_b == 1u {
        return b[base + col * dims.k + row];
    }
    return b[base + row * dims.n + col];
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let block_row = wg.y * BLOCK;
    let block_col = wg.x * BLOCK;
    let a_base = wg.z * dims.m * dims.k;
    let b_base = wg.z * dims.k * dims.n;
    let out_base = wg.z * dims.m * dims.n;
    // Rows lid.y * 4 .. + 3 of the block; each vec4 holds columns lid.x * 4 .. + 3.
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    // What this invocation stages: a at (4 rows from 4 * lid.y, k = lid.x), b at (k = lid.y, 4 columns from
    // 4 * lid.x); 256 invocations fill both 16 x 16 vec4 tiles.
    let ar = block_row + lid.y * PER;
    let bc = block_col + lid.x * PER;
    let steps = (dims.k + DEPTH - 1u) / DEPTH;
    for (var s = 0u; s < steps; s = s + 1u) {
        let step = s * DEPTH;
        let ak = step + lid.x;
        tile_a[lid.x * 16u + lid.y] = vec4<f32>(
            load_a(a_base, ar, ak),
            load_a(a_base, ar + 1u, ak),
            load_a(a_base, ar + 2u, ak),
            load_a(a_base, ar + 3u, ak),
        );
        let bk = step + lid.y;
        tile_b[lid.y * 16u + lid.x] = vec4<f32>(
            load_b(b_base, bk, bc),
            load_b(b_base, bk, bc + 1u),
            load_b(b_base, bk, bc + 2u),
            load_b(b_base, bk, bc + 3u),
        );
        workgroupBarrier();
        for (var kk = 0u; kk < DEPTH; kk = kk + 1u) {
            let va = tile_a[kk * 16u + lid.y];
            let vb = tile_b[kk * 16u + lid.x];
            acc0 = acc0 + va.x * vb;
            acc1 = acc1 + va.y * vb;
            acc2 = acc2 + va.z * vb;
            acc3 = acc3 + va.w * vb;
        }
        workgroupBarrier();
    }
    store_row(out_base, ar, bc, acc0);
    store_row(out_base, ar + 1u, bc, acc1);
    store_row(out_base, ar + 2u, bc, acc2);
    store_row(out_base, ar + 3u, bc, acc3);
}

// Writes the in-bounds part of four consecutive outputs of row `row` from column `col`.
fn store_row(base: u32, row: u32, col: u32, v: vec4<f32>) {
    if row >= dims.m {
        return;
    }
    let at = base + row * dims.n + col;
    if col + 3u < dims.n {
        out[at] = v.x;
        out[at + 1u] = v.y;
        out[at + 2u] = v.z;
        out[at + 3u] = v.w;
        return;
    }
    for (var j = 0u; j < 4u; j = j + 1u) {
        if col + j < dims.n {
            out[at + j] = v[j];
        }
    }
}
