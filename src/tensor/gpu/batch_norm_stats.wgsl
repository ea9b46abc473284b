// Per-channel batch statistics of x (batch x (channels plane)): mean and biased variance over the batch and
// the plane (BatchNorm1d: plane = 1; BatchNorm2d: plane = h w). One invocation per channel, two passes.

struct NormDims {
    batch: u32,
    channels: u32,
    plane: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> d: NormDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> variance: array<f32>;

@compute @workgroup_size(256)
fn batch_norm_stats(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = gid.x + gid.y * groups.x * 256u;
    if c >= d.channels {
        return;
    }
    let count = f32(d.batch * d.plane);
    var total = 0.0;
    for (var n = 0u; n < d.batch; n = n + 1u) {
        for (var p = 0u; p < d.plane; p = p + 1u) {
            total = total + x[(n * d.channels + c) * d.plane + p];
        }
    }
    let mu = total / count;
    var sq = 0.0;
    for (var n = 0u; n < d.batch; n = n + 1u) {
        for (var p = 0u; p < d.plane; p = p + 1u) {
            let v = x[(n * d.channels + c) * d.plane + p] - mu;
            sq = sq + v * v;
        }
    }
    mean[c] = mu;
    variance[c] = sq / count;
}
