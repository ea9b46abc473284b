//! The native `bpfree` command. `bpfree train` runs the same [`Trainer`] as the page and prints one JSON object
//! per epoch, then a summary object as its last line.

use crate::algorithms::ALGORITHMS;
use crate::config::{Architecture, RunConfig, Selection};
use crate::data::{read_files, DATASETS};
use crate::error::{Error, Result};
use crate::nn::{GnnKind, OptimizerConfig};
use crate::tensor::{BackendChoice, Device};
use crate::train::{load_dataset, Trainer};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Usage text.
pub const USAGE: &str = "\
bpfree — train neural networks without backpropagation

USAGE:
  bpfree train --algo ALGO --dataset DATASET [--model mlp|cnn|autoencoder] [--epochs N] [--seed S] [--backend auto|cpu|gpu]
               [--batch B] [--lr LR] [--feedback-lr LR] [--clip C] [--limit N] [--hidden 16,16]
               [--activation relu|tanh|sigmoid|elu|gelu|identity] [--points N] [--noise SIGMA] [--data DIR]
               [--select val-loss|val-accuracy]
      The algorithm and dataset choose the defaults: on images the papers' configurations (e.g. CCL on MNIST:
      784-256x5-10 ELU MLP, SGD lr 1, clip 1, batch 256, 100 epochs); flags override them. The reported epoch
      is the one with the lowest validation loss (CCL's code), for the backprop baselines on images the highest
      validation accuracy (the CCL paper's rule); --select overrides it. --backend auto
      (the default) takes a hardware GPU, else the CPU; a software adapter (lavapipe) only with --backend gpu.
  bpfree train --algo forwardgnn-{sf,sf-top-input,sf-top-loss,ff-la,ff-vn,lp-ce,lp-ff,lp-ce-top-input}|backprop
               --dataset GRAPH [--model gcn|sage|gat] [--layers 1..4] [--fold K] [--task node|link]
               [--epochs N] [--patience P] [--seed S] [--backend ..]
      Node classification on a shipped graph (cora-ml, citeseer-full, amazon-photo, cora, karate, ...) under
      ForwardGNN's protocol: hidden 128, Adam lr 1e-3 wd 5e-4, up to 1000 epochs per layer, validation every 2
      epochs, patience 100 checks. Greedy variants report every depth 1..L from one run. Link prediction
      (lp-*, or backprop --task link): 64/16/20 edge split with 1:1 fixed negatives, ROC-AUC.
  bpfree train --algo noprop-dt|noprop-ct|noprop-fm|backprop --dataset mnist|fashion-mnist|cifar10-subset
               [--model noprop] [--embedding one-hot|learned|prototype] [--width W] [--blocks T]
               [--inference-steps N] [--inference-runs R] [--epochs N] [--limit N] [--seed S] [--backend ..]
      NoProp (Li, Teh & Pascanu 2025) with the paper's Table 3: batch 128, lr 1e-3, wd 1e-3, AdamW (DT, and
      the backprop baseline on the same blocks with --algo backprop --model noprop) or Adam (CT, FM), the whole
      training set; --width scales every block (1 = the paper), CT/FM sample with --inference-steps (1000).
  bpfree repro forwardgnn [--quick] [--task node|link] [--datasets cora-ml,...] [--models gcn,sage,gat]
                          [--variants sf,...] [--layers 1,2,3,4] [--folds 0,1,2,3,4] [--epochs N] [--backend ..]
                          [--seed-offset N]
      the paper's node-classification (Tables 3-5) or link-prediction (Tables 9-10) numbers beside ours,
      mean ± std over the folds; fold F runs with seed 10100 + 3F (+ N: another seed set)
  bpfree repro forwardgnn --merge FILE... [--markdown]
      pools the saved stdout of partial runs (e.g. one `--folds F --layers L` job each) into the tables,
      as if one process had run them; --markdown prints the README's rows
  bpfree repro ccl [--quick] [--tables 1,3,4] [--datasets mnist,fashion-mnist,cifar10-subset] [--select RULE]
                   [--epochs N] [--batch B] [--cnn-epochs N] [--ae-epochs N] [--seed S] [--backend cpu|gpu]
      the paper's Table 1 (MLP), Table 3 (CNN) and autoencoder MSE (table 4) beside our runs (CCL and
      backprop, same network, seed and budget; --batch sets the MLPs' batch; --quick: 5 MLP epochs at
      batch 64, 1 CNN and 1 autoencoder epoch); CCL reports its lowest-validation-loss epoch as its code
      does, backprop its best-validation-accuracy epoch as the paper did, and each row shows the other rule
  bpfree repro noprop [--quick] [--datasets mnist,fashion-mnist,cifar10-subset] [--variants dt,ct,fm,backprop]
                      [--embeddings one-hot,learned,prototype] [--epochs N] [--width W] [--limit N]
                      [--inference-steps N] [--seed S] [--backend cpu|gpu]
      NoProp's Table 1 beside our runs at the budget given (default: paper blocks, 1 epoch, 1000 sampler
      steps; --quick: the page's light preset, width 0.25, 1 epoch on 10,000 images, 100 sampler steps)
  bpfree bench noprop [--batch B] [--width W] [--steps N]
      peak device bytes and seconds per step of NoProp-DT vs. backprop through all blocks, CT, FM (GPU)
  bpfree bench [--quick]   kernel throughput on the CPU and the GPU adapter
  bpfree bench forwardgnn [--max-edges N] [--epochs N]
      SF-GCN seconds per epoch on block-model graphs of 10^3..10^6 edges, and peak device bytes of every
      ForwardGNN variant at 1-4 layers on Cora-ML (GPU adapter)
  bpfree info      the GPU adapter wgpu finds
  bpfree list      registered algorithms and datasets

