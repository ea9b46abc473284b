//! The native `bpfree` command. `bpfree train` runs the same [`crate::train::Trainer`] as the page and prints one JSON object
//! per epoch, then a summary object as its last line.

use super::runs::{run_graph_training, run_training_with};
use crate::algorithms::ALGORITHMS;
use crate::config::{Architecture, RunConfig, Selection};
use crate::data::DATASETS;
use crate::error::{Error, Result};
use crate::nn::GnnKind;
use crate::tensor::{BackendChoice, Device};
use serde_json::json;
use std::path::PathBuf;

/// Usage text.
pub const USAGE: &str = "\
bpfree — train neural networks without backpropagation

USAGE:
  bpfree train --algo ALGO --dataset DATASET [--model mlp|cnn|autoencoder] [--epochs N] [--seed S] [--backend auto|cpu|gpu]
               [--batch B] [--lr LR] [--feedback-lr LR] [--clip C] [--limit N] [--hidden 16,16]
               [--activation relu|tanh|sigmoid|elu|gelu|identity] [--points N] [--noise SIGMA] [--data DIR]
               [--select val-loss|val-accuracy] [--unverified-data] [--link URL] [--results FILE]
               [--weights IN.safetensors] [--save-weights OUT.safetensors]
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
  bpfree train --link 'URL or QUERY' [FLAG ...]
      Runs a share link (the page's address, or its ?query) natively: the run the page replays from it. Flags
      after it override its settings; keys it does not know (tracking tags) are ignored with a note on stderr.
      Every setting is checked before anything is allocated; a loss that stops being a number ends the run with
      an error (exit code 2).
  bpfree repro forwardgnn [--quick] [--task node|link] [--datasets cora-ml,...] [--models gcn,sage,gat]
                          [--variants sf,...] [--layers 1,2,3,4] [--folds 0,1,2,3,4] [--epochs N] [--backend ..]
                          [--seed-offset N] [--jobs]
      the paper's node-classification (Tables 3-5) or link-prediction (Tables 9-10) numbers beside ours,
      mean ± std over the folds; fold F runs with seed 10100 + 3F (+ N: another seed set); with --jobs,
      prints one command per job instead (a fold of a greedy variant, a fold at one depth of the others),
      to run with GNU Parallel or a Slurm array and pool with --merge (docs/scale-out.md)
  bpfree repro forwardgnn --merge FILE... [--markdown]
      pools the saved stdout of partial runs (e.g. one `--folds F --layers L` job each) into the tables,
      as if one process had run them; --markdown prints the rows of repro/forwardgnn/README.md
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
  bpfree bench noprop [--batch B] [--width W] [--steps N] [--profile]
      peak device bytes and seconds per step of NoProp-DT vs. backprop through all blocks, CT, FM (GPU);
      --profile: where NoProp-DT's GPU step's time goes, kernel by kernel
  bpfree bench [--quick]   kernel throughput on the CPU and the GPU adapter, and the MLP 784-256-256-10's
      training throughput (the model of the TF.js and candle comparisons)
  bpfree bench mlp [--steps N]   that MLP alone on the CPU (scripts/bench-candle.sh compares it with candle)
  bpfree bench mlp --profile     where its GPU step's time goes, kernel by kernel
  bpfree bench conv [--quick]    the convolution and its gradients, NoProp's layers included, with both
      GPU kernel families
  bpfree bench forwardgnn [--max-edges N] [--epochs N]
      SF-GCN seconds per epoch on block-model graphs of 10^3..10^6 edges, and peak device bytes of every
      ForwardGNN variant at 1-4 layers on Cora-ML (GPU adapter)
  bpfree info      the GPU adapter wgpu finds
  bpfree --version
  bpfree list      registered algorithms and datasets

Data is read from www/data unless --data DIR or BPFREE_DATA names another folder; every file is checked against
the SHA-256 built into bpfree (from www/data/SHA256SUMS) unless --unverified-data (data of your own).
";

/// Runs the command line `args` (without the program name), writing JSON lines to stdout.
pub fn run(args: &[String]) -> Result<()> {
    let command = args.first().map(String::as_str);
    if args.iter().skip(1).any(|a| a == "--help" || a == "-h") {
        print!("{}", help(command.unwrap_or("")));
        return Ok(());
    }
    match command {
        Some("--version" | "-V" | "version") => {
            println!("bpfree {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some("train") => train(&args[1..]),
        Some("info") => info(),
        Some("bench") if args.get(1).map(String::as_str) == Some("forwardgnn") => {
            super::bench::forwardgnn::run(&args[2..])
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("noprop") => super::bench::noprop::run(&args[2..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("mlp") => super::bench::mlp::run(&args[2..]),
        Some("bench") if args.get(1).map(String::as_str) == Some("conv") => super::bench::conv::run(&args[2..]),
        Some("bench") => super::bench::run(args.iter().any(|a| a == "--quick")),
        Some("repro") => super::repro::run(&args[1..]),
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
        Some(other) => Err(Error::invalid("command", format!("`{other}`{}", did_you_mean(other, COMMANDS)))),
    }
}

/// The subcommands.
const COMMANDS: &[&str] = &["train", "repro", "bench", "info", "list", "help", "--version"];

/// The flags of `bpfree train`.
const TRAIN_FLAGS: &[&str] = &[
    "--link",
    "--algo",
    "--algorithm",
    "--dataset",
    "--model",
    "--layers",
    "--fold",
    "--patience",
    "--task",
    "--epochs",
    "--seed",
    "--backend",
    "--batch",
    "--lr",
    "--feedback-lr",
    "--clip",
    "--limit",
    "--embedding",
    "--width",
    "--blocks",
    "--inference-steps",
    "--inference-runs",
    "--validation",
    "--select",
    "--points",
    "--noise",
    "--data",
    "--unverified-data",
    "--results",
    "--weights",
    "--save-weights",
    "--hidden",
    "--activation",
];

/// The usage of `command` (its paragraphs of [`USAGE`]), or all of it.
fn help(command: &str) -> String {
    let head = format!("  bpfree {command}");
    let mut out = String::new();
    let mut keep = false;
    for line in USAGE.lines() {
        if line.starts_with("  bpfree ") {
            keep = !command.is_empty() && line.starts_with(&head);
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    if out.is_empty() {
        USAGE.to_string()
    } else {
        format!(
            "{}\n{out}\nData is read from www/data unless --data DIR or BPFREE_DATA names another folder; every file is checked against\nthe SHA-256 built into bpfree (from www/data/SHA256SUMS) unless --unverified-data (data of your own).\n",
            USAGE.lines().next().unwrap_or("")
        )
    }
}

/// Levenshtein distance between two short words.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// " (did you mean `x`?)" for the closest of `known` within a few edits, else a pointer to `--help`.
fn did_you_mean(word: &str, known: &[&str]) -> String {
    match known.iter().map(|k| (distance(word, k), k)).min() {
        Some((d, k)) if d <= 3.max(word.len() / 3) => format!(" (did you mean `{k}`? `bpfree help` lists them all)"),
        _ => " (`bpfree help` lists them all)".to_string(),
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
    /// `--results FILE`: where the sealed results document goes (and its curves, as CSV beside it).
    results: Option<PathBuf>,
    /// `--weights FILE` / `--save-weights FILE`.
    weights: (Option<PathBuf>, Option<PathBuf>),
    data_dir: crate::data::DataRoot,
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
    let mut cfg = match flag_value(args, &["--link"]) {
        // a share link replaces the preset; the other flags still override it
        Some(link) => {
            let read = crate::share::read(link)?;
            for note in &read.notes {
                eprintln!("note: {note}");
            }
            read.config
        }
        None => crate::algorithms::preset_for(&algo, &dataset, arch),
    };
    let mut data_dir = crate::data::DataRoot::from_env();
    let mut lr: Option<f32> = None;
    let mut results: Option<PathBuf> = None;
    let mut weights: (Option<PathBuf>, Option<PathBuf>) = (None, None);
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
            "--data" => data_dir.dir = PathBuf::from(value()?),
            "--unverified-data" => data_dir.verify = false,
            "--results" => results = Some(PathBuf::from(value()?)),
            "--weights" => weights.0 = Some(PathBuf::from(value()?)),
            "--save-weights" => weights.1 = Some(PathBuf::from(value()?)),
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
            "--link" => {
                value()?; // read above
            }
            other => {
                return Err(Error::invalid(
                    "flag",
                    format!("unknown flag `{other}`{}", did_you_mean(other, TRAIN_FLAGS)),
                ))
            }
        }
    }
    if let Some(lr) = lr {
        cfg.optimizer = cfg.optimizer.with_lr(lr);
        cfg.ccl.feedback_lr = lr;
    }
    cfg.validate()?;
    Ok(TrainArgs { cfg, results, weights, data_dir })
}

fn parse<T: std::str::FromStr>(flag: &str, s: &str) -> Result<T> {
    s.parse().map_err(|_| Error::invalid("flag", format!("{flag}: cannot parse `{s}`")))
}

fn train(args: &[String]) -> Result<()> {
    let TrainArgs { cfg, results, weights, data_dir } = parse_train(args)?;
    let io = super::files::weights_io(weights)?;
    if let Some(path) = &results {
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            return Err(Error::invalid(
                "--results",
                format!("{}: name the JSON file (the CSV is written beside it)", path.display()),
            ));
        }
        // fail before training, not after an hour of it
        std::fs::write(path, b"")
            .map_err(|e| Error::invalid("--results", format!("cannot write {}: {e}", path.display())))?;
    }
    if !data_dir.verify {
        eprintln!("note: the data in {} is not checked against bpfree's built-in checksums", data_dir.dir.display());
    }
    let graph = crate::data::dataset_info(&cfg.dataset)?.kind == crate::data::DatasetKind::Graph;
    let finished = if graph {
        run_graph_training(&cfg, &data_dir, true, &io)?
    } else {
        run_training_with(&cfg, &data_dir, true, &io)?
    };
    if let Some(path) = &results {
        super::files::write_results(path, &finished.results)?;
    }
    println!("{}", finished.summary);
    Ok(())
}
