//! `bpfree train` on a graph: a [`GraphTrainer`] run printing one JSON line per validation epoch and a
//! summary object last (per-depth results, `test_accuracy` of the deepest model — ROC-AUC for link prediction,
//! also printed as `task.test_auc` — and `peak_device_bytes`). Link runs print a check's test ROC-AUC only
//! where validation improved (see [`GraphTrainer::test_only_on_improvement`]).

use super::{environment, Finished};
use crate::config::RunConfig;
use crate::data::{load_graph, DataRoot, LinkTask, NodeTask};
use crate::error::{Error, Result};
use crate::share::results::{results_json, selected_json};
use crate::tensor::Device;
use crate::train::{GraphEpoch, GraphTarget, GraphTrainer};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// Trains the graph run `cfg` to the end and returns its summary.
/// `io.load` is where training starts (before the first epoch); `io.save` receives the final weights (the best
/// checkpoint of every stage).
pub fn run_graph_training(
    cfg: &RunConfig,
    data_dir: &DataRoot,
    verbose: bool,
    io: &super::WeightsIo,
) -> Result<Finished> {
    let start = Instant::now();
    let files = data_dir.read(&cfg.dataset)?;
    let graph = load_graph(&cfg.dataset, &files)?;
    let target = if cfg.graph.link {
        GraphTarget::Links(Arc::new(LinkTask::new(&graph, cfg.graph.fold)?))
    } else {
        GraphTarget::Nodes(Arc::new(NodeTask::new(&graph, cfg.graph.fold)?))
    };
    let device = pollster::block_on(Device::open(cfg.backend))?;
    let mut trainer = GraphTrainer::with_target(cfg, target.clone(), device)?;
    if let Some((name, w)) = &io.load {
        trainer.load_weights(w).map_err(|e| Error::invalid("--weights", format!("{name}: {e}")))?;
        println!("{}", json!({"loaded": name}));
    }
    // link prediction scores its test pairs in a pass of their own: run it only for the checkpoints the
    // results can report (a per-epoch line's `test_accuracy` is null at the other checks)
    trainer.test_only_on_improvement();
    let names = GraphEpoch::loss_names(cfg);
    let (mut history, mut seconds) = (Vec::new(), Vec::new());
    while !trainer.done() {
        let m = pollster::block_on(trainer.run_epoch())?;
        if let Some(mut point) = m.chart_point(&names, history.last()) {
            if m.test_accuracy.is_none() {
                point.test_accuracy = f32::NAN; // not tested at this check: `null` in the results
            }
            history.push(point);
            seconds.push(start.elapsed().as_secs_f64());
        }
        if let Some((name, loss)) = m.losses.iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::Diverged(format!(
                "training diverged at epoch {}: the loss of {name} is {loss}; lower the learning rate (--lr, now {})",
                m.epoch,
                cfg.optimizer.lr()
            )));
        }
        if verbose && (m.val_accuracy.is_some() || m.finished.is_some()) {
            let losses: serde_json::Map<String, serde_json::Value> =
                m.losses.iter().map(|(n, v)| (n.clone(), json!(v))).collect();
            println!(
                "{}",
                json!({"epoch": m.epoch, "stage": m.stage, "losses": losses, "val_accuracy": m.val_accuracy,
                       "test_accuracy": m.test_accuracy, "seconds": start.elapsed().as_secs_f64(),
                       "finished": m.finished.map(|r| json!({"layers": r.layers, "test_accuracy": r.test_accuracy}))})
            );
        }
    }
    let depths: Vec<serde_json::Value> = trainer
        .results()
        .iter()
        .map(|r| {
            json!({"layers": r.layers, "val_accuracy": r.val_accuracy, "test_accuracy": r.test_accuracy,
                   "epochs": r.epochs, "best_epoch": r.best_epoch})
        })
        .collect();
    let last = trainer.results().last().cloned();
    let split = match &target {
        GraphTarget::Nodes(t) => json!({"task": "node classification", "metric": "accuracy", "split": t.split_source,
            "train_nodes": t.train.len(), "val_nodes": t.val.len(), "test_nodes": t.test.len()}),
        GraphTarget::Links(t) => json!({"task": "link prediction", "metric": "roc_auc",
            "train_pairs": t.train.pairs.len(), "val_pairs": t.val.pairs.len(), "test_pairs": t.test.pairs.len(),
            "test_auc": last.as_ref().map(|r| r.test_accuracy)}),
    };
    if let Some(path) = &io.save {
        let w = pollster::block_on(trainer.weights())?;
        let bytes = crate::share::weights::to_safetensors(&w, cfg)?;
        std::fs::write(path, bytes)
            .map_err(|e| Error::invalid("--save-weights", format!("cannot write {}: {e}", path.display())))?;
        eprintln!("weights: {} ({} tensors, {} bytes)", path.display(), w.tensors.len(), w.bytes());
    }
    let selected = selected_json(cfg, &history, trainer.results());
    let results = results_json(cfg, &history, &names, &seconds, selected, &environment(trainer.device()));
    let summary = json!({
        "algo": cfg.algorithm, "dataset": cfg.dataset, "model": cfg.graph.model.name(), "layers": cfg.graph.layers,
        "fold": cfg.graph.fold, "seed": cfg.seed, "task": split,
        "backend": trainer.device().kind(), "device": trainer.device().describe(),
        "epochs": trainer.epochs(), "parameters": trainer.parameter_count(),
        "test_accuracy": last.as_ref().map(|r| r.test_accuracy),
        "val_accuracy": last.as_ref().map(|r| r.val_accuracy),
        "depths": depths,
        "peak_device_bytes": trainer.device().memory().peak_live_bytes,
        "data_dir": data_dir.dir.display().to_string(), "data_verified": data_dir.verify,
        "seconds": start.elapsed().as_secs_f64(),
    });
    Ok(Finished { summary, results })
}