Data is read from www/data unless --data DIR or BPFREE_DATA names another folder.
";

/// Runs the command line `args` (without the program name), writing JSON lines to stdout.
pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("train") => train(&args[1..]),
        Some("info") => info(),
        Some("bench") if args.get(1).map(String::as_str) == Some("forwardgnn") => {
            crate::bench_forwardgnn::run(&args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("noprop") => crate::bench_noprop::run(&args[2..]),
        Some("bench") => crate::bench::run(args.iter().any(|a| a == "--quick")),
        Some("repro") => crate::repro::run(&args[1..]),
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

/// The value following `flag` in `args`, if present.
fn flag_value<'a>(args: &'a [String], names: &[&str]) -> Option<&'a String> {
    args.iter().position(|a| names.contains(&a.as_str())).and_then(|i| args.get(i + 1))
}

fn parse_train(args: &[String]) -> Result<TrainArgs> {
    // The algorithm and dataset pick the defaults (the papers' configurations); the other flags override them.
    let algo = flag_value(args, &["--algo", "--algorithm"]).cloned().unwrap_or_else(|| "backprop".into());
    let dataset = flag_value(args, &["--dataset"]).cloned().unwrap_or_else(|| "moons".into());
    let model = flag_value(args, &["--model"]);
    let gnn = model.and_then(|m| GnnKind::parse(m).ok());
    let arch = model.filter(|_| gnn.is_none()).map(|m| Architecture::parse(m)).transpose()?.unwrap_or_default();
    let mut cfg = RunConfig::preset_for(&algo, &dataset, arch);
    let mut data_dir = std::env::var_os("BPFREE_DATA").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("www/data"));
    let mut lr: Option<f32> = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| Error::invalid("flag", format!("{flag} needs a value")));
        match flag.as_str() {
            "--algo" | "--algorithm" => cfg.algorithm = value()?,
            "--dataset" => cfg.dataset = value()?,
            "--model" => {
                let m = value()?;
                match GnnKind::parse(&m) {
                    Ok(kind) => cfg.graph.model = kind,
                    Err(_) => cfg.arch = Architecture::parse(&m)?,
                }
            }
            "--layers" => cfg.graph.layers = parse(flag, &value()?)?,
            "--fold" => cfg.graph.fold = parse(flag, &value()?)?,
            "--patience" => cfg.graph.patience = parse(flag, &value()?)?,
            "--task" => {
                cfg.graph.link = match value()?.as_str() {
                    "link" | "links" | "lp" => true,
                    "node" | "nodes" | "nc" => false,
                    other => return Err(Error::invalid("--task", format!("`{other}` (use node or link)"))),
                }
            }
            "--epochs" => cfg.epochs = parse(flag, &value()?)?,
            "--seed" => cfg.seed = parse(flag, &value()?)?,
            "--backend" => cfg.backend = BackendChoice::parse(&value()?)?,
            "--batch" => cfg.batch_size = parse(flag, &value()?)?,
            "--lr" => lr = Some(parse(flag, &value()?)?),
            "--feedback-lr" => cfg.ccl.feedback_lr = parse(flag, &value()?)?,
            "--clip" => {
                let c: f32 = parse(flag, &value()?)?;
                cfg.grad_clip = c;
                cfg.ccl.feedback_clip = c;
            }
            "--limit" => cfg.train_limit = parse(flag, &value()?)?,
            "--embedding" => cfg.noprop.embedding = crate::algorithms::noprop::parse_embedding(&value()?)?,
            "--width" => cfg.noprop.width = parse(flag, &value()?)?,
            "--blocks" => cfg.noprop.blocks = parse(flag, &value()?)?,
            "--inference-steps" => cfg.noprop.inference_steps = parse(flag, &value()?)?,
            "--inference-runs" => cfg.noprop.inference_runs = parse(flag, &value()?)?,
            "--validation" => cfg.validation = parse(flag, &value()?)?,
            "--select" => cfg.selection = Selection::parse(&value()?)?,
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
        cfg.ccl.feedback_lr = lr;
    }
    Ok(TrainArgs { cfg, data_dir })
}

fn parse<T: std::str::FromStr>(flag: &str, s: &str) -> Result<T> {
    s.parse().map_err(|_| Error::invalid("flag", format!("{flag}: cannot parse `{s}`")))
}

