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

/// `--jobs` lists one command per job; running every line and merging their stdouts gives the whole run's cells
/// (the same folds and numbers), and GNU Parallel runs the same lines where it is installed.
#[test]
fn a_job_list_runs_and_merges_into_the_whole_run() {
    use std::process::Command;
    let bin = env!("CARGO_BIN_EXE_bpfree");
    let root = env!("CARGO_MANIFEST_DIR");
    let cell = ["--datasets", "karate", "--models", "gcn", "--variants", "backprop,sf", "--layers", "1,2"];
    let run = |args: &[&str]| {
        let out = Command::new(bin).args(["repro", "forwardgnn"]).args(args).current_dir(root).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let common: Vec<&str> = cell.iter().copied().chain(["--folds", "0,1", "--epochs", "3"]).collect();
    let lines = run(&[common.as_slice(), &["--jobs"]].concat());
    let lines: Vec<&str> = lines.lines().collect();
    // sf is greedy: one job per fold trains both depths; backprop: one job per fold and depth
    assert_eq!(lines.len(), 2 + 4, "{lines:#?}");
    assert!(lines.contains(
        &"bpfree repro forwardgnn --datasets karate --models gcn --variants sf --layers 1,2 --folds 1 --epochs 3"
    ));
    let dir = std::env::temp_dir().join(format!("bpfree-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(&words[..3], ["bpfree", "repro", "forwardgnn"]);
        let path = dir.join(format!("job{i}.jsonl"));
        std::fs::write(&path, run(&words[3..])).unwrap();
        files.push(path.to_str().unwrap().to_string());
    }
    // the cells without their wall-clock seconds
    let cells = |stdout: &str| -> Vec<serde_json::Value> {
        stdout
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v.get("summary").is_none())
            .map(|mut v| {
                v.as_object_mut().unwrap().retain(|k, _| !k.contains("seconds"));
                v
            })
            .collect()
    };
    let merged = run(&[&["--merge"][..], &files.iter().map(String::as_str).collect::<Vec<_>>()].concat());
    let whole = run(&common);
    assert_eq!(cells(&merged), cells(&whole), "the merged jobs are the whole run");
    assert_eq!(cells(&whole).len(), 4, "two variants at two depths");
    // the Slurm array script, one task after another as Slurm would run them (SLURM_ARRAY_TASK_ID = 1..N)
    let bin_dir = std::path::Path::new(bin).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let list = dir.join("jobs.txt");
    std::fs::write(&list, lines.join("\n") + "\n").unwrap();
    let slurm_out = dir.join("slurm");
    for task in 1..=lines.len() {
        let status = Command::new("bash")
            .args(["scripts/slurm-forwardgnn.sh", list.to_str().unwrap(), slurm_out.to_str().unwrap()])
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .env("PATH", &path)
            .current_dir(root)
            .status()
            .unwrap();
        assert!(status.success(), "slurm task {task}");
    }
    let outputs: Vec<String> = (1..=lines.len()).map(|i| format!("{}/job-{i}.jsonl", slurm_out.display())).collect();
    let merged = run(&[&["--merge"][..], &outputs.iter().map(String::as_str).collect::<Vec<_>>()].concat());
    assert_eq!(cells(&merged), cells(&whole), "the jobs run by the Slurm array script");
    // GNU Parallel, where installed: the same lines, the binary found on PATH
    let parallel = Command::new("parallel").arg("--version").output().is_ok_and(|o| o.status.success());
    if !parallel {
        eprintln!("skipped the GNU Parallel run: `parallel` is not installed (Debian package parallel)");
    } else {
        let out_dir = dir.join("parallel");
        std::fs::create_dir_all(&out_dir).unwrap();
        let mut child = Command::new("parallel")
            .args(["--will-cite", "--jobs", "2", &format!("{{}} > {}/job{{#}}.jsonl", out_dir.display())])
            .env("PATH", path)
            .current_dir(root)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(lines.join("\n").as_bytes()).unwrap();
        assert!(child.wait().unwrap().success(), "parallel failed");
        let outputs: Vec<String> = (1..=lines.len()).map(|i| format!("{}/job{i}.jsonl", out_dir.display())).collect();
        let merged = run(&[&["--merge"][..], &outputs.iter().map(String::as_str).collect::<Vec<_>>()].concat());
        assert_eq!(cells(&merged), cells(&whole), "the jobs run by GNU Parallel");
        println!("GNU Parallel ran {} jobs; merged = whole run", lines.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
