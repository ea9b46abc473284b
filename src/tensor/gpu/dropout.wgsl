// Inverted dropout with a counter-based mask: element i is kept when u(i) >= p (u from random.wgsl's hash of
// (seed, i)) and scaled by 1 / (1 - p); dropped elements are 0. The backward is this same kernel on the
// gradient with the same seed, so no mask has to be stored.

struct DropoutParams {
    len: u32,
    p: f32,
    seed_lo: u32,
    seed_hi: u32,
}

@group(0) @binding(0) var<uniform> params: DropoutParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn unit(counter: u32) -> f32 {
    let h = pcg(pcg(counter ^ params.seed_lo) + params.seed_hi);
    return f32(h >> 8u) * (1.0 / 16777216.0);
}

@compute @workgroup_size(256)
fn dropout(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= params.len {
        return;
    }
    out[i] = select(0.0, x[i] / (1.0 - params.p), unit(i) >= params.p);
}
