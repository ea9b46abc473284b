// out[0] = sum of x[i]² over the whole tensor (for global gradient-norm clipping).
// One workgroup: 256 invocations stride over x, then a tree reduction in workgroup memory. Summation order
// differs from the CPU's sequential sum, so parity holds to float tolerance, not bit for bit.

struct SumSquaresDims {
    len: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> dims: SumSquaresDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn sum_squares(@builtin(local_invocation_index) lid: u32) {
    var acc = 0.0;
    for (var i = lid; i < dims.len; i = i + 256u) {
        acc = acc + x[i] * x[i];
    }
    partial[lid] = acc;
    workgroupBarrier();
    for (var width = 128u; width > 0u; width = width / 2u) {
        if lid < width {
            partial[lid] = partial[lid] + partial[lid + width];
        }
        workgroupBarrier();
    }
    if lid == 0u {
        out[0] = partial[0];
    }
}
