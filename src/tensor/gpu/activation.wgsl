// out = f(x) elementwise. kind: 0 identity, 1 ReLU, 2 tanh, 3 sigmoid, 4 ELU (alpha 1), 5 GELU (erf form), 6 square
// (same codes as tensor::Activation).

struct ActivationDims {
    len: u32,
    kind: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: ActivationDims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn sigmoid(v: f32) -> f32 {
    // split by sign so exp never overflows
    if v >= 0.0 {
        return 1.0 / (1.0 + exp(-v));
    }
    let e = exp(v);
    return e / (1.0 + e);
}

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); the CPU reference uses the same formula.
fn erf_approx(v: f32) -> f32 {
    let t = 1.0 / (1.0 + 0.3275911 * abs(v));
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let e = 1.0 - poly * exp(-v * v);
    return select(-e, e, v >= 0.0);
}

@compute @workgroup_size(256)
fn activation(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.len {
        return;
    }
    let v = x[i];
    switch dims.kind {
        case 1u: { out[i] = max(v, 0.0); }
        case 2u: { out[i] = tanh(v); }
        case 3u: { out[i] = sigmoid(v); }
        case 4u: { out[i] = select(exp(min(v, 0.0)) - 1.0, v, v > 0.0); }
        case 5u: { out[i] = 0.5 * v * (1.0 + erf_approx(v * 0.70710678)); }
        case 6u: { out[i] = v * v; }
        default: { out[i] = v; }
    }
}
