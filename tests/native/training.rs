//! End-to-end training: backprop on two moons reaches test accuracy >= 0.95 on both backends, the same
//! seed replays the same run, and every 2-D preset the page offers trains.
#![cfg(not(target_arch = "wasm32"))]

use super::common;

use bpfree::config::RunConfig;
use bpfree::tensor::Device;
use bpfree::train::{EpochMetrics, Trainer};
use pollster::block_on;

fn train(device: Device, epochs: usize) -> Vec<EpochMetrics> {
    let cfg = RunConfig { epochs, ..RunConfig::default() };
    let mut trainer = Trainer::new(&cfg, device).unwrap();
    (0..epochs).map(|_| block_on(trainer.run_epoch()).unwrap()).collect()
}

fn moons_reaches_95(device: &Device) {
    let history = train(device.clone(), 30);
    let last = history.last().unwrap();
    assert!(last.test_accuracy >= 0.95, "{} test accuracy {} after 30 epochs", device.kind(), last.test_accuracy);
    assert!(last.train_loss < history[0].train_loss / 3.0, "loss did not fall: {history:?}");
}

device_test!(moons_test_accuracy_at_least_95, moons_reaches_95);

#[test]
fn same_seed_same_run_on_cpu() {
    assert_eq!(train(Device::Cpu, 3), train(Device::Cpu, 3));
}

#[test]
fn gpu_follows_cpu() {
    // Same seed, same initial weights and batches: the two backends stay within float noise of each other.
    let Some(gpu) = common::gpu() else { return };
    let (a, b) = (train(Device::Cpu, 3), train(gpu, 3));
    for (x, y) in a.iter().zip(&b) {
        assert!((x.train_loss - y.train_loss).abs() < 1e-3, "{x:?} vs {y:?}");
    }
}

#[test]
fn decision_map_covers_the_plane() {
    let mut trainer = Trainer::new(&RunConfig::default(), Device::Cpu).unwrap();
    block_on(trainer.run_epoch()).unwrap();
    let map = block_on(trainer.decision_map(20)).unwrap();
    assert_eq!(map.probability.len(), 400);
    assert!(map.probability.iter().all(|p| (0.0..=1.0).contains(p)));
}

#[test]
fn gpu_memory_stays_flat_over_10000_steps() {
    let Some(gpu) = common::gpu() else { return };
    let cfg = RunConfig { batch_size: 10, ..RunConfig::default() }; // 80 steps per epoch
    let mut trainer = Trainer::new(&cfg, gpu).unwrap();
    let mut after_warmup = None;
    for step in 0..10_000 {
        trainer.step().unwrap();
        if trainer.epoch_complete() {
            block_on(trainer.end_epoch()).unwrap();
        }
        if step == 500 {
            after_warmup = Some(trainer.device().memory());
        }
    }
    let (early, late) = (after_warmup.unwrap(), trainer.device().memory());
    println!("after 500 steps: {early:?}\nafter 10,000 steps: {late:?}");
    assert_eq!(late.created_buffers, early.created_buffers, "new buffers keep being created");
    assert_eq!(late.live_bytes, early.live_bytes, "live device memory grows");
}

/// Every algorithm the page offers on a 2-D dataset builds from the preset the page loads and trains: the page
/// must never answer "Train" with a configuration error (CCL once got the playground's Adam and refused it).
#[test]
fn every_plane_preset_trains() {
    use bpfree::algorithms::ALGORITHMS;
    use bpfree::data::{DatasetKind, DATASETS};
    for d in DATASETS.iter().filter(|d| d.kind == DatasetKind::Plane) {
        for a in ALGORITHMS.iter().filter(|a| a.supports(DatasetKind::Plane)) {
            let cfg = bpfree::algorithms::preset(a.id, d.id);
            let mut trainer = Trainer::new(&cfg, Device::Cpu).unwrap_or_else(|e| panic!("{} on {}: {e}", a.id, d.id));
            let m = block_on(trainer.run_epoch()).unwrap_or_else(|e| panic!("{} on {}: {e}", a.id, d.id));
            assert!(m.train_loss.is_finite(), "{} on {}: {m:?}", a.id, d.id);
        }
    }
}

/// Counter-current learning's 2-D preset (SGD with momentum, see `RunConfig::preset`) learns two moons.
#[test]
fn ccl_plane_preset_learns_moons() {
    let cfg = RunConfig { epochs: 60, ..bpfree::algorithms::preset("ccl", "moons") };
    let mut trainer = Trainer::new(&cfg, Device::Cpu).unwrap();
    let history: Vec<EpochMetrics> = (0..60).map(|_| block_on(trainer.run_epoch()).unwrap()).collect();
    let last = history.last().unwrap();
    assert!(last.test_accuracy >= 0.9, "CCL on moons after 60 epochs: {last:?}");
}
