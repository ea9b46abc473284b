//! `bpfree`: the native command line (see `bpfree help`).

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = bpfree::native::cli::run(&args) {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
}

/// Serves every allocation from the heap and never trims it, so a freed buffer is reused instead of unmapped.
///
/// glibc gives each allocation over its mmap threshold (at most 32 MiB) pages of its own and unmaps them on
/// free; a training step on a large graph allocates and frees buffers of that size many times (link prediction on
/// Amazon-Photo: 152,426 training pairs × 128 floats = 78 MB per pair matrix), and the kernel then zero-fills every page
/// again. Profiled with `perf record` on `bpfree train --algo backprop --task link --dataset amazon-photo`: 40 % of
/// the time was page faults; with this, epochs run 1.5 times as fast with bit-identical results. The process keeps
/// its peak heap until it exits, which is what a training run needs anyway.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets allocator parameters; it is called before this program allocates from threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

#[cfg(all(not(target_arch = "wasm32"), not(all(target_os = "linux", target_env = "gnu"))))]
fn keep_freed_memory() {}

#[cfg(target_arch = "wasm32")]
fn main() {}
