// Copies a height x width block: dst[dst_row + r, dst_col + c] = src[src_row + r, src_col + c].
// Concatenation and slicing along either axis are built from it.

struct CopyBlockDims {
    height: u32,
    width: u32,
    src_cols: u32,
    dst_cols: u32,
    src_row: u32,
    src_col: u32,
    dst_row: u32,
    dst_col: u32,
}

@group(0) @binding(0) var<uniform> dims: CopyBlockDims;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256)
fn copy_block(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.height * dims.width {
        return;
    }
    let r = i / dims.width;
    let c = i % dims.width;
    dst[(dims.dst_row + r) * dims.dst_cols + dims.dst_col + c] = src[(dims.src_row + r) * dims.src_cols + dims.src_col + c];
}
