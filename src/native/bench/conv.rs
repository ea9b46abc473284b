//! The convolution's rows of `bpfree bench`, and `bpfree bench conv`: the forward pass and both gradients on one
//! shape (64 images of 32 channels, 28 x 28, to 32 channels, padding 1), then on the layers of NoProp's blocks
//! (MNIST, batch 32); on a GPU adapter, both kernel families (`Gpu::direct_kernels`), the adapter's choice first.

use super::{random, time_per_call};
use crate::error::Result;
use crate::rng::Rng;
use crate::tensor::{self, Conv2dShape, Device, Gpu};

/// The forward pass and both gradients of `shape` on `batch` images: one table row each.
fn shape_rows(device: &Device, name: &str, what: &str, batch: usize, shape: &Conv2dShape, min_s: f64) -> Result<()> {
    let mut rng = Rng::new(3);
    let x = random(device, batch, shape.in_len(), &mut rng)?;
    let w = random(device, shape.out_ch, shape.in_ch * 9, &mut rng)?;
    let b = device.zeros(1, shape.out_ch)?;
    let g = random(device, batch, shape.out_len(), &mut rng)?;
    // the same multiply-adds in all three
    let flop = 2.0 * batch as f64 * shape.out_len() as f64 * (shape.in_ch * 9) as f64;
    let ops: [&str; 3] = ["conv2d 3x3", "input gradient", "weight gradient"];
    for (k, op) in ops.into_iter().enumerate() {
        let s = time_per_call(device, min_s, || match k {
            0 => tensor::conv2d(&x, &w, &b, shape).map(drop),
            1 => tensor::conv2d_input_grad(&g, &w, shape).map(drop),
            _ => tensor::conv2d_weight_grad(&g, &x, shape).map(drop),
        })?;
        println!("| {name} | {op}, {what} | {:.2} ms | {:.2} GFLOP/s |", s * 1e3, flop / s / 1e9);
    }
    Ok(())
}

fn conv(in_ch: usize, side: usize, out_ch: usize, pad: usize) -> Conv2dShape {
    Conv2dShape { in_ch, height: side, width: side, out_ch, stride: 1, pad }
}

/// The benchmark shape's rows on `device` (the adapter's kernel family only): part of `bpfree bench`.
pub fn rows(device: &Device, name: &str, min_s: f64) -> Result<()> {
    shape_rows(device, name, "64x32x28x28 -> 32 ch", 64, &conv(32, 28, 32, 1), min_s)
}

/// Every shape on `device`; on a GPU, both kernel families.
fn all_rows(device: &Device, name: &str, min_s: f64) -> Result<()> {
    let shapes = [
        ("64x32x28x28 -> 32 ch", 64, conv(32, 28, 32, 1)),
        ("NoProp 32x1x28x28 -> 32 ch", 32, conv(1, 28, 32, 0)),
        ("NoProp 32x32x13x13 -> 64 ch", 32, conv(32, 13, 64, 0)),
        ("NoProp 32x64x11x11 -> 128 ch", 32, conv(64, 11, 128, 0)),
    ];
    let Device::Gpu(gpu) = device else {
        for (what, batch, shape) in &shapes {
            shape_rows(device, name, what, *batch, shape, min_s)?;
        }
        return Ok(());
    };
    let chosen = gpu.direct_kernels();
    for direct in [chosen, !chosen] {
        gpu.set_direct_kernels(direct);
        let label = format!(
            "{name} ({} kernels{})",
            if direct { "direct" } else { "per-output" },
            if direct == chosen { ", used here" } else { "" }
        );
        for (what, batch, shape) in &shapes {
            shape_rows(device, &label, what, *batch, shape, min_s)?;
        }
    }
    gpu.set_direct_kernels(chosen);
    Ok(())
}

/// `bpfree bench conv [--quick]`.
pub fn run(args: &[String]) -> Result<()> {
    let min_s = if args.iter().any(|a| a == "--quick") { 0.05 } else { 0.5 };
    println!("| backend | benchmark | time per call | throughput |");
    println!("|---|---|---|---|");
    all_rows(&Device::Cpu, "cpu", min_s)?;
    match pollster::block_on(Gpu::new()) {
        Ok(gpu) => all_rows(&Device::Gpu(gpu.clone()), &format!("gpu: {}", gpu.summary()), min_s),
        Err(e) => {
            println!("no GPU adapter ({e}): CPU only");
            Ok(())
        }
    }
}
