//! `bpfree bench forwardgnn`: the numbers ForwardGNN's issue asks for, printed, never asserted.
//!
//! - **Scaling**: seconds per epoch of SF-GCN (2 layers, hidden 128) on seeded stochastic-block-model graphs of
//!   10^3 to 10^6 undirected edges (nodes = edges / 5, 5 classes, 100 features), per backend.
//! - **Memory**: peak device bytes (live tensors, the GPU pool's high-water mark) of every variant at 1-4 layers
//!   on Cora-ML, GCN, fold 0, a short run (`--epochs` per stage, default 4, validation included), beside the
//!   paper's Table 8(b) (MB, measured by the authors with PyTorch on an H100, so only the trend compares).

use crate::algorithms::forwardgnn::NodeLearner;
use crate::algorithms::ForwardSf;
use crate::algorithms::{algorithm_info, preset};
use crate::data::{load_graph, stochastic_block_model, NodeTask, SbmOptions};
use crate::error::Result;
use crate::nn::GnnKind;
use crate::rng::Rng;
use crate::tensor::{BackendChoice, Device, Gpu};
use crate::train::GraphTrainer;
use std::sync::Arc;
use std::time::Instant;

/// The paper's CoraML GCN memory (MB) at L = 1..4 (Table 8(b) of the paper, arXiv v1 App. E.1).
const PAPER_MB: &[(&str, [f32; 4])] = &[
    ("backprop", [0.83, 7.99, 10.07, 12.58]),
    ("forwardgnn-ff-la", [25.73, 25.74, 25.74, 25.74]),
    ("forwardgnn-ff-vn", [25.99, 26.14, 26.14, 26.14]),
    ("forwardgnn-sf", [41.56, 41.56, 41.56, 41.56]),
    ("forwardgnn-sf-top-loss", [19.66, 19.25, 20.56, 22.24]),
    ("forwardgnn-sf-top-input", [48.25, 49.47, 49.16, 52.56]),
];

fn sync(device: &Device) -> Result<()> {
    match device {
        Device::Gpu(g) => g.finish(),
        Device::Cpu => Ok(()),
    }
}

/// Runs the benchmark (`args` after `bench forwardgnn`).
pub fn run(args: &[String]) -> Result<()> {
    let flag = |f: &str| args.iter().position(|a| a == f).and_then(|i| args.get(i + 1)).cloned();
    let max_edges: usize = flag("--max-edges").and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let epochs: usize = flag("--epochs").and_then(|v| v.parse().ok()).unwrap_or(4);
    let mut devices = vec![Device::Cpu];
    if let Ok(gpu) = pollster::block_on(Gpu::new()) {
        devices.push(Device::Gpu(gpu));
    }
    println!("## SF-GCN seconds per epoch (2 layers, 128 hidden; SBM graphs)\n");
    println!("| backend | undirected edges | nodes | s / epoch (layer 1) | s / epoch (layer 2) |");
    println!("|---|---:|---:|---:|---:|");
    for device in &devices {
        let mut edges = 1_000;
        while edges <= max_edges {
            let opts = SbmOptions { nodes: edges / 5, edges, classes: 5, features_per_class: 20, homophily: 0.8 };
            let graph = stochastic_block_model(&opts, &mut Rng::new(1));
            let task = NodeTask::new(&graph, 0)?;
            let mut sf = ForwardSf::new(&task, GnnKind::Gcn, 2, device, &mut Rng::new(1))?;
            let mut per_stage = Vec::new();
            for stage in 0..2 {
                sf.train_epoch(stage)?; // warm-up
                sync(device)?;
                let (start, mut n) = (Instant::now(), 0);
                while n < 3 || (start.elapsed().as_secs_f64() < 1.0 && n < 50) {
                    sf.train_epoch(stage)?;
                    n += 1;
                }
                sync(device)?;
                per_stage.push(start.elapsed().as_secs_f64() / n as f64);
                sf.finish_stage(stage)?;
            }
            println!(
                "| {} | {} | {} | {:.4} | {:.4} |",
                device.kind(),
                graph.undirected_edges(),
                graph.num_nodes,
                per_stage[0],
                per_stage[1]
            );
            edges *= 10;
        }
    }
    if !devices.iter().any(|d| matches!(d, Device::Gpu(_))) {
        println!("\nno GPU adapter: the memory table needs one (the CPU backend does not track bytes)");
        return Ok(());
    }
    println!("\n## Peak device bytes, Cora-ML, GCN, fold 0 ({epochs} epochs per stage)\n");
    println!("| variant | L=1 | L=2 | L=3 | L=4 | paper (MB, H100) |");
    println!("|---|---:|---:|---:|---:|---|");
    let data_dir = crate::data::DataRoot::from_env();
    let files = data_dir.read("cora-ml")?;
    let task = Arc::new(NodeTask::new(&load_graph("cora-ml", &files)?, 0)?);
    for (id, paper) in PAPER_MB {
        let info = algorithm_info(id)?;
        let mut cells = Vec::new();
        for layers in 1..=4 {
            let mut cfg = preset(id, "cora-ml");
            cfg.graph.layers = layers;
            cfg.epochs = epochs;
            cfg.backend = BackendChoice::Gpu;
            let device = Device::Gpu(pollster::block_on(Gpu::new())?);
            let mut trainer = GraphTrainer::new(&cfg, Arc::clone(&task), device)?;
            while !trainer.done() {
                pollster::block_on(trainer.run_epoch())?;
            }
            cells.push(format!("{:.1} MB", trainer.device().memory().peak_live_bytes as f64 / 1e6));
        }
        println!(
            "| {} | {} | {} |",
            info.paper_name,
            cells.join(" | "),
            paper.iter().map(|m| format!("{m}")).collect::<Vec<_>>().join(" / ")
        );
    }
    Ok(())
}
