//! `bpfree repro forwardgnn --merge`: partial runs (one fold or one depth per job) pool into the same cells,
//! mean ± std and README rows as one whole run; conflicting or old inputs are refused with a clear message.
#![cfg(not(target_arch = "wasm32"))]

use bpfree::native::repro::cells::{mean_std, Cell};
use bpfree::native::repro::merge::{markdown_rows, pool, within_band};

fn cell(algo: &str, layers: usize, link: bool, trained_layers: usize) -> Cell {
    Cell {
        dataset: "amazon-photo".into(),
        algo: algo.into(),
        model: "sage".into(),
        layers,
        link,
        seed_offset: 0,
        trained_layers,
    }
}

/// The stdout of one `repro forwardgnn` job: one line per depth, then the summary.
fn job(cells: &[(Cell, Vec<(usize, f64)>)], seconds: f64) -> String {
    let mut out: Vec<String> = cells.iter().map(|(c, f)| c.record(f, seconds).to_string()).collect();
    out.push(r#"{"summary": {"cells": 0}}"#.into());
    out.join("\n")
}

#[test]
fn partial_jobs_pool_into_whole_folds() {
    let top = "forwardgnn-lp-ce-top-input";
    let a = job(&[(cell(top, 1, true, 1), vec![(0, 97.1), (1, 97.3)])], 100.0);
    let b = job(&[(cell(top, 1, true, 1), vec![(4, 96.9), (2, 97.0), (3, 97.2)])], 250.0);
    let c = job(&[(cell(top, 2, true, 2), vec![(0, 96.5)])], 40.0);
    let pooled = pool(&[("a".into(), a), ("b".into(), b), ("c".into(), c)]).unwrap();
    assert_eq!(pooled.len(), 2);
    let l1 = &pooled[0];
    assert_eq!(l1.cell.layers, 1);
    assert_eq!(l1.per_fold.iter().map(|f| f.0).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4], "sorted by fold");
    // one run's seconds, summed over the jobs, are the time of every depth of that run
    assert_eq!(l1.seconds, 390.0);
    assert_eq!(pooled[1].seconds, 390.0);
    let (mean, std) = mean_std(&l1.per_fold.iter().map(|f| f.1).collect::<Vec<_>>());
    assert!((mean - 97.1).abs() < 1e-9 && (std - 0.02f64.sqrt()).abs() < 1e-9, "{mean} {std}");
    let record = l1.cell.record(&l1.per_fold, l1.seconds);
    assert_eq!(record["folds"], 5);
    assert_eq!(record["paper_mean"].as_f64(), l1.cell.paper().map(|p| p.0));
    assert!(record["paper_mean"].as_f64().is_some(), "Table 10 has this cell");
}

#[test]
fn a_rerun_fold_may_repeat_but_not_disagree() {
    let sf = cell("forwardgnn-sf", 1, false, 4);
    let same = pool(&[
        ("x".into(), job(&[(sf.clone(), vec![(0, 93.0)])], 1.0)),
        ("y".into(), job(&[(sf.clone(), vec![(0, 93.0)])], 1.0)),
    ])
    .unwrap();
    assert_eq!(same[0].per_fold.len(), 1);
    assert_eq!(same[0].seconds, 1.0, "a rerun that adds no fold adds no seconds");
    let err = pool(&[
        ("x.txt".into(), job(&[(sf.clone(), vec![(0, 93.0)])], 1.0)),
        ("y.txt".into(), job(&[(sf, vec![(0, 92.0)])], 1.0)),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("fold 0") && err.contains("x.txt") && err.contains("y.txt"), "{err}");
}

#[test]
fn greedy_prefixes_of_different_depths_are_not_pooled() {
    let a = job(&[(cell("forwardgnn-sf", 1, false, 4), vec![(0, 93.0)])], 1.0);
    let b = job(&[(cell("forwardgnn-sf", 1, false, 2), vec![(1, 93.5)])], 1.0);
    let err = pool(&[("a".into(), a), ("b".into(), b)]).unwrap_err().to_string();
    assert!(err.contains("2-layer") && err.contains("4-layer"), "{err}");
}

#[test]
fn old_or_foreign_lines_get_a_clear_error() {
    let old =
        r#"{"dataset":"cora-ml","algo":"backprop","model":"gcn","layers":1,"metric":"accuracy","ours_mean":82.0}"#;
    let err = pool(&[("old.txt".into(), old.into())]).unwrap_err().to_string();
    assert!(err.contains("old.txt line 1") && err.contains("older bpfree"), "{err}");
    let err = pool(&[("junk.txt".into(), "\nnot json".into())]).unwrap_err().to_string();
    assert!(err.contains("junk.txt line 2") && err.contains("not a JSON line"), "{err}");
}

#[test]
fn markdown_rows_mark_the_band_and_the_gaps() {
    let top = "forwardgnn-lp-ce-top-input";
    let five: Vec<(usize, f64)> = (0..5).map(|f| (f, 92.0 + f as f64 * 0.1)).collect();
    let lines =
        job(&[(cell(top, 1, true, 1), five), (cell(top, 3, true, 3), vec![(0, 80.0), (1, 81.0), (2, 82.0)])], 12.4);
    let rows = markdown_rows(&pool(&[("j".into(), lines)]).unwrap());
    let p1 = cell(top, 1, true, 1).paper().unwrap();
    let p3 = cell(top, 3, true, 3).paper().unwrap();
    let l1_mark = if (92.2f64 - p1.0).abs() <= 3.0 { "✓" } else { "✗" };
    assert_eq!(
        rows,
        vec![format!(
            "| amazon-photo | SAGE | CE-Top-To-Input | 92.20 ± 0.1 / {:.2} {l1_mark} | – | 81.00 ± 0.8 / {:.2} ✗ (3 folds) | – | 12 s |",
            p1.0, p3.0
        )]
    );
}

#[test]
fn the_band_is_strict_only_for_sf_and_sf_top_input_nodes() {
    assert!(!within_band(&cell("forwardgnn-sf", 1, false, 1), 1.6, 5.0));
    assert!(!within_band(&cell("forwardgnn-sf-top-input", 1, false, 1), -1.6, 5.0));
    assert!(within_band(&cell("forwardgnn-sf-top-loss", 1, false, 1), 2.9, 0.1));
    assert!(within_band(&cell("forwardgnn-ff-vn", 1, false, 1), -20.0, 28.5));
    assert!(!within_band(&cell("backprop", 1, false, 1), 3.1, 1.0));
    assert!(within_band(&cell("forwardgnn-lp-ce", 1, true, 1), 1.6, 0.1), "link cells are never strict");
}

/// The saved partial runs in `repro/forwardgnn/` regenerate the rows of their results page (repro/forwardgnn/README.md) exactly.
#[test]
fn saved_runs_regenerate_the_readme_rows() {
    let dir = std::path::Path::new("repro/forwardgnn");
    let mut inputs = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            inputs.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    inputs.sort();
    assert!(inputs.len() >= 70, "{} saved runs", inputs.len());
    let readme = std::fs::read_to_string("repro/forwardgnn/README.md").unwrap();
    let rows = markdown_rows(&pool(&inputs).unwrap());
    assert!(rows.len() >= 11);
    for row in rows {
        assert!(readme.contains(&row), "repro/forwardgnn/README.md lacks the row the saved runs give:\n{row}");
    }
}
