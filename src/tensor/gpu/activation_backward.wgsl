// grad_x = grad_out * f'(x) elementwise, from the activation's input x.
// kind: 0 identity, 1 ReLU (f' = [x > 0]), 2 tanh (1 - tanh²), 3 sigmoid (s (1 - s)), 4 ELU ([x > 0] or e^x),
// 5 GELU (Φ(x) + x φ(x)), 6 square (2x).

struct ActivationDims {
    len: u32,
    kind: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: ActivationDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> grad_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_x: array<f32>;

fn sigmoid(v: f32) -> f32 {
    if v >= 0.0 {
        return 1.0 / (1.0 + exp(-v));
    }
    let e = exp(v);
    return e / (1.0 + e);
}

fn erf_approx(v: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.3275911 * abs(v));
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let e = 1.0 - poly * exp(-v * v);
    return select(-e, e, v >= 0.0);
}

@compute @workgroup_size(256)
fn activation_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.len {
        return;
    }
    let v = x[i];
    var d = 1.0;
    switch dims.kind {
        case 1u: { d = select(0.0, 1.0, v > 0.0); }
        case 2u: { let t = tanh(v); d = 1.0 - t * t; }
        case 3u: { let s = sigmoid(v); d = s * (1.0 - s); }
        case 4u: { d = select(exp(min(v, 0.0)), 1.0, v > 0.0); }
        case 5u: { d = 0.5 * (1.0 + erf_approx(v * 0.70710678)) + v * 0.39894228 * exp(-0.5 * v * v); }
        case 6u: { d = 2.0 * v; }
        default: { d = 1.0; }
    }
    grad_x[i] = grad_out[i] * d;
}
