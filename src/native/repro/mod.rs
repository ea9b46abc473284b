//! `bpfree repro <paper>`: runs the configurations of a paper's tables and prints the paper's numbers beside
//! ours. Each run is an ordinary `bpfree train` run (same defaults, same JSON summary), so any cell can be
//! re-run alone with the command printed beside it.

pub mod cells;
pub mod forwardgnn;
pub mod merge;
pub mod noprop;

use crate::config::{Architecture, Selection};
use crate::error::{Error, Result};
use crate::native::runs::run_training;
use crate::tensor::BackendChoice;
use serde_json::json;

/// One cell of a paper's table: mean ± std in percent.
struct PaperCell {
    table: u8,
    arch: Architecture,
    algo: &'static str,
    dataset: &'static str,
    mean: f32,
    std: f32,
    note: &'static str,
}

/// The CCL paper's Table 1 (MLP test accuracy, 5 seeds). The CIFAR-10 cells are for the full 50,000-image training set;
/// we ship a 4,000-image subset, so those rows are not comparable. Table 3 (the `cnn_pool` CNN) likewise, CIFAR-10
/// only; "table 4" is the autoencoder of the paper's §4.3 (test MSE). Our rows: repro/ccl/README.md.
const CCL_TABLES: &[PaperCell] = &[
    cell(1, Architecture::Mlp, "ccl", "mnist", 98.13, 0.10, ""),
    cell(1, Architecture::Mlp, "backprop", "mnist", 98.19, 0.10, ""),
    cell(1, Architecture::Mlp, "ccl", "fashion-mnist", 88.58, 0.29, ""),
    cell(1, Architecture::Mlp, "backprop", "fashion-mnist", 89.58, 0.25, ""),
    cell(1, Architecture::Mlp, "ccl", "cifar10-subset", 52.73, 0.59, "paper: full CIFAR-10"),
    cell(1, Architecture::Mlp, "backprop", "cifar10-subset", 50.03, 0.31, "paper: full CIFAR-10"),
    cell(3, Architecture::Cnn, "ccl", "cifar10-subset", 82.94, 0.53, "paper: full CIFAR-10"),
    cell(3, Architecture::Cnn, "backprop", "cifar10-subset", 87.12, 1.76, "paper: full CIFAR-10"),
    // The paper's §4.3: test MSE on STL-10 (x 100 here, to share the table's units); we run MNIST/Fashion-MNIST
    // at 1/8 width.
    cell(4, Architecture::Autoencoder, "ccl", "mnist", 0.86, 0.01, "MSE x100; paper: STL-10 96x96, full width"),
    cell(4, Architecture::Autoencoder, "backprop", "mnist", 0.59, 0.01, "MSE x100; paper: STL-10 96x96, full width"),
    cell(4, Architecture::Autoencoder, "ccl", "fashion-mnist", 0.86, 0.01, "MSE x100; paper: STL-10"),
    cell(4, Architecture::Autoencoder, "backprop", "fashion-mnist", 0.59, 0.01, "MSE x100; paper: STL-10"),
];

const fn cell(
    table: u8,
    arch: Architecture,
    algo: &'static str,
    dataset: &'static str,
    mean: f32,
    std: f32,
    note: &'static str,
) -> PaperCell {
    PaperCell { table, arch, algo, dataset, mean, std, note }
}

/// Runs `bpfree repro ARGS`.
pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("ccl") => ccl(&args[1..]),
        Some("forwardgnn") => forwardgnn::run(&args[1..]),
        Some("noprop") => noprop::run(&args[1..]),
        Some(other) => Err(Error::invalid("repro", format!("`{other}` (papers: ccl, forwardgnn, noprop)"))),
        None => Err(Error::invalid("repro", "name a paper: `bpfree repro ccl [--quick]`")),
    }
}

