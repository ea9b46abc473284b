//! `bpfree bench`: throughput of the core kernels on every backend this machine has, printed as a table
//! (numbers, never assertions). GPU timings include the submit and end with a full device sync.

pub mod conv;
pub mod forwardgnn;
pub mod mlp;
pub mod noprop;

use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::{self, AdamStep, Device, Gpu, Tensor};
use std::time::Instant;

/// Runs `op` until at least `min_seconds` have passed (and at least twice); returns seconds per call.
fn time_per_call(device: &Device, min_seconds: f64, mut op: impl FnMut() -> Result<()>) -> Result<f64> {
    let sync = |d: &Device| match d {
        Device::Gpu(g) => g.finish(),
        Device::Cpu => Ok(()),
    };
    op()?; // warm-up: pipelines, pool
    sync(device)?;
    let start = Instant::now();
    let mut calls = 0u32;
    while calls < 2 || start.elapsed().as_secs_f64() < min_seconds {
        op()?;
        calls += 1;
        if matches!(device, Device::Gpu(_)) && calls.is_multiple_of(8) {
            sync(device)?;
        }
    }
    sync(device)?;
    Ok(start.elapsed().as_secs_f64() / f64::from(calls))
}

/// The rows of `Gpu::take_profile` over `steps` steps as a table: dispatches, milliseconds, share of the time and
/// bytes bound per step, by kernel.
fn print_kernel_table(rows: &[tensor::KernelTime], steps: usize) {
    let total: f64 = rows.iter().map(|r| r.seconds).sum();
    let per_step = |x: f64| x / steps.max(1) as f64;
    println!("| kernel | dispatches per step | ms per step | share | buffers bound per step |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.0} | {:.3} | {:.1} % | {:.2} MB |",
            r.label,
            per_step(r.calls as f64),
            1e3 * per_step(r.seconds),
            100.0 * r.seconds / total,
            per_step(r.bytes as f64) / 1e6
        );
    }
}

fn random(device: &Device, rows: usize, cols: usize, rng: &mut Rng) -> Result<Tensor> {
    let data: Vec<f32> = (0..rows * cols).map(|_| rng.uniform(-1.0, 1.0)).collect();
    device.tensor(rows, cols, &data)
}

/// Peak f32 FLOP/s of this CPU from /proc/cpuinfo: cores x clock x FLOPs per cycle (2 FMA ports of 8 lanes
/// with AVX2+FMA, 16 lanes with AVX-512, 4 lanes with SSE). An upper bound, stated with its assumptions.
fn cpu_peak() -> (f64, String) {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mhz = info
        .lines()
        .find(|l| l.starts_with("cpu MHz"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    let model =
        info.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).unwrap_or("?").trim();
    let flags = info.lines().find(|l| l.starts_with("flags")).unwrap_or("");
    let (per_cycle, isa) = if flags.contains(" avx512f") {
        (64.0, "AVX-512, 2 FMA")
    } else if flags.contains(" avx2") && flags.contains(" fma") {
        (32.0, "AVX2, 2 FMA")
    } else {
        (8.0, "SSE")
    };
    let peak = cores as f64 * mhz * 1e6 * per_cycle;
    (peak, format!("{model}: {cores} cores x {mhz:.0} MHz x {per_cycle} FLOP/cycle ({isa})"))
}

/// Prints the benchmark table for the CPU and, when there is one, the native wgpu adapter.
pub fn run(quick: bool) -> Result<()> {
    let min_s = if quick { 0.05 } else { 0.5 };
    let mut devices = vec![("cpu".to_string(), Device::Cpu)];
    match pollster::block_on(Gpu::new()) {
        Ok(gpu) => devices.push((format!("gpu: {}", gpu.summary()), Device::Gpu(gpu))),
        Err(e) => println!("no GPU adapter ({e}): CPU only"),
    }
    let (peak, how) = cpu_peak();
    println!("CPU theoretical peak: {:.1} GFLOP/s ({how})\n", peak / 1e9);
    println!("| backend | benchmark | time per call | throughput |");
    println!("|---|---|---|---|");
    let sizes: &[usize] = if quick { &[256, 512] } else { &[256, 512, 1024, 2048] };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    for (name, device) in &devices {
        println!("{}", mlp::row(name, device, quick, peak / cores)?);
        let mut rng = Rng::new(1);
        for &n in sizes {
            let a = random(device, n, n, &mut rng)?;
            let b = random(device, n, n, &mut rng)?;
            let flop = 2.0 * (n as f64).powi(3);
            let Device::Gpu(gpu) = device else {
                let s = time_per_call(device, min_s, || tensor::matmul(&a, &b, false, false).map(drop))?;
                println!(
                    "| {name} | matmul (ndarray dot) {n}x{n}x{n} | {:.2} ms | {:.1} GFLOP/s |",
                    s * 1e3,
                    flop / s / 1e9
                );
                continue;
            };
            // the adapter's own choice first, then the other kernel (`Gpu::direct_kernels`)
            let chosen = gpu.direct_kernels();
            for direct in [chosen, !chosen] {
                gpu.set_direct_kernels(direct);
                let s = time_per_call(device, min_s, || tensor::matmul(&a, &b, false, false).map(drop))?;
                let label = if direct { "direct" } else { "tiled" };
                let note = if direct == chosen { ", used here" } else { "" };
                println!(
                    "| {name} | matmul ({label}{note}) {n}x{n}x{n} | {:.2} ms | {:.1} GFLOP/s |",
                    s * 1e3,
                    flop / s / 1e9
                );
            }
            gpu.set_direct_kernels(chosen);
            if n <= 1024 {
                let s = time_per_call(device, min_s, || tensor::matmul_naive(&a, &b, false, false).map(drop))?;
                println!("| {name} | matmul (naive) {n}x{n}x{n} | {:.2} ms | {:.1} GFLOP/s |", s * 1e3, flop / s / 1e9);
            }
        }
        for edges in [100_000usize, 1_000_000] {
            let nodes = edges / 10;
            let list: Vec<(u32, u32)> =
                (0..edges).map(|_| (rng.below(nodes) as u32, rng.below(nodes) as u32)).collect();
            let graph = tensor::Csr::gcn_normalized(device, nodes, &list)?;
            let x = random(device, nodes, 128, &mut rng)?;
            let s = time_per_call(device, min_s, || tensor::spmm(&graph, &x).map(drop))?;
            let nnz = graph.nnz() as f64;
            println!(
                "| {name} | SpMM {} edges (+self-loops), {nodes} nodes x 128 | {:.2} ms | {:.1} M edges/s ({:.2} GFLOP/s) |",
                edges,
                s * 1e3,
                nnz / s / 1e6,
                2.0 * nnz * 128.0 / s / 1e9
            );
        }
        conv::rows(device, name, min_s)?;
        let params = 1_000_000;
        let mut p = random(device, 1000, params / 1000, &mut rng)?;
        let g = random(device, 1000, params / 1000, &mut rng)?;
        let (mut m, mut v) = (device.zeros(1000, params / 1000)?, device.zeros(1000, params / 1000)?);
        let mut t = 0;
        let s = time_per_call(device, min_s, || {
            t += 1;
            let hp = AdamStep { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled: false, t };
            tensor::adam(&mut p, &g, &mut m, &mut v, &hp)
        })?;
        println!(
            "| {name} | Adam step, 10^6 parameters | {:.2} ms | {:.0} M params/s |",
            s * 1e3,
            params as f64 / s / 1e6
        );
    }
    Ok(())
}
