//! The MLP 784-256-256-10 (ReLU, backprop, Adam 1e-3, softmax cross-entropy, batch 128) trained with candle on the
//! CPU, a fresh host batch uploaded every step as in bpfree's `Trainer`; prints samples per second after 5 warm-up
//! steps. `candle-mlp [STEPS]`; threads: `RAYON_NUM_THREADS` (scripts/bench-candle.sh sets 1, then 2).

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{linear, loss, AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use std::time::Instant;

const BATCH: usize = 128;

fn main() -> candle_core::Result<()> {
    let steps: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(500);
    let dev = Device::Cpu;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
    let (l1, l2, l3) = (linear(784, 256, vb.pp("l1"))?, linear(256, 256, vb.pp("l2"))?, linear(256, 10, vb.pp("l3"))?);
    // Adam: AdamW without weight decay
    let params = ParamsAdamW { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 };
    let mut opt = AdamW::new(varmap.all_vars(), params)?;
    let rows = BATCH * 8;
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 40) as f32 / (1u64 << 24) as f32
    };
    let host: Vec<f32> = (0..rows * 784).map(|_| next()).collect();
    let labels: Vec<u32> = (0..rows).map(|_| (next() * 10.0) as u32 % 10).collect();
    let mut step = |i: usize| -> candle_core::Result<Tensor> {
        let at = (i % 8) * BATCH;
        let x = Tensor::from_slice(&host[at * 784..(at + BATCH) * 784], (BATCH, 784), &dev)?;
        let y = Tensor::from_slice(&labels[at..at + BATCH], BATCH, &dev)?;
        let logits = l3.forward(&l2.forward(&l1.forward(&x)?.relu()?)?.relu()?)?;
        let loss = loss::cross_entropy(&logits, &y)?;
        opt.backward_step(&loss)?;
        Ok(loss)
    };
    for i in 0..5 {
        step(i)?;
    }
    let start = Instant::now();
    let mut last = None;
    for i in 0..steps {
        last = Some(step(i)?);
    }
    let loss = last.map(|l| l.to_scalar::<f32>()).transpose()?;
    let rate = (steps * BATCH) as f64 / start.elapsed().as_secs_f64();
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all".into());
    println!("candle 0.11.1, {threads} thread(s): {rate:.0} samples/s ({steps} steps, last loss {loss:?})");
    Ok(())
}
