// One Adam / AdamW step, in place (Kingma & Ba 2015, Alg. 1; Loshchilov & Hutter 2019 for decoupled decay):
//   g = grad (+ weight_decay * p when not decoupled)
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g²
//   p -= lr * (m / bias1) / (sqrt(v / bias2) + eps)  (+ lr * weight_decay * p when decoupled)
// bias1 = 1 - beta1^t and bias2 = 1 - beta2^t are computed on the host from the step count.

struct AdamParams {
    len: u32,
    decoupled: u32,
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    weight_decay: f32,
    bias1: f32,
    bias2: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> hp: AdamParams;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= hp.len {
        return;
    }
    var p = param[i];
    var g = grad[i];
    if hp.decoupled == 0u {
        g = g + hp.weight_decay * p;
    } else {
        p = p - hp.lr * hp.weight_decay * p;
    }
    // moments below f32's smallest normal magnitude are stored as 0, as `cpu::adam` does
    let m_new = flush(hp.beta1 * m[i] + (1.0 - hp.beta1) * g);
    let v_new = flush(hp.beta2 * v[i] + (1.0 - hp.beta2) * g * g);
    m[i] = m_new;
    v[i] = v_new;
    param[i] = p - hp.lr * (m_new / hp.bias1) / (sqrt(v_new / hp.bias2) + hp.eps);
}

// 0 below f32's smallest normal magnitude (1.17549435e-38).
fn flush(x: f32) -> f32 {
    return select(x, 0.0, abs(x) < 1.17549435e-38);
}
