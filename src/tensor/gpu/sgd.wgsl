// One SGD step with momentum and (coupled) weight decay, in place (PyTorch's convention):
//   g = grad + weight_decay * p;  velocity = momentum * velocity + g;  p -= lr * velocity

struct SgdParams {
    len: u32,
    lr: f32,
    momentum: f32,
    weight_decay: f32,
}

@group(0) @binding(0) var<uniform> hp: SgdParams;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;

@compute @workgroup_size(256)
fn sgd(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= hp.len {
        return;
    }
    let g = grad[i] + hp.weight_decay * param[i];
    let vel = flush(hp.momentum * velocity[i] + g); // as `cpu::sgd`
    velocity[i] = vel;
    param[i] = param[i] - hp.lr * vel;
}

// 0 below f32's smallest normal magnitude (1.17549435e-38).
fn flush(x: f32) -> f32 {
    return select(x, 0.0, abs(x) < 1.17549435e-38);
}
