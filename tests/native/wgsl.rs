//! Every `.wgsl` file under `src/` parses and validates with naga: a shader typo fails plain `cargo test`, with
//! no adapter needed.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

fn wgsl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            wgsl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wgsl") {
            out.push(path);
        }
    }
}

#[test]
fn every_wgsl_file_validates() {
    let mut files = Vec::new();
    wgsl_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    assert!(files.len() >= 10, "found only {} .wgsl files", files.len());
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.emit_to_string(&source)));
        naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty())
            .validate(&module)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.emit_to_string(&source)));
        // One kernel per file, named like the file.
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert!(module.entry_points.iter().any(|e| e.name == stem), "{}: no entry point `{stem}`", path.display());
    }
}
