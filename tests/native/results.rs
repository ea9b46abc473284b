//! Hand-in files (`src/share/results.rs`): the seal holds through any key order or whitespace and breaks when a
//! value changes; broken files are named; `bpfree train --results` writes a file whose link replays the same
//! per-epoch numbers.

use bpfree::data::DataRoot;
use bpfree::native::runs::{run_graph_training, run_training};
use bpfree::share::results::{curves_csv, read_results, seal_of, RESULTS_FORMAT};
use serde_json::Value;

fn spiral() -> bpfree::config::RunConfig {
    let mut cfg = bpfree::algorithms::preset_for("ccl", "spiral", Default::default());
    cfg.epochs = 3;
    cfg.seed = 5;
    cfg.backend = bpfree::tensor::BackendChoice::Cpu;
    cfg
}

#[test]
fn the_seal_holds_through_formatting_and_breaks_on_an_edit() {
    let doc = run_training(&spiral(), &DataRoot::new("www/data"), false).unwrap().results;
    assert_eq!(doc["format"], RESULTS_FORMAT);
    assert_eq!(doc["epochs"].as_array().unwrap().len(), 3);
    assert_eq!(doc["loss_names"].as_array().unwrap().len(), 4, "CCL's per-pair local losses on the 16x16 MLP");
    let pretty = serde_json::to_string_pretty(&doc).unwrap();
    let read = read_results(&pretty).unwrap();
    assert!(read.seal_holds);
    assert_eq!(read.curve.len(), 3);
    assert!(
        read.link.starts_with("?v=1") && read.link.contains("algo=ccl") && read.link.contains("seed=5"),
        "{}",
        read.link
    );

    // compact, and with the keys in reverse order: still holds
    let compact = serde_json::to_string(&doc).unwrap();
    assert!(read_results(&compact).unwrap().seal_holds);
    let reversed = format!(
        "{{{}}}",
        doc.as_object()
            .unwrap()
            .iter()
            .rev()
            .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), v))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    assert!(read_results(&reversed).unwrap().seal_holds);

    // one accuracy nudged: the seal breaks, the file still reads (marked)
    let mut edited = doc.clone();
    edited["epochs"][2]["test_accuracy"] = serde_json::json!(0.99);
    let read = read_results(&serde_json::to_string(&edited).unwrap()).unwrap();
    assert!(!read.seal_holds);
    assert_ne!(seal_of(&edited), doc["sha256"].as_str().unwrap());

    // every number is the f32 the run logged, written shortly (0.1, not 0.10000000149011612)
    assert_eq!(doc["config"]["data"]["noise"], serde_json::json!(0.1));
}

#[test]
fn the_csv_has_a_row_per_epoch_and_the_local_losses() {
    let doc = run_training(&spiral(), &DataRoot::new("www/data"), false).unwrap().results;
    let csv = curves_csv(&doc);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[0].starts_with(
            "epoch,steps,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,seconds,local:"
        ),
        "{}",
        lines[0]
    );
    let header = lines[0].split(',').count();
    assert!(lines[1..].iter().all(|l| l.split(',').count() == header), "{csv}");
    assert!(lines[1].starts_with("1,"), "{csv}");
}

#[test]
fn a_graph_run_records_its_validation_epochs_and_depths() {
    let mut cfg = bpfree::algorithms::preset_for("forwardgnn-sf", "karate", Default::default());
    cfg.backend = bpfree::tensor::BackendChoice::Cpu;
    cfg.graph.layers = 2;
    let doc = run_graph_training(&cfg, &DataRoot::new("www/data"), false, &Default::default()).unwrap().results;
    assert_eq!(doc["selected"]["depths"].as_array().unwrap().len(), 2);
    let epochs = doc["epochs"].as_array().unwrap();
    assert!(epochs.len() > 10 && epochs.iter().all(|e| e["val_accuracy"].is_number()));
    assert_eq!(doc["loss_names"], serde_json::json!(["layer 1", "layer 2"]));
    assert!(read_results(&doc.to_string()).unwrap().seal_holds);
}

#[test]
fn broken_results_files_are_named() {
    let msg = |text: &str| read_results(text).unwrap_err().to_string();
    assert!(msg("{\"format\": ").contains("not JSON") && msg("{\"format\": ").contains("line 1"));
    assert!(msg("[1, 2]").contains("is this a bpfree results file?"));
    assert!(msg(r#"{"format": "bpfree-results", "version": 7, "link": "?v=1", "epochs": []}"#)
        .contains("version 7 is newer"));
    assert!(msg(r#"{"format": "bpfree-results", "version": 1, "epochs": []}"#).contains("no `link`"));
    assert!(msg(r#"{"format": "bpfree-results", "version": 1, "link": "?", "epochs": [{"x": 1}]}"#)
        .contains("epoch 1 has no `epoch`"));
    let huge = " ".repeat(bpfree::share::results::MAX_RESULTS_BYTES + 1);
    assert!(msg(&huge).contains("the limit is 32 MiB"));
}

#[test]
fn a_rerun_is_compared_epoch_by_epoch() {
    use bpfree::share::results::{compare, Replay};
    let file = [(1, 0.5, 0.8), (2, 0.4, 0.85), (3, 0.3, 0.9)];
    assert_eq!(compare(&file, &[]), Replay::NotYet);
    assert_eq!(compare(&file, &file[..2]), Replay::Exact { through: 2 });
    assert_eq!(compare(&file, &file), Replay::Exact { through: 3 });
    let close = [(1, 0.5, 0.8), (2, 0.400_01, 0.85)];
    assert!(matches!(compare(&file, &close), Replay::Close { through: 2, max_rel } if max_rel < 1e-4));
    let off = [(1, 0.5, 0.8), (2, 0.41, 0.85)];
    assert_eq!(compare(&file, &off), Replay::Differs { epoch: 2, file: (0.4, 0.85), rerun: (0.41, 0.85) });
    assert!(matches!(compare(&file, &[(1, f32::NAN, 0.8)]), Replay::Differs { epoch: 1, .. }));
}

#[test]
fn python_checks_the_same_seal() {
    // the snippet in docs/hand-in.md is scripts/check-seal.py
    let doc_text = std::fs::read_to_string("docs/hand-in.md").unwrap();
    let script = std::fs::read_to_string("scripts/check-seal.py").unwrap();
    let snippet = doc_text.split("```python\n").nth(1).and_then(|s| s.split("```").next()).unwrap();
    assert!(script.ends_with(snippet), "scripts/check-seal.py differs from the snippet in docs/hand-in.md");
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 not installed: the Python seal check is skipped");
        return;
    }
    let mut cfg = spiral();
    cfg.data.noise = 0.00001; // a number Python and Rust write differently (1e-05 / 0.00001)
    let doc = run_training(&cfg, &DataRoot::new("www/data"), false).unwrap().results;
    let path = std::env::temp_dir().join(format!("bpfree-seal-{}.json", std::process::id()));
    for (text, expected) in [
        (serde_json::to_string_pretty(&doc).unwrap(), "seal holds"),
        (serde_json::to_string(&doc).unwrap().replacen("\"epoch\":2", "\"epoch\":2,\"x\":1", 1), "seal broken"),
    ] {
        std::fs::write(&path, text).unwrap();
        let out = std::process::Command::new("python3").arg("scripts/check-seal.py").arg(&path).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected, "{}", String::from_utf8_lossy(&out.stderr));
    }
    std::fs::remove_file(&path).ok();
}
