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
