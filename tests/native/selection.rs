//! Model selection in `bpfree train`'s summary: the run's rule picks the reported epoch (backprop on images:
//! highest validation accuracy, the CCL paper's §4.2; CCL: lowest validation loss, its code's), the other rule's
//! pick is reported beside it, and the rule only changes which epoch is reported, never the training.
#![cfg(not(target_arch = "wasm32"))]

use bpfree::config::{RunConfig, Selection};
use bpfree::native::runs::run_training;
use bpfree::tensor::BackendChoice;

fn small_mnist(algorithm: &str) -> RunConfig {
    let mut cfg = bpfree::algorithms::preset(algorithm, "mnist");
    cfg.model.hidden = vec![16];
    cfg.train_limit = 1000;
    cfg.batch_size = 100;
    cfg.epochs = 4;
    cfg.backend = BackendChoice::Cpu;
    cfg
}

#[test]
fn the_summary_reports_the_runs_rule_and_the_other_one() {
    let cfg = small_mnist("backprop");
    assert_eq!(cfg.selection, Selection::ValAccuracy);
    let by_accuracy = run_training(&cfg, &bpfree::data::DataRoot::new("www/data"), false).unwrap().summary;
    assert_eq!(by_accuracy["selection"], "val-accuracy");
    assert_eq!(by_accuracy["test_accuracy"], by_accuracy["test_accuracy_at_best_val_accuracy"]);
    assert!(by_accuracy["test_accuracy_at_lowest_val_loss"].is_number(), "{by_accuracy}");

    let by_loss_cfg = RunConfig { selection: Selection::ValLoss, ..cfg };
    let by_loss = run_training(&by_loss_cfg, &bpfree::data::DataRoot::new("www/data"), false).unwrap().summary;
    assert_eq!(by_loss["selection"], "val-loss");
    assert_eq!(by_loss["test_accuracy"], by_loss["test_accuracy_at_lowest_val_loss"]);
    // Same seed, same run: only the reported epoch may differ.
    for key in ["test_accuracy_at_lowest_val_loss", "test_accuracy_at_best_val_accuracy", "final_test_accuracy"] {
        assert_eq!(by_accuracy[key], by_loss[key], "{key}");
    }
}

#[test]
fn ccl_keeps_its_codes_rule() {
    let cfg = small_mnist("ccl");
    assert_eq!(cfg.selection, Selection::ValLoss);
    let summary = run_training(&cfg, &bpfree::data::DataRoot::new("www/data"), false).unwrap().summary;
    assert_eq!(summary["selection"], "val-loss");
    assert_eq!(summary["test_accuracy"], summary["test_accuracy_at_lowest_val_loss"]);
}
