//! `bpfree bench`'s model-level row: the MLP 784-256-256-10 of [`crate::train::bench_mlp_config`] trained by the
//! page's own `Trainer` (a host batch uploaded every step), in samples per second and GFLOP/s against the
//! machine's peak for the threads used — the number `benches/candle-mlp` and the TF.js page compare with.

use crate::error::Result;
use crate::tensor::Device;
use crate::train::{bench_mlp_config, bench_mlp_data, Trainer, BENCH_BATCH, BENCH_FLOP_PER_SAMPLE};
use std::sync::Arc;
use std::time::Instant;

/// Samples per second of `steps` training steps after 5 warm-up steps (the clock stops on a readback).
pub fn samples_per_second(device: &Device, steps: usize) -> Result<f64> {
    let warmup = 5;
    let data = Arc::new(bench_mlp_data(BENCH_BATCH * (warmup + steps)));
    let mut trainer = Trainer::with_dataset(&bench_mlp_config(), device.clone(), data)?;
    for _ in 0..warmup {
        trainer.step()?;
    }
    pollster::block_on(trainer.test_logits(1))?;
    let start = Instant::now();
    for _ in 0..steps {
        trainer.step()?;
    }
    pollster::block_on(trainer.test_logits(1))?; // waits for every step before it
    Ok((steps * BENCH_BATCH) as f64 / start.elapsed().as_secs_f64())
}

/// The table row of `device` (`peak_per_core`: the CPU's FLOP/s per core; the CPU path runs on one thread).
pub fn row(name: &str, device: &Device, quick: bool, peak_per_core: f64) -> Result<String> {
    let gpu = matches!(device, Device::Gpu(_));
    let steps = match (quick, gpu) {
        (true, true) => 5,
        (true, false) => 50,
        (false, true) => 20,
        (false, false) => 500,
    };
    let rate = samples_per_second(device, steps)?;
    let gflops = rate * BENCH_FLOP_PER_SAMPLE / 1e9;
    let share =
        if gpu { String::new() } else { format!(", {:.0} % of one core's peak", 100.0 * gflops * 1e9 / peak_per_core) };
    Ok(format!(
        "| {name} | MLP 784-256-256-10 training (backprop, Adam, batch {BENCH_BATCH}), {steps} steps | {:.2} ms per step | {rate:.0} samples/s ({gflops:.1} GFLOP/s{share}) |",
        1e3 * BENCH_BATCH as f64 / rate
    ))
}

/// `bpfree bench mlp [--steps N] [--profile]`: the CPU row alone, as `scripts/bench-candle.sh` compares it with
/// candle; with `--profile`, where a GPU step's time goes instead.
pub fn run(args: &[String]) -> Result<()> {
    let steps = match args.iter().position(|a| a == "--steps").and_then(|i| args.get(i + 1)) {
        Some(s) => {
            s.parse().map_err(|_| crate::error::Error::invalid("--steps", format!("`{s}` is not a whole number")))?
        }
        None => 500,
    };
    if args.iter().any(|a| a == "--profile") {
        return profile(steps.min(50));
    }
    let rate = samples_per_second(&Device::Cpu, steps)?;
    let gflops = rate * BENCH_FLOP_PER_SAMPLE / 1e9;
    println!(
        "bpfree {}, CPU, 1 thread: {rate:.0} samples/s ({steps} steps, {gflops:.1} GFLOP/s)",
        env!("CARGO_PKG_VERSION")
    );
    Ok(())
}

/// The MLP's GPU step kernel by kernel: each launch waits for the device, so the table is the time each kernel
/// takes on its own (the whole step is also timed without waiting, for the overhead of profiling).
fn profile(steps: usize) -> Result<()> {
    let gpu = pollster::block_on(crate::tensor::Gpu::new())?;
    let device = Device::Gpu(gpu.clone());
    let unprofiled = samples_per_second(&device, steps)?;
    let data = Arc::new(bench_mlp_data(BENCH_BATCH * (steps + 2)));
    let mut trainer = Trainer::with_dataset(&bench_mlp_config(), device, data)?;
    trainer.step()?;
    pollster::block_on(trainer.test_logits(1))?;
    gpu.start_profile();
    for _ in 0..steps {
        trainer.step()?;
    }
    let rows = gpu.take_profile();
    let total: f64 = rows.iter().map(|r| r.seconds).sum();
    let per_step = |x: f64| x / steps as f64;
    println!("MLP 784-256-256-10 training step on {} ({steps} steps profiled)", gpu.summary());
    println!(
        "without profiling: {:.2} ms per step; profiled (every launch waited for): {:.2} ms per step, {:.0} dispatches per step\n",
        1e3 * BENCH_BATCH as f64 / unprofiled,
        1e3 * per_step(total),
        per_step(rows.iter().map(|r| r.calls as f64).sum())
    );
    super::print_kernel_table(&rows, steps);
    Ok(())
}
