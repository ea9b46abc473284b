// Backward of training-mode batch norm, one invocation per channel (M = batch plane values each):
//   x̂ = (x - mean) / sqrt(var + eps);  d beta = Σ dy;  d gamma = Σ dy x̂
//   dx = gamma / sqrt(var + eps) (dy - d beta / M - x̂ d gamma / M)

struct NormDims {
    batch: u32,
    channels: u32,
    plane: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> d: NormDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> grad_y: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> variance: array<f32>;
@group(0) @binding(5) var<storage, read> gamma: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_x: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad_gamma: array<f32>;
@group(0) @binding(8) var<storage, read_write> grad_beta: array<f32>;

@compute @workgroup_size(256)
fn batch_norm_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let c = gid.x + gid.y * groups.x * 256u;
    if c >= d.channels {
        return;
    }
    let count = f32(d.batch * d.plane);
    let inv_std = 1.0 / sqrt(variance[c] + d.eps);
    var sum_dy = 0.0;
    var sum_dy_xhat = 0.0;
    for (var n = 0u; n < d.batch; n = n + 1u) {
        for (var p = 0u; p < d.plane; p = p + 1u) {
            let i = (n * d.channels + c) * d.plane + p;
            sum_dy = sum_dy + grad_y[i];
            sum_dy_xhat = sum_dy_xhat + grad_y[i] * (x[i] - mean[c]) * inv_std;
        }
    }
    for (var n = 0u; n < d.batch; n = n + 1u) {
        for (var p = 0u; p < d.plane; p = p + 1u) {
            let i = (n * d.channels + c) * d.plane + p;
            let xhat = (x[i] - mean[c]) * inv_std;
            grad_x[i] = gamma[c] * inv_std * (grad_y[i] - sum_dy / count - xhat * sum_dy_xhat / count);
        }
    }
    grad_gamma[c] = sum_dy_xhat;
    grad_beta[c] = sum_dy;
}
