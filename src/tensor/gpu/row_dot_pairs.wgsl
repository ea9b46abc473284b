// Dot products of row pairs of one matrix, `out[p] = <x[u[p]], x[v[p]]>` (`pairs x 1`), without gathering the
// rows: the arithmetic of `row_dot.wgsl` (polarization form, column by column) on rows read by index. Indices
// are stored as f32; an index past the end reads a zero row. One invocation per pair.

struct RowDotPairsDims {
    pairs: u32,
    cols: u32,
    source_rows: u32,
    _pad0: u32,
}

@group(0) @binding(0) var<uniform> dims: RowDotPairsDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> u: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn row_dot_pairs(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let p = gid.x + gid.y * groups.x * 256u;
    if p >= dims.pairs {
        return;
    }
    let i = u32(u[p]);
    let j = u32(v[p]);
    let take_i = select(0.0, 1.0, i < dims.source_rows);
    let take_j = select(0.0, 1.0, j < dims.source_rows);
    let bi = min(i, dims.source_rows - 1u) * dims.cols;
    let bj = min(j, dims.source_rows - 1u) * dims.cols;
    var sum_sq = 0.0;
    var diff_sq = 0.0;
    for (var c = 0u; c < dims.cols; c = c + 1u) {
        let a = take_i * x[bi + c];
        let b = take_j * x[bj + c];
        let s = a + b;
        let d = a - b;
        sum_sq = sum_sq + s * s;
        diff_sq = diff_sq + d * d;
    }
    out[p] = 0.25 * sum_sq + (-0.25) * diff_sq;
}
