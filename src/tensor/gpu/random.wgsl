// Counter-based random numbers: element i of a draw with seed (seed_lo, seed_hi) depends only on (seed, i),
// so the GPU and the CPU reference (`cpu::random`) produce the same numbers, in any order.
//   u(i) = hash(i, seed) / 2^32 in [0, 1)  (24 high bits, exact in f32)
//   uniform: lo + (hi - lo) u;  normal: Box-Muller on u(2i), u(2i+1) (cosine branch)
// hash: two rounds of the PCG output permutation (O'Neill 2014) over the counter mixed with the seed.
// dist: 0 uniform, 1 normal.

struct RandomParams {
    len: u32,
    dist: u32,
    seed_lo: u32,
    seed_hi: u32,
    a: f32,
    b: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: RandomParams;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

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
fn random(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= params.len {
        return;
    }
    if params.dist == 1u {
        let u1 = 1.0 - unit(2u * i); // (0, 1]: log is finite
        let u2 = unit(2u * i + 1u);
        out[i] = params.a + params.b * sqrt(-2.0 * log(u1)) * cos(6.28318530718 * u2);
    } else {
        out[i] = params.a + (params.b - params.a) * unit(i);
    }
}
