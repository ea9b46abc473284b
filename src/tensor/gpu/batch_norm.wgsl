// y = gamma[c] (x - mean[c]) / sqrt(var[c] + eps) + beta[c], per element of x (batch x (channels plane));
// batch statistics in training, running statistics in evaluation.

struct NormDims {
    batch: u32,
    channels: u32,
    plane: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> d: NormDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> variance: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(256)
fn batch_norm(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= d.batch * d.channels * d.plane {
        return;
    }
    let c = (i / d.plane) % d.channels;
    y[i] = gamma[c] * (x[i] - mean[c]) / sqrt(variance[c] + d.eps) + beta[c];
}
