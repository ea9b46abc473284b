//! The native `bpfree` command. `bpfree train` runs the same [`Trainer`] as the page and prints one JSON object
//! per epoch, then a summary object as its last line.

use crate::algorithms::ALGORITHMS;
use crate::config::RunConfig;
use crate::data::DATASETS;
use crate::error::{Error, Result};
use crate::nn::OptimizerConfig;
use crate::tensor::{BackendChoice, Device};
use crate::train::Trainer;
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

/// Usage text.
pub const USAGE: &str = "\
bpfree — train neural networks without backpropagation

USAGE:
  bpfree train --algo ALGO --dataset DATASET [--epochs N] [--seed S] [--backend auto|cpu|gpu]
               [--batch B] [--lr LR] [--hidden 16,16] [--activation relu|tanh|sigmoid|elu|gelu|identity]
               [--points N] [--noise SIGMA] [--data DIR]
  bpfree bench [--quick]   kernel throughput on the CPU and the GPU adapter
  bpfree info      the GPU adapter wgpu finds
  bpfree list      registered algorithms and datasets

Data is read from www/data unless --data DIR or BPFREE_DATA names another folder.
";

/// Runs the command line `args` (without the program name), writing JSON lines to stdout.
pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("train") => train(&args[1..]),
        Some("info") => info(),
        Some("bench") => crate::bench::run(args.iter().any(|a| a == "--quick")),
        Some("list") => {
            for a in ALGORITHMS {
                println!("{}", json!({"algorithm": a.id, "label": a.label}));
            }
            for d in DATASETS {
                println!("{}", json!({"dataset": d.id, "label": d.label}));
            }
            Ok(())
        }
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Error::invalid("command", format!("`{other}`\n\n{USAGE}"))),
    }
}

fn info() -> Result<()> {
    let device = pollster::block_on(Device::open(BackendChoice::Gpu))?;
    if let Device::Gpu(gpu) = &device {
        let s = gpu.summary();
        println!(
            "{}",
            json!({"adapter": s.name, "device_type": s.device_type, "backend": s.backend, "software": s.software,
                   "max_buffer_bytes": gpu.max_buffer_bytes()})
        );
    }
    Ok(())
}

/// Parsed `train` flags.
struct TrainArgs {
    cfg: RunConfig,
    data_dir: PathBuf,
}

fn parse_train(args: &[String]) -> Result<TrainArgs> {
    let mut cfg = RunConfig::default();
    let mut data_dir = std::env::var_os("BPFREE_DATA").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("www/data"));
    let mut lr: Option<f32> = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| Error::invalid("flag", format!("{flag} needs a value")));
        match flag.as_str() {
            "--algo" | "--algorithm" => cfg.algorithm = value()?,
            "--dataset" => cfg.dataset = value()?,
            "--epochs" => cfg.epochs = parse(flag, &value()?)?,
            "--seed" => cfg.seed = parse(flag, &value()?)?,
            "--backend" => cfg.backend = BackendChoice::parse(&value()?)?,
            "--batch" => cfg.batch_size = parse(flag, &value()?)?,
            "--lr" => lr = Some(parse(flag, &value()?)?),
            "--points" => cfg.data.points = parse(flag, &value()?)?,
            "--noise" => cfg.data.noise = parse(flag, &value()?)?,
            "--data" => data_dir = PathBuf::from(value()?),
            "--hidden" => {
                cfg.model.hidden = value()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| parse(flag, s))
                    .collect::<Result<Vec<usize>>>()?;
            }
            "--activation" => {
                let v = value()?;
                cfg.model.activation = serde_json::from_value(json!(v)).map_err(|_| {
                    Error::invalid("activation", format!("`{v}` (use relu, tanh, sigmoid, elu, gelu or identity)"))
                })?;
            }
            other => return Err(Error::invalid("flag", format!("unknown flag `{other}`\n\n{USAGE}"))),
        }
    }
    if let Some(lr) = lr {
        cfg.optimizer = match cfg.optimizer {
            OptimizerConfig::Adam { beta1, beta2, eps, weight_decay, decoupled, .. } => {
                OptimizerConfig::Adam { lr, beta1, beta2, eps, weight_decay, decoupled }
            }
            OptimizerConfig::Sgd { momentum, weight_decay, .. } => OptimizerConfig::Sgd { lr, momentum, weight_decay },
        };
    }
    Ok(TrainArgs { cfg, data_dir })
}

fn parse<T: std::str::FromStr>(flag: &str, s: &str) -> Result<T> {
    s.parse().map_err(|_| Error::invalid("flag", format!("{flag}: cannot parse `{s}`")))
}

fn train(args: &[String]) -> Result<()> {
    let TrainArgs { cfg, data_dir } = parse_train(args)?;
    let start = Instant::now();
    let device = pollster::block_on(Device::open(cfg.backend))?;
    let mut trainer = Trainer::new(&cfg, device)?;
    let backend = trainer.device().kind();
    let mut last = None;
    for _ in 0..cfg.epochs {
        let m = pollster::block_on(trainer.run_epoch())?;
        println!(
            "{}",
            json!({"epoch": m.epoch, "steps": m.steps, "train_loss": m.train_loss, "test_loss": m.test_loss,
                   "train_accuracy": m.train_accuracy, "test_accuracy": m.test_accuracy,
                   "seconds": start.elapsed().as_secs_f64()})
        );
        last = Some(m);
    }
    let memory = trainer.device().memory();
    println!(
        "{}",
        json!({
            "algo": cfg.algorithm, "dataset": cfg.dataset, "seed": cfg.seed, "backend": backend,
            "device": trainer.device().describe(), "epochs": trainer.epoch(), "steps": trainer.steps(),
            "batch": cfg.batch_size, "parameters": trainer.parameter_count(),
            "train_loss": last.as_ref().map(|m| m.train_loss), "test_loss": last.as_ref().map(|m| m.test_loss),
            "train_accuracy": last.as_ref().map_or(0.0, |m| m.train_accuracy),
            "test_accuracy": last.as_ref().map_or(0.0, |m| m.test_accuracy),
            "peak_device_bytes": memory.peak_live_bytes,
            "data_dir": data_dir.display().to_string(),
            "seconds": start.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}
