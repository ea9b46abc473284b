// out = op(a) · op(b), where op transposes when the flag is set.
// Logical shapes: op(a) is m x k, op(b) is k x n, out is m x n; all row-major.
// Tiled: each 16x16 workgroup stages 16x16 tiles of op(a) and op(b) in workgroup memory.

struct MatmulDims {
    m: u32,
    k: u32,
    n: u32,
    trans_a: u32,
    trans_b: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> dims: MatmulDims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const TILE: u32 = 16u;
var<workgroup> tile_a: array<array<f32, 16>, 16>;
var<workgroup> tile_b: array<array<f32, 16>, 16>;

// Element (row, col) of op(a), or 0 outside the matrix.
fn load_a(row: u32, col: u32) -> f32 {
    if row >= dims.m || col >= dims.k {
        return 0.0;
    }
    if dims.trans_a == 1u {
        return a[col * dims.m + row];
    }
    return a[row * dims.k + col];
}

// Element (row, col) of op(b), or 0 outside the matrix.
fn load_b(row: u32, col: u32) -> f32 {
    if row >= dims.k || col >= dims.n {
        return 0.0;
    }
    if dims.trans_b == 1u {
        return b[col * dims.k + row];
    }
    return b[row * dims.n + col];
}

@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = wg.y * TILE + lid.y;
    let col = wg.x * TILE + lid.x;
    var acc = 0.0;
    let tiles = (dims.k + TILE - 1u) / TILE;
    for (var t = 0u; t < tiles; t = t + 1u) {
        tile_a[lid.y][lid.x] = load_a(row, t * TILE + lid.x);
        tile_b[lid.y][lid.x] = load_b(t * TILE + lid.y, col);
        workgroupBarrier();
        for (var i = 0u; i < TILE; i = i + 1u) {
            acc = acc + tile_a[lid.y][i] * tile_b[i][lid.x];
        }
        workgroupBarrier();
    }
    if row < dims.m && col < dims.n {
        out[row * dims.n + col] = acc;
    }
}
