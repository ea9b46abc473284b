//! The house rules, checked on the source: no file over 400 lines, layers import downwards only (`data`,
//! `tensor` → `nn` → `config` → `algorithms` → `train` → `share` → `ui` / `native` → `page`), algorithms never touch
//! wgpu or leptos, and no two sibling modules import each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(module path, source)` of every file under `src/`, e.g. `["algorithms", "ccl", "cnn"]`, and of the page's crates
/// (`ui/src/`, `page/src/`) as the modules `ui` and `page`, their paths written as if they were ones: in `ui/`,
/// `crate::x` is `crate::ui::x`, and `bpfree::x` is `crate::x`.
fn modules() -> Vec<(Vec<String>, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for (dir, prefix) in [("src", None), ("ui/src", Some("ui")), ("page/src", Some("page"))] {
        let src = root.join(dir);
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for f in files {
            let rel = f.strip_prefix(&src).unwrap().with_extension("");
            let mut path: Vec<String> = prefix.into_iter().map(str::to_string).collect();
            path.extend(rel.iter().map(|p| p.to_string_lossy().into_owned()));
            if path.last().is_some_and(|p| p == "mod" || p == "lib") {
                path.pop();
            }
            let mut source = std::fs::read_to_string(&f).unwrap();
            if let Some(p) = prefix {
                source = source.replace("crate::", &format!("crate::{p}::")).replace("bpfree_ui::", "crate::ui::");
                source = source.replace("bpfree::", "crate::");
            }
            out.push((path, source));
        }
    }
    out
}

/// The code lines (comments dropped) of a source.
fn code(source: &str) -> impl Iterator<Item = &str> {
    source.lines().map(str::trim).filter(|l| !l.starts_with("//"))
}

/// Top-level modules of the crate that `source` (at `path`) refers to.
fn crate_imports(path: &[String], source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code(source) {
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + 7..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && path.first() != Some(&name) {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_file_over_400_lines() {
    for (path, source) in modules() {
        let n = source.lines().count();
        assert!(n <= 400, "{} has {n} lines", path.join("/"));
    }
}

#[test]
fn layers_import_downwards_only() {
    let rank = |m: &str| match m {
        "error" | "rng" => 0,
        "data" | "tensor" => 1,
        "nn" => 2,
        "config" => 3,
        "algorithms" => 4,
        "train" => 5,
        "share" => 6,
        "ui" | "native" | "bin" => 7,
        "page" => 8,
        _ => 8,
    };
    for (path, source) in modules() {
        let Some(top) = path.first() else { continue };
        for m in crate_imports(&path, source.as_str()) {
            // data and tensor sit side by side (a graph's sparse matrices are tensor ops)
            let side_by_side = rank(top) == 1 && rank(&m) == 1;
            assert!(
                rank(&m) < rank(top) || side_by_side || rank(top) == 8,
                "src/{} ({top}) imports crate::{m}, a layer above it",
                path.join("/")
            );
        }
    }
}

#[test]
fn algorithms_never_touch_wgpu_or_leptos() {
    for (path, source) in modules().into_iter().filter(|(p, _)| p.first().is_some_and(|m| m == "algorithms")) {
        for line in code(&source) {
            assert!(!line.contains("wgpu") && !line.contains("leptos"), "src/{}: {line}", path.join("/"));
        }
    }
}

#[test]
fn no_two_sibling_modules_import_each_other() {
    // edges between sibling modules: `use super::x` and `crate::a::b::x` where the importer is `a::b::y`
    let all = modules();
    let known: BTreeSet<Vec<String>> = all.iter().map(|(p, _)| p.clone()).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (path, source) in &all {
        let Some((_, parent)) = path.split_last() else { continue };
        for line in code(source) {
            let mut targets = Vec::new();
            for (i, _) in line.match_indices("super::") {
                let name: String = line[i + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                targets.push([parent.to_vec(), vec![name]].concat());
            }
            for (i, _) in line.match_indices("crate::") {
                let segs: Vec<String> = line[i + 7..]
                    .split("::")
                    .map(|s| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect())
                    .collect();
                if segs.len() > parent.len() && segs[..parent.len()] == *parent {
                    targets.push(segs[..=parent.len()].to_vec());
                }
            }
            for t in targets {
                if t != *path && known.contains(&t) {
                    edges.entry(path.clone()).or_default().insert(t);
                }
            }
        }
    }
    for (a, targets) in &edges {
        for b in targets {
            assert!(
                !edges.get(b).is_some_and(|t| t.contains(a)),
                "src/{} and src/{} import each other",
                a.join("/"),
                b.join("/")
            );
        }
    }
}
