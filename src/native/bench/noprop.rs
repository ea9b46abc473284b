//! `bpfree bench noprop`: peak device bytes (live tensors, the GPU pool's high-water mark) of NoProp-DT, which trains
//! one block at a time, against the backprop baseline through all T blocks (the paper's Table 2 in v1, Table 3 in v2,
//! reports 0.49 GB vs 0.87 GB on MNIST, process memory measured by PyTorch on an unnamed GPU, so only the ratio
//! compares). Paper blocks (width 1, T = 10, one-hot), MNIST-shaped random batches, `--steps` steps per pass (DT: per
//! block, so that all ten blocks' AdamW states exist) on a fresh GPU context, plus seconds per step. Numbers are
//! printed, never asserted.

use crate::algorithms::{Algorithm, BuildFn, NoPropBackprop, NoPropCt, NoPropDt, NoPropFm, Problem};
use crate::config::{Architecture, RunConfig};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{BackendChoice, Device};
use std::time::Instant;

/// One model's numbers.
struct Row {
    name: &'static str,
    parameters: usize,
    peak: u64,
    seconds_per_step: f64,
}

fn measure(name: &'static str, batch: usize, steps: usize, width: f32, build: BuildFn) -> Result<Row> {
    let device = pollster::block_on(Device::open(BackendChoice::Gpu))?;
    if !matches!(device, Device::Gpu(_)) {
        return Err(Error::invalid("bench", "bench noprop measures device memory: it needs a GPU adapter"));
    }
    let algo = if name.contains("backprop") { "backprop" } else { "noprop-dt" };
    let mut cfg = crate::algorithms::preset_for(algo, "mnist", Architecture::NoProp);
    cfg.noprop.width = width;
    let problem = Problem { inputs: 784, classes: 10, image: Some([1, 28, 28]) };
    let mut rng = Rng::new(1);
    let mut model = build(&cfg, problem, &device, &mut rng)?;
    let x: Vec<f32> = (0..batch * 784).map(|_| rng.normal()).collect();
    let y: Vec<f32> = (0..batch).map(|i| (i % 10) as f32).collect();
    let (x, y) = (device.tensor(batch, 784, &x)?, device.tensor(batch, 1, &y)?);
    // Every pass (NoProp-DT: every block) takes its steps, so every optimiser state exists at the peak.
    let start = Instant::now();
    let passes = model.passes_per_epoch();
    for pass in 0..passes {
        model.begin_pass(pass);
        for _ in 0..steps {
            let loss = model.step(x.try_clone()?, &y)?;
            pollster::block_on(loss.to_vec())?;
        }
    }
    let seconds_per_step = start.elapsed().as_secs_f64() / (steps * passes).max(1) as f64;
    Ok(Row { name, parameters: model.parameter_count(), peak: device.memory().peak_live_bytes, seconds_per_step })
}

fn dt(cfg: &RunConfig, p: Problem, d: &Device, r: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(NoPropDt::new(cfg, p, d, r)?))
}

fn bp(cfg: &RunConfig, p: Problem, d: &Device, r: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(NoPropBackprop::new(cfg, p, d, r)?))
}

fn ct(cfg: &RunConfig, p: Problem, d: &Device, r: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(NoPropCt::new(cfg, p, d, r)?))
}

fn fm(cfg: &RunConfig, p: Problem, d: &Device, r: &mut Rng) -> Result<Box<dyn Algorithm>> {
    Ok(Box::new(NoPropFm::new(cfg, p, d, r)?))
}

/// NoProp-DT's GPU step kernel by kernel (`--profile`): each launch waits for the device, so each row is the time
/// that kernel takes on its own.
fn profile(batch: usize, steps: usize, width: f32) -> Result<()> {
    let gpu = pollster::block_on(crate::tensor::Gpu::new())?;
    let device = Device::Gpu(gpu.clone());
    let mut cfg = crate::algorithms::preset_for("noprop-dt", "mnist", Architecture::NoProp);
    cfg.noprop.width = width;
    let problem = Problem { inputs: 784, classes: 10, image: Some([1, 28, 28]) };
    let mut rng = Rng::new(1);
    let mut model = dt(&cfg, problem, &device, &mut rng)?;
    let x: Vec<f32> = (0..batch * 784).map(|_| rng.normal()).collect();
    let y: Vec<f32> = (0..batch).map(|i| (i % 10) as f32).collect();
    let (x, y) = (device.tensor(batch, 784, &x)?, device.tensor(batch, 1, &y)?);
    model.begin_pass(0);
    pollster::block_on(model.step(x.try_clone()?, &y)?.to_vec())?; // warm-up: pipelines, pool
    gpu.start_profile();
    for _ in 0..steps {
        pollster::block_on(model.step(x.try_clone()?, &y)?.to_vec())?;
    }
    let rows = gpu.take_profile();
    let total: f64 = rows.iter().map(|r| r.seconds).sum();
    println!(
        "NoProp-DT training step (block 1, batch {batch}, blocks x{width}) on {}: {:.1} ms per step profiled \
         (every launch waited for), {steps} steps\n",
        gpu.summary(),
        1e3 * total / steps.max(1) as f64
    );
    super::print_kernel_table(&rows, steps);
    Ok(())
}

/// Runs the benchmark (`args` after `bench noprop`).
pub fn run(args: &[String]) -> Result<()> {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let batch: usize = value("--batch").and_then(|v| v.parse().ok()).unwrap_or(128);
    let width: f32 = value("--width").and_then(|v| v.parse().ok()).unwrap_or(1.0);
    let steps: usize = value("--steps").and_then(|v| v.parse().ok()).unwrap_or(2);
    if args.iter().any(|a| a == "--profile") {
        return profile(batch, steps, width);
    }
    println!(
        "NoProp memory on MNIST-shaped batches of {batch}, blocks x{width}, {steps} step(s) per pass, GPU adapter:"
    );
    let rows = [
        measure("NoProp-DT (one block at a time)", batch, steps, width, dt)?,
        measure("backprop through all blocks", batch, steps, width, bp)?,
        measure("NoProp-CT (one network)", batch, steps, width, ct)?,
        measure("NoProp-FM (one network)", batch, steps, width, fm)?,
    ];
    println!("\n| model | parameters | peak device bytes | seconds per step |");
    println!("|---|---:|---:|---:|");
    for r in &rows {
        println!("| {} | {} | {:.1} MB | {:.2} |", r.name, r.parameters, r.peak as f64 / 1e6, r.seconds_per_step);
    }
    let ratio = rows[0].peak as f64 / rows[1].peak.max(1) as f64;
    println!("\nNoProp-DT / backprop peak: {ratio:.2} (the paper: 0.49 GB / 0.87 GB = 0.56 on MNIST)");
    Ok(())
}