fn ccl(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut datasets: Vec<String> = vec!["mnist".into(), "fashion-mnist".into(), "cifar10-subset".into()];
    let mut epochs: Option<usize> = None;
    let mut cnn_epochs: Option<usize> = None;
    let mut ae_epochs: Option<usize> = None;
    let mut mlp_batch: Option<usize> = None;
    let mut tables: Vec<u8> = vec![1, 3, 4];
    let mut seed = 1u64;
    let mut select: Option<Selection> = None;
    let mut backend = BackendChoice::Cpu;
    let data_dir = crate::data::DataRoot::from_env();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| Error::invalid("flag", format!("{flag} needs a value")));
        match flag.as_str() {
            "--quick" => {}
            "--datasets" => datasets = value()?.split(',').map(str::to_string).collect(),
            "--epochs" => epochs = Some(value()?.parse().map_err(|_| Error::invalid("flag", "--epochs N"))?),
            "--cnn-epochs" => {
                cnn_epochs = Some(value()?.parse().map_err(|_| Error::invalid("flag", "--cnn-epochs N"))?)
            }
            "--batch" => mlp_batch = Some(value()?.parse().map_err(|_| Error::invalid("flag", "--batch B"))?),
            "--ae-epochs" => ae_epochs = Some(value()?.parse().map_err(|_| Error::invalid("flag", "--ae-epochs N"))?),
            "--tables" => {
                tables = value()?
                    .split(',')
                    .map(|t| t.parse().map_err(|_| Error::invalid("flag", "--tables 1,3")))
                    .collect::<Result<_>>()?
            }
            "--seed" => seed = value()?.parse().map_err(|_| Error::invalid("flag", "--seed S"))?,
            "--select" => select = Some(Selection::parse(&value()?)?),
            "--backend" => backend = BackendChoice::parse(&value()?)?,
            other => return Err(Error::invalid("flag", format!("unknown flag `{other}` for repro ccl"))),
        }
    }
    let mlp_epochs = epochs.unwrap_or(if quick { 5 } else { 100 });
    // The CNN costs ~2.5 TFLOP per epoch on the subset: 100 epochs are hours on a CPU.
    let cnn_epochs = cnn_epochs.unwrap_or(if quick { 1 } else { 100 });
    let ae_epochs = ae_epochs.unwrap_or(if quick { 1 } else { 50 });
    // Five epochs at the paper's batch 256 are 1,055 steps, too few for CCL (93 % on MNIST); the quick
    // configuration keeps every other setting and takes 4x the steps with batch 64 (96 %).
    let mlp_batch = mlp_batch.or(if quick { Some(64) } else { None });
    let mut rows = Vec::new();
    let chosen = |c: &&PaperCell| datasets.iter().any(|d| d == c.dataset) && tables.contains(&c.table);
    for cell in CCL_TABLES.iter().filter(chosen) {
        let epochs = match cell.arch {
            Architecture::Cnn => cnn_epochs,
            Architecture::Autoencoder => ae_epochs,
            Architecture::Mlp | Architecture::NoProp => mlp_epochs,
        };
        let mut cfg = crate::algorithms::preset_for(cell.algo, cell.dataset, cell.arch);
        cfg.epochs = epochs;
        if let (Some(batch), Architecture::Mlp) = (mlp_batch, cell.arch) {
            cfg.batch_size = batch;
        }
        cfg.seed = seed;
        cfg.backend = backend;
        if let Some(rule) = select {
            cfg.selection = rule;
        }
        let summary = run_training(&cfg, &data_dir, false)?.summary;
        let metric = if cell.arch == Architecture::Autoencoder { "test_mse" } else { "test_accuracy" };
        let ours = summary[metric].as_f64().unwrap_or(0.0) as f32 * 100.0;
        // CCL reports the epoch with the lowest validation loss, as its code does; the backprop baseline the one with
        // the highest validation accuracy, the rule the paper states (its App. 6.1) for its baselines, which came from
        // another codebase (docs/algorithms/ccl.md, "Where we had to choose"). The row shows the other rule's pick
        // beside it.
        let other_key = match cfg.selection {
            Selection::ValLoss => "test_accuracy_at_best_val_accuracy",
            Selection::ValAccuracy => "test_accuracy_at_lowest_val_loss",
        };
        let other = summary[other_key].as_f64().filter(|_| metric == "test_accuracy").map(|a| a as f32 * 100.0);
        let seconds = summary["seconds"].as_f64().unwrap_or(0.0);
        let command = format!(
            "bpfree train --algo {} --dataset {} --model {} --epochs {epochs} --batch {} --seed {seed} --backend {} --select {}",
            cell.algo,
            cell.dataset,
            cell.arch.name(),
            cfg.batch_size,
            summary["backend"].as_str().unwrap_or("cpu"),
            cfg.selection.name()
        );
        println!(
            "{}",
            json!({"paper": "ccl", "table": cell.table, "algo": cell.algo, "dataset": cell.dataset,
                   "model": cell.arch.name(), "epochs": epochs,
                   "paper_mean": cell.mean, "paper_std": cell.std, "ours": ours, "difference": ours - cell.mean,
                   "selection": cfg.selection.name(), "ours_other_selection": other,
                   "seconds": seconds, "command": command, "summary": summary})
        );
        rows.push((cell, epochs, ours, other, cfg.selection, seconds));
    }
    println!(
        "\n| table | model | algorithm | dataset | epochs | paper (its full budget, 5 seeds) | ours (seed {seed}) | difference | selected by | other rule | seconds | note |"
    );
    println!("|---|---|---|---|---:|---:|---:|---:|---|---:|---:|---|");
    for (cell, epochs, ours, other, selection, seconds) in &rows {
        let other = other.map_or("–".to_string(), |o| format!("{o:.2}"));
        println!(
            "| {} | {} | {} | {} | {epochs} | {:.2} ± {:.2} | {ours:.2} | {:+.2} | {} | {other} | {seconds:.0} | {} |",
            cell.table,
            cell.arch.name(),
            cell.algo,
            cell.dataset,
            cell.mean,
            cell.std,
            ours - cell.mean,
            selection.name(),
            cell.note
        );
    }
    Ok(())
}
