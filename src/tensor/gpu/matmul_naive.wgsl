// The textbook matmul, one invocation per output element, no workgroup memory: the baseline the tiled
// `matmul` kernel is benchmarked against (`bpfree bench`). Same layout and flags as matmul.wgsl.

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

@compute @workgroup_size(16, 16)
fn matmul_naive(@builtin(global_invocation_id) gid: vec3<u32>) {
    let row = gid.y;
    let col = gid.x;
    if row >= dims.m || col >= dims.n {
        return;
    }
    var acc = 0.0;
    for (var i = 0u; i < dims.k; i = i + 1u) {
        var x = a[row * dims.k + i];
        if dims.trans_a == 1u {
            x = a[i * dims.m + row];
        }
        var y = b[i * dims.n + col];
        if dims.trans_b == 1u {
            y = b[col * dims.k + i];
        }
        acc = acc + x * y;
    }
    out[row * dims.n + col] = acc;
}
