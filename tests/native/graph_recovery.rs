//! Graph runs recover instead of being lost (issue #30): a kept checkpoint restarts the run — with another learning
//! rate, or on another device — at the same stage with the same weights, results and frozen layers, and a loss that
//! stops being a number pauses the run at that epoch and names what was kept.

use bpfree::config::RunConfig;
use bpfree::data::{parse_graph, NodeTask};
use bpfree::tensor::Device;
use bpfree::train::{GraphEpoch, GraphTrainer};
use std::sync::Arc;

fn cornell() -> Arc<NodeTask> {
    let dir = std::path::Path::new("www/data/graphs/cornell");
    let json = std::fs::read(dir.join("cornell.json")).unwrap();
    let bin = std::fs::read(dir.join("cornell.bin")).unwrap();
    Arc::new(NodeTask::new(&parse_graph("cornell", &json, &bin).unwrap(), 0).unwrap())
}

fn config(algorithm: &str, lr: f32) -> RunConfig {
    let mut cfg = bpfree::algorithms::preset(algorithm, "cornell");
    cfg.graph.layers = 2;
    cfg.epochs = 6;
    cfg.optimizer = cfg.optimizer.with_lr(lr);
    cfg
}

fn epoch(t: &mut GraphTrainer) -> GraphEpoch {
    pollster::block_on(t.run_epoch()).unwrap()
}

/// What an epoch reports, for comparing two runs (`Debug` prints every float exactly).
fn numbers(m: &GraphEpoch) -> String {
    format!("{:?}", (m.stage, m.epoch, &m.losses, m.val_accuracy, m.test_accuracy, &m.finished))
}

#[test]
fn a_restart_at_a_stage_boundary_trains_on_exactly_as_the_run_would() {
    // greedy SF: stage 0 ends after 6 epochs, layer 1 is frozen (its output feeds layer 2); layer 2's optimiser has
    // not stepped yet, so a restart from a checkpoint taken here continues bit for bit on the CPU
    let cfg = config("forwardgnn-sf", 1e-3);
    let mut run = GraphTrainer::new(&cfg, cornell(), Device::Cpu).unwrap();
    run.watch_every_epoch();
    while epoch(&mut run).finished.is_none() {}
    assert_eq!((run.stage(), run.results().len()), (1, 1));
    pollster::block_on(run.checkpoint()).unwrap();
    let mut again = run.restart(&cfg, Device::Cpu).unwrap();
    assert_eq!((again.stage(), again.epochs(), again.results()), (1, run.epochs(), run.results()));
    for _ in 0..6 {
        assert_eq!(numbers(&epoch(&mut again)), numbers(&epoch(&mut run)));
    }
    assert!(run.done() && again.done());
    assert_eq!(again.results(), run.results());
}

#[test]
fn a_restart_mid_stage_keeps_the_weights_counts_and_best_checkpoint() {
    for algorithm in ["forwardgnn-sf-top-input", "backprop", "forwardgnn-ff-vn"] {
        let cfg = config(algorithm, 1e-3);
        let mut run = GraphTrainer::new(&cfg, cornell(), Device::Cpu).unwrap();
        for _ in 0..3 {
            epoch(&mut run);
        }
        pollster::block_on(run.checkpoint()).unwrap();
        let kept = run.last_good().unwrap().clone();
        assert_eq!(kept.epochs, 3, "{algorithm}");
        let mut slower = cfg.clone();
        slower.optimizer = slower.optimizer.with_lr(3e-4);
        let mut again = run.restart(&slower, Device::Cpu).unwrap();
        pollster::block_on(again.checkpoint()).unwrap();
        assert_eq!(again.last_good().unwrap(), &kept, "{algorithm}: the restarted run holds other weights");
        while !again.done() {
            let m = epoch(&mut again);
            assert!(m.losses.iter().all(|(_, v)| v.is_finite()), "{algorithm}: {m:?}");
        }
        assert_eq!(again.epochs(), if algorithm == "forwardgnn-ff-vn" { 12 } else { 6 }, "{algorithm}");
    }
}

#[test]
fn a_restart_refuses_another_model() {
    let cfg = config("forwardgnn-sf", 1e-3);
    let mut run = GraphTrainer::new(&cfg, cornell(), Device::Cpu).unwrap();
    assert!(run.restart(&cfg, Device::Cpu).is_err_and(|e| e.to_string().contains("no good weights")));
    pollster::block_on(run.checkpoint()).unwrap();
    let mut deeper = cfg.clone();
    deeper.graph.layers = 3;
    let err = run.restart(&deeper, Device::Cpu).err().unwrap().to_string();
    assert!(err.contains("the model has 3 layers, the kept weights 2"), "{err}");
}

#[test]
fn the_learning_rate_of_a_graph_run_is_the_configured_one() {
    // the page's learning-rate menu and `--lr` reach the graph learners (the paper's 1e-3 by default)
    let losses = |lr: f32| {
        let mut run = GraphTrainer::new(&config("backprop", lr), cornell(), Device::Cpu).unwrap();
        run.watch_every_epoch();
        (0..3).map(|_| epoch(&mut run).losses[0].1).collect::<Vec<f32>>()
    };
    let (paper, faster) = (losses(1e-3), losses(1e-2));
    assert_eq!(paper[0], faster[0], "the first loss is before any step");
    assert_ne!(paper[2], faster[2]);
}

