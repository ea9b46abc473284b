//! The shipped data (`www/data`, served with the page) matches its `SHA256SUMS`, and every file there is listed.
#![cfg(not(target_arch = "wasm32"))]

use sha2::{Digest, Sha256};
use std::path::Path;

#[test]
fn every_checksum_matches() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data");
    let sums = std::fs::read_to_string(root.join("SHA256SUMS")).expect("www/data/SHA256SUMS");
    let mut checked = 0;
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, name) = line.split_once("  ").unwrap_or_else(|| panic!("malformed line: {line}"));
        let bytes = std::fs::read(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, hash, "{name}: checksum mismatch");
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} files listed");
    for dir in ["images", "graphs", "licenses"] {
        assert!(root.join(dir).is_dir(), "www/data/{dir} missing");
    }
    assert!(root.join("DATA.md").is_file());
}

#[test]
fn every_dataset_file_has_a_built_in_checksum() {
    for info in bpfree::data::DATASETS.iter().filter(|d| !d.uploaded()) {
        for file in info.files() {
            assert!(bpfree::data::expected_sha256(&file).is_some(), "{}: {file} has no line in SHA256SUMS", info.id);
        }
    }
    assert_eq!(bpfree::data::SHA256SUMS, include_str!("../../www/data/SHA256SUMS"));
}

#[test]
fn every_dataset_file_has_its_size_compiled_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data");
    for info in bpfree::data::DATASETS.iter().filter(|d| !d.uploaded()) {
        for file in info.files() {
            assert!(bpfree::data::file_size(&file).is_some(), "{}: {file} has no size in src/data/sizes.rs", info.id);
        }
    }
    for &(path, bytes) in bpfree::data::FILE_SIZES {
        assert_eq!(std::fs::metadata(root.join(path)).unwrap().len(), bytes, "{path}: size in src/data/sizes.rs");
    }
}

#[test]
fn a_damaged_or_swapped_file_is_refused_by_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data");
    let dir = std::env::temp_dir().join(format!("bpfree-swapped-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("graphs/karate")).unwrap();
    std::fs::copy(root.join("graphs/karate/karate.json"), dir.join("graphs/karate/karate.json")).unwrap();
    let mut bin = std::fs::read(root.join("graphs/karate/karate.bin")).unwrap();
    assert!(bpfree::data::verify("graphs/karate/karate.bin", &bin).is_ok());
    bin[0] ^= 1;
    std::fs::write(dir.join("graphs/karate/karate.bin"), &bin).unwrap();
    // a SHA256SUMS next to the swapped file, updated to match it, changes nothing: the sums are compiled in
    std::fs::write(dir.join("SHA256SUMS"), format!("{}  graphs/karate/karate.bin\n", bpfree::data::sha256_hex(&bin)))
        .unwrap();
    let msg = bpfree::data::read_files("karate", &dir).unwrap_err().to_string();
    assert!(msg.contains("karate.bin") && msg.contains("checksum mismatch"), "{msg}");
    assert!(msg.contains(bpfree::data::expected_sha256("graphs/karate/karate.bin").unwrap()), "{msg}");
    assert!(msg.contains("--unverified-data"), "{msg}");
    // your own data, knowingly
    let files = bpfree::data::read_files_unverified("karate", &dir).unwrap();
    assert_eq!(files["graphs/karate/karate.bin"], bin);
    let msg = bpfree::data::verify("graphs/nope.bin", b"x").unwrap_err().to_string();
    assert!(msg.contains("nope.bin") && msg.contains("not a shipped data file"), "{msg}");
    std::fs::remove_dir_all(&dir).ok();
}
