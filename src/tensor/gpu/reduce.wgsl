// Reduction of a rows x cols matrix along one axis. axis 1: one output per row (a rows x 1 column);
// axis 0: one output per column (a 1 x cols row). op: 0 sum, 1 mean, 2 max, 3 argmax (first maximum, as an
// f32 index). Elements are visited in index order, as the CPU reference does.

struct ReduceDims {
    rows: u32,
    cols: u32,
    axis: u32,
    op: u32,
}

@group(0) @binding(0) var<uniform> dims: ReduceDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn reduce(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let o = gid.x + gid.y * groups.x * 256u;
    var count = dims.rows;
    var outputs = dims.cols;
    var start = o;
    var stride = dims.cols;
    if dims.axis == 1u {
        count = dims.cols;
        outputs = dims.rows;
        start = o * dims.cols;
        stride = 1u;
    }
    if o >= outputs {
        return;
    }
    var acc = 0.0;
    var best = x[start];
    var best_index = 0u;
    for (var i = 0u; i < count; i = i + 1u) {
        let v = x[start + i * stride];
        acc = acc + v;
        if v > best {
            best = v;
            best_index = i;
        }
    }
    switch dims.op {
        case 1u: { out[o] = acc / f32(count); }
        case 2u: { out[o] = best; }
        case 3u: { out[o] = f32(best_index); }
        default: { out[o] = acc; }
    }
}