#[test]
fn a_loss_that_is_not_a_number_pauses_the_run_at_that_epoch() {
    let cfg = config("forwardgnn-sf", 0.01);
    let mut run = GraphTrainer::new(&cfg, cornell(), Device::Cpu).unwrap();
    run.watch_every_epoch();
    for _ in 0..3 {
        epoch(&mut run);
    }
    pollster::block_on(run.checkpoint()).unwrap();
    epoch(&mut run);
    run.poison_for_test(0).unwrap(); // what a step too large does to the weights
                                     // the ReLU hides the NaN from SF's loss (it reads as ln 5, chance), so the weights are checked too
    let why = pollster::block_on(run.checkpoint()).unwrap().expect("NaN weights were kept");
    assert_eq!(run.last_good().unwrap().epochs, 3);
    assert!(
        why.starts_with("Training diverged at epoch 4 (a full-graph step): a weight of layer 1 became NaN"),
        "{why}"
    );
    assert!(why.contains("the weights of epoch 3 are kept: lower the learning rate (now 0.01)"), "{why}");
    let err = pollster::block_on(run.run_epoch()).unwrap_err();
    assert!(matches!(err, bpfree::Error::Diverged(_)), "{err}");
    let mut calmer = cfg.clone();
    calmer.optimizer = calmer.optimizer.with_lr(1e-3);
    let mut again = run.restart(&calmer, Device::Cpu).unwrap();
    assert_eq!(again.epochs(), 3);
    let m = epoch(&mut again);
    assert!(m.diverged.is_none() && m.epoch == 4 && m.losses.iter().all(|(_, v)| v.is_finite()), "{m:?}");
}

#[test]
fn a_loss_that_is_not_a_number_stops_the_epoch_before_validation() {
    // the backprop GCN has no ReLU after its last layer: NaN weights reach the loss
    let cfg = config("backprop", 1e-3);
    let mut run = GraphTrainer::new(&cfg, cornell(), Device::Cpu).unwrap();
    run.watch_every_epoch();
    pollster::block_on(run.checkpoint()).unwrap();
    run.poison_for_test(1).unwrap();
    let m = epoch(&mut run);
    let why = m.diverged.clone().unwrap_or_else(|| panic!("the run did not stop: {m:?}"));
    assert_eq!((m.epoch, m.val_accuracy), (1, None), "no validation of weights that are not numbers");
    assert!(why.starts_with("Training diverged at epoch 1 (a full-graph step): the loss of cross-entropy became NaN"));
    assert!(why.contains("the initial weights are kept"), "{why}");
    assert!(run.restart(&cfg, Device::Cpu).is_ok());
}

#[test]
fn graph_weights_round_trip_through_safetensors_for_every_layer_kind() {
    use bpfree::nn::GnnKind;
    for kind in [GnnKind::Gcn, GnnKind::Sage, GnnKind::Gat] {
        let mut cfg = config("forwardgnn-sf", 1e-3);
        cfg.graph.model = kind;
        let mut run = GraphTrainer::new(&cfg, cornell(), Device::Cpu).unwrap();
        for _ in 0..7 {
            epoch(&mut run);
        }
        let w = pollster::block_on(run.weights()).unwrap();
        let names: Vec<&str> = w.tensors.iter().map(|t| t.name.as_str()).collect();
        assert!(names.contains(&"layers.0.bias") && names.contains(&"layers.1.bias"), "{kind:?}: {names:?}");
        let bytes = bpfree::share::weights::to_safetensors(&w, &cfg).unwrap();
        let read = bpfree::share::weights::from_safetensors(&bytes).unwrap();
        let mut fresh = GraphTrainer::new(&cfg, cornell(), Device::Cpu).unwrap();
        fresh.load_weights(&read.weights).unwrap();
        assert_eq!(pollster::block_on(fresh.weights()).unwrap(), w, "{kind:?}");
        // another layer kind's weights are named, not loaded
        let mut other = config("forwardgnn-sf", 1e-3);
        other.graph.model = if kind == GnnKind::Gcn { GnnKind::Sage } else { GnnKind::Gcn };
        let mut wrong = GraphTrainer::new(&other, cornell(), Device::Cpu).unwrap();
        let err = wrong.load_weights(&w).unwrap_err().to_string();
        assert!(err.contains("layers.0."), "{kind:?}: {err}");
        // only before the first epoch
        let err = run.load_weights(&w).unwrap_err().to_string();
        assert!(err.contains("before the first epoch"), "{err}");
    }
}

#[test]
fn the_command_line_saves_and_continues_from_graph_weights() {
    let dir = std::env::temp_dir().join(format!("bpfree-graph-weights-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sf.safetensors");
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bpfree"))
            .args(["train", "--algo", "forwardgnn-sf", "--dataset", "karate", "--layers", "2", "--epochs", "6"])
            .args(["--backend", "cpu"])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["--save-weights", file.to_str().unwrap()]);
    let bytes = std::fs::read(&file).unwrap();
    let read = bpfree::share::weights::from_safetensors(&bytes).unwrap();
    assert_eq!(read.weights.tensors.len(), 4, "two GCN layers, weight and bias each");
    assert!(read.link.as_deref().is_some_and(|l| l.contains("dataset=karate")), "{:?}", read.link);
    let out = run(&["--weights", file.to_str().unwrap()]);
    assert!(out.lines().next().is_some_and(|l| l.contains("\"loaded\"")), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
