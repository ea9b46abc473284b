//! Running one training natively to the end, printing one JSON object per epoch and a summary object last: what
//! `bpfree train` does, and what `bpfree repro` runs for every cell of a paper's table.

mod graph;

pub use graph::run_graph_training;

use crate::share::results::{results_json, selected_json, Environment};

use crate::config::{Architecture, RunConfig, Selection};
use crate::data::DataRoot;
use crate::error::{Error, Result};
use crate::tensor::Device;
use crate::train::{load_dataset, Trainer};
use serde_json::json;
use std::time::Instant;

/// A finished native run.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The summary object (the last line of `bpfree train`).
    pub summary: serde_json::Value,
    /// The sealed results document (`bpfree train --results FILE`; the same as the page's "Export results").
    pub results: serde_json::Value,
}

/// Where a native run ran, for its results file.
fn environment(device: &Device) -> Environment {
    Environment {
        backend: device.kind().to_string(),
        device: device.describe(),
        client: format!("bpfree CLI on {}/{}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

/// Trains `cfg` to the end, printing one JSON line per epoch if `verbose`; returns the summary object (the
/// last line of `bpfree train`) and the results document. `test_accuracy` is that of the epoch model selection picks (`cfg.selection`:
/// lowest validation loss or highest validation accuracy where the dataset has a validation split, else the
/// last epoch); the test accuracies under both rules are in the summary too.
pub fn run_training(cfg: &RunConfig, data_dir: &DataRoot, verbose: bool) -> Result<Finished> {
    run_training_with(cfg, data_dir, verbose, &WeightsIo::default())
}

/// Weights a run starts from and where it writes its own (`bpfree train --weights IN --save-weights OUT`).
#[derive(Clone, Debug, Default)]
pub struct WeightsIo {
    /// Start from these (read from a safetensors file), named for messages.
    pub load: Option<(String, crate::train::Weights)>,
    /// Write the trained weights here as safetensors.
    pub save: Option<std::path::PathBuf>,
}

/// [`run_training`], starting from `io.load` (evaluated first, printed as a `loaded` line) and writing the final
/// weights to `io.save`.
pub fn run_training_with(cfg: &RunConfig, data_dir: &DataRoot, verbose: bool, io: &WeightsIo) -> Result<Finished> {
    let start = Instant::now();
    let files = data_dir.read(&cfg.dataset)?;
    let data = load_dataset(cfg, &files)?;
    let device = pollster::block_on(Device::open(cfg.backend))?;
    let mut trainer = Trainer::with_dataset(cfg, device, std::sync::Arc::new(data))?;
    if let Some((name, w)) = &io.load {
        trainer.load_weights(w).map_err(|e| Error::invalid("--weights", format!("{name}: {e}")))?;
        let data = trainer.dataset();
        let (loss, accuracy) = pollster::block_on(trainer.evaluate(&data.x_test, &data.y_test))?;
        println!("{}", json!({"loaded": name, "test_loss": loss, "test_accuracy": accuracy}));
    }
    let backend = trainer.device().kind();
    let names = trainer.algorithm().local_loss_names();
    let mut seconds = Vec::new();
    for _ in 0..cfg.epochs {
        let m = pollster::block_on(trainer.run_epoch())?;
        seconds.push(start.elapsed().as_secs_f64());
        if let Some(why) = m.divergence(cfg.optimizer.lr()) {
            return Err(Error::Diverged(why));
        }
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
    if let Some(path) = &io.save {
        let w = pollster::block_on(trainer.weights())?;
        let bytes = crate::share::weights::to_safetensors(&w, cfg)?;
        std::fs::write(path, bytes)
            .map_err(|e| Error::invalid("--save-weights", format!("cannot write {}: {e}", path.display())))?;
        eprintln!("weights: {} ({} tensors, {} bytes)", path.display(), w.tensors.len() + w.host.len(), w.bytes());
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
    let selected_doc = selected_json(cfg, trainer.history(), &[]);
    let results = results_json(cfg, trainer.history(), &names, &seconds, selected_doc, &environment(trainer.device()));
    let summary = json!({
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
        "data_dir": data_dir.dir.display().to_string(),
        "data_verified": data_dir.verify,
        "seconds": start.elapsed().as_secs_f64(),
    });
    Ok(Finished { summary, results })
}
