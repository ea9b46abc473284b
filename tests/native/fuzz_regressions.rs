//! Replays every input saved under `tests/fuzz_regressions/<target>/` (inputs that once crashed a reader, and the
//! fuzzers' seeds) through the same harness the `cargo fuzz` targets use (`fuzz/harness.rs`): plain `cargo test`
//! catches a regression without nightly Rust or a fuzzer.

#[path = "../../fuzz/harness.rs"]
mod harness;

/// A fuzz target: what it is called and what it runs.
type Target = (&'static str, fn(&[u8]));

#[test]
fn saved_fuzz_inputs_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let targets: [Target; 9] = [
        ("link", harness::link),
        ("idx", harness::idx),
        ("cifar", harness::cifar),
        ("graph", harness::graph),
        ("results", harness::results),
        ("graph_csv", harness::graph_csv),
        ("image_csv", harness::image_csv),
        ("zip", harness::zip),
        ("image_container", harness::image_container),
    ];
    let mut replayed = 0;
    for (name, run) in targets {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{name}: {} panicked", path.display());
            replayed += 1;
        }
    }
    assert!(replayed >= 5, "only {replayed} saved inputs");
}