fn train(args: &[String]) -> Result<()> {
    let TrainArgs { cfg, data_dir } = parse_train(args)?;
    let graph = crate::data::dataset_info(&cfg.dataset)?.kind == crate::data::DatasetKind::Graph;
    let summary = if graph {
        crate::cli_graph::run_graph_training(&cfg, &data_dir, true)?
    } else {
        run_training(&cfg, &data_dir, true)?
    };
    println!("{summary}");
    Ok(())
}

/// Trains `cfg` to the end, printing one JSON line per epoch if `verbose`; returns the summary object (the
/// last line of `bpfree train`). `test_accuracy` is that of the epoch model selection picks (`cfg.selection`:
/// lowest validation loss or highest validation accuracy where the dataset has a validation split, else the
/// last epoch); the test accuracies under both rules are in the summary too.
pub fn run_training(cfg: &RunConfig, data_dir: &Path, verbose: bool) -> Result<serde_json::Value> {
    let start = Instant::now();
    let files = read_files(&cfg.dataset, data_dir)?;
    let data = load_dataset(cfg, &files)?;
    let device = pollster::block_on(Device::open(cfg.backend))?;
    let mut trainer = Trainer::with_dataset(cfg, device, std::sync::Arc::new(data))?;
    let backend = trainer.device().kind();
    let names = trainer.algorithm().local_loss_names();
    for _ in 0..cfg.epochs {
        let m = pollster::block_on(trainer.run_epoch())?;
        if verbose {
            let local: serde_json::Map<String, serde_json::Value> =
                names.iter().cloned().zip(m.local_losses.iter().map(|&v| json!(v))).collect();
            println!(
                "{}",
                json!({"epoch": m.epoch, "steps": m.steps, "train_loss": m.train_loss, "val_loss": m.val_loss,
                       "val_accuracy": m.val_accuracy, "test_loss": m.test_loss,
                       "train_accuracy": m.train_accuracy, "test_accuracy": m.test_accuracy,
                       "local_losses": local, "seconds": start.elapsed().as_secs_f64()})
            );
        }
    }
    // NoProp's samplers are stochastic: Table 1 averages 5 inference runs; report them all.
    let mut runs = Vec::new();
    if cfg.arch == Architecture::NoProp && cfg.noprop.inference_runs > 1 {
        let data = trainer.dataset();
        for _ in 0..cfg.noprop.inference_runs {
            runs.push(f64::from(pollster::block_on(trainer.evaluate(&data.x_test, &data.y_test))?.1));
        }
    }
    let runs_mean = runs.iter().sum::<f64>() / runs.len().max(1) as f64;
    let runs_std = (runs.iter().map(|a| (a - runs_mean).powi(2)).sum::<f64>() / runs.len().max(1) as f64).sqrt();
    let memory = trainer.device().memory();
    let last = trainer.history().last();
    let selected = trainer.selected();
    let by_val_loss = trainer.selected_by(Selection::ValLoss).filter(|m| m.val_loss.is_some());
    let by_val_accuracy = trainer.selected_by(Selection::ValAccuracy).filter(|m| m.val_accuracy.is_some());
    Ok(json!({
        "algo": cfg.algorithm, "dataset": cfg.dataset, "model": cfg.arch.name(), "seed": cfg.seed,
        "backend": backend, "device": trainer.device().describe(), "epochs": trainer.epoch(),
        "steps": trainer.steps(), "batch": cfg.batch_size, "parameters": trainer.parameter_count(),
        "train_examples": trainer.train_len(),
        "train_loss": last.map(|m| m.train_loss), "test_loss": selected.map(|m| m.test_loss),
        "train_accuracy": last.map_or(0.0, |m| m.train_accuracy),
        "test_accuracy": selected.map_or(0.0, |m| m.test_accuracy),
        "selection": cfg.selection.name(), "selected_epoch": selected.map(|m| m.epoch),
        "test_mse": trainer.algorithm().reconstructs().then(|| selected.map(|m| m.test_loss)).flatten(),
        "val_loss": selected.and_then(|m| m.val_loss),
        "final_test_accuracy": last.map_or(0.0, |m| m.test_accuracy),
        "test_accuracy_at_lowest_val_loss": by_val_loss.map(|m| m.test_accuracy),
        "test_accuracy_at_best_val_accuracy": by_val_accuracy.map(|m| m.test_accuracy),
        "peak_device_bytes": memory.peak_live_bytes,
        "noprop": (cfg.arch == Architecture::NoProp).then_some(&cfg.noprop),
        "test_accuracy_runs": (!runs.is_empty()).then_some(&runs),
        "test_accuracy_runs_mean": (!runs.is_empty()).then_some(runs_mean),
        "test_accuracy_runs_std": (!runs.is_empty()).then_some(runs_std),
        "data_dir": data_dir.display().to_string(),
        "seconds": start.elapsed().as_secs_f64(),
    }))
}
