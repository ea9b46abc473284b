// out[r, c] = 1 if c == labels[r] else 0 (labels are class ids stored as f32; an id out of range gives a
// zero row).

struct OneHotDims {
    len: u32,
    classes: u32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> dims: OneHotDims;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(256)
fn one_hot(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = gid.x + gid.y * groups.x * 256u;
    if i >= dims.len {
        return;
    }
    let r = i / dims.classes;
    let c = i % dims.classes;
    out[i] = select(0.0, 1.0, labels[r] >= 0.0 && u32(labels[r]) == c);
}
