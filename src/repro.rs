//! `bpfree repro <paper>`: runs the configurations of a paper's tables and prints the paper's numbers beside
//! ours. Each run is an ordinary `bpfree train` run (same defaults, same JSON summary), so any cell can be
//! re-run alone with the command printed beside it.

use crate::cli::run_training;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::tensor::BackendChoice;
use serde_json::json;
use std::path::PathBuf;

/// One cell of a paper's table: mean ± std in percent.
struct PaperCell {
    algo: &'static str,
    dataset: &'static str,
    mean: f32,
    std: f32,
    note: &'static str,
}

/// CCL Table 1 (MLP test accuracy, 5 seeds), spec ccl.md §5. The CIFAR-10 cells are for the full 50,000-image
/// training set; we ship a 4,000-image subset, so those rows are not comparable.
const CCL_TABLE1: &[PaperCell] = &[
    PaperCell { algo: "ccl", dataset: "mnist", mean: 98.13, std: 0.10, note: "" },
    PaperCell { algo: "backprop", dataset: "mnist", mean: 98.19, std: 0.10, note: "" },
    PaperCell { algo: "ccl", dataset: "fashion-mnist", mean: 88.58, std: 0.29, note: "" },
    PaperCell { algo: "backprop", dataset: "fashion-mnist", mean: 89.58, std: 0.25, note: "" },
    PaperCell { algo: "ccl", dataset: "cifar10-subset", mean: 52.73, std: 0.59, note: "paper: full CIFAR-10" },
    PaperCell { algo: "backprop", dataset: "cifar10-subset", mean: 50.03, std: 0.31, note: "paper: full CIFAR-10" },
];

/// Runs `bpfree repro ARGS`.
pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("ccl") => ccl(&args[1..]),
        Some(other) => Err(Error::invalid("repro", format!("`{other}` (papers: ccl)"))),
        None => Err(Error::invalid("repro", "name a paper: `bpfree repro ccl [--quick]`")),
    }
}

fn ccl(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut datasets: Vec<String> = vec!["mnist".into(), "fashion-mnist".into(), "cifar10-subset".into()];
    let mut epochs: Option<usize> = None;
    let mut seed = 1u64;
    let mut backend = BackendChoice::Cpu;
    let data_dir = std::env::var_os("BPFREE_DATA").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("www/data"));
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| Error::invalid("flag", format!("{flag} needs a value")));
        match flag.as_str() {
            "--quick" => {}
            "--datasets" => datasets = value()?.split(',').map(str::to_string).collect(),
            "--epochs" => epochs = Some(value()?.parse().map_err(|_| Error::invalid("flag", "--epochs N"))?),
            "--seed" => seed = value()?.parse().map_err(|_| Error::invalid("flag", "--seed S"))?,
            "--backend" => backend = BackendChoice::parse(&value()?)?,
            other => return Err(Error::invalid("flag", format!("unknown flag `{other}` for repro ccl"))),
        }
    }
    let epochs = epochs.unwrap_or(if quick { 5 } else { 100 });
    let mut rows = Vec::new();
    for cell in CCL_TABLE1.iter().filter(|c| datasets.iter().any(|d| d == c.dataset)) {
        let mut cfg = RunConfig::preset(cell.algo, cell.dataset);
        cfg.epochs = epochs;
        cfg.seed = seed;
        cfg.backend = backend;
        let summary = run_training(&cfg, &data_dir, false)?;
        let ours = summary["test_accuracy"].as_f64().unwrap_or(0.0) as f32 * 100.0;
        let seconds = summary["seconds"].as_f64().unwrap_or(0.0);
        let command = format!(
            "bpfree train --algo {} --dataset {} --epochs {epochs} --seed {seed} --backend {}",
            cell.algo,
            cell.dataset,
            summary["backend"].as_str().unwrap_or("cpu")
        );
        println!(
            "{}",
            json!({"paper": "ccl", "table": 1, "algo": cell.algo, "dataset": cell.dataset, "epochs": epochs,
                   "paper_mean": cell.mean, "paper_std": cell.std, "ours": ours, "difference": ours - cell.mean,
                   "seconds": seconds, "command": command, "summary": summary})
        );
        rows.push((cell, ours, seconds));
    }
    println!("\n| algorithm | dataset | epochs | paper (100 epochs, 5 seeds) | ours (seed {seed}) | difference | seconds | note |");
    println!("|---|---|---:|---:|---:|---:|---:|---|");
    for (cell, ours, seconds) in &rows {
        println!(
            "| {} | {} | {epochs} | {:.2} ± {:.2} | {ours:.2} | {:+.2} | {seconds:.0} | {} |",
            cell.algo,
            cell.dataset,
            cell.mean,
            cell.std,
            ours - cell.mean,
            cell.note
        );
    }
    Ok(())
}
