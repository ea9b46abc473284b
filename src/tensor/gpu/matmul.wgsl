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

// tile_a[kk * BLOCK + r] = op(a)[block_row + r, step + kk]; tile_b[kk * BLOCK + c] = op(b)[step + kk, block_col + c]
var<workgroup> tile_a: array<f32, 1024>;
var<workgroup> tile_b: array<f32, 1024>;

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
    let thread = lid.y * 16u + lid.x;
    let a_base = wg.z * dims.m * dims.k;
    let b_base = wg.z * dims.k * dims.n;
    let out_base = wg.z * dims.m * dims.n;
    var acc: array<f32, 16>;
    for (var i = 0u; i < 16u; i = i + 1u) {
        acc[i] = 0.0;
    }
    let steps = (dims.k + DEPTH - 1u) / DEPTH;
    for (var s = 0u; s < steps; s = s + 1u) {
        let step = s * DEPTH;
        // 1024 values per tile, 256 invocations: 4 loads each. Consecutive invocations read along k for a
        // (contiguous in a row-major a) and along n for b (contiguous in a row-major b).
        for (var l = 0u; l < 4u; l = l + 1u) {
            let e = thread + l * 256u;
            let ar = e / DEPTH;
            let ak = e % DEPTH;
            tile_a[ak * BLOCK + ar] = load_a(a_base, block_row + ar, step + ak);
            let bk = e / BLOCK;
            let bc = e % BLOCK;
            tile_b[bk * BLOCK + bc] = load_b(b_base, step + bk, block_col + bc);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < DEPTH; kk = kk + 1u) {
            var ra: array<f32, 4>;
            var rb: array<f32, 4>;
            for (var i = 0u; i < PER; i = i + 1u) {
                ra[i] = tile_a[kk * BLOCK + lid.y * PER + i];
                rb[i] = tile_b[kk * BLOCK + lid.x * PER + i];
            }
            for (var i = 0u; i < PER; i = i + 1u) {
                for (var j = 0u; j < PER; j = j + 1u) {
                    acc[i * PER + j] = acc[i * PER + j] + ra[i] * rb[j];
                }
            }
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < PER; i = i + 1u) {
        let row = block_row + lid.y * PER + i;
        for (var j = 0u; j < PER; j = j + 1u) {
            let col = block_col + lid.x * PER + j;
            if row < dims.m && col < dims.n {
                out[out_base + row * dims.n + col] = acc[i * PER + j];
            }
        }
    }
}
