//! A long session in one page: ten runs in a row (other datasets, algorithms and backends, Reset between) leave no
//! device memory behind (the pool is trimmed on Reset), and the WebAssembly and JavaScript heaps stay within a
//! stated bound. Prints every number (the note of issue #30 quotes them).

use crate::webdriver::{serve, Driver, Session};
use serde_json::{json, Value};
use std::path::Path;

fn memory(s: &Session) -> (f64, f64, f64, f64) {
    let m = s.script(
        "const m = window.wasmBindings.bpfreeMemory(); \
         return [m.wasmHeap, m.deviceLive, m.devicePooled, performance.memory ? performance.memory.usedJSHeapSize : 0];",
    );
    let n = |i: usize| m[i].as_f64().unwrap_or(-1.0);
    (n(0), n(1), n(2), n(3))
}

fn choose(s: &Session, select: &str, value: &str) {
    s.script(&format!(
        "const e = document.getElementById('{select}'); e.value = '{value}'; \
         e.dispatchEvent(new Event('change', {{bubbles: true}})); return null;"
    ));
}

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn ten_runs_in_one_page_leave_memory_flat() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--enable-unsafe-webgpu",
        "--enable-precise-memory-info", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("http://127.0.0.1:{port}/?dataset=moons")}));
    let adapter = s.wait_for_adapter();
    let gpu = adapter.starts_with("WebGPU");
    let datasets = ["moons", "spiral", "xor", "circles"];
    let algorithms = ["backprop", "ccl", "feedback-alignment"];
    let mut rows: Vec<Value> = Vec::new();
    for run in 0..10 {
        let (dataset, algorithm) = (datasets[run % 4], algorithms[run % 3]);
        let backend = if gpu && run % 2 == 0 { "gpu" } else { "cpu" };
        choose(&s, "dataset-select", dataset);
        choose(&s, "algorithm-select", algorithm);
        choose(&s, "backend-select", backend);
        for epoch in 1..=2 {
            s.click("#step-button");
            s.wait_for("an epoch", 120, |s| s.epoch() >= epoch || !s.text("#error-banner").is_empty());
        }
        assert_eq!(s.text("#error-banner"), "", "run {run}: {algorithm} on {dataset} ({backend})");
        let trained = memory(&s);
        s.click("#reset-button");
        s.wait_for("the reset", 10, |s| s.epoch() == 0);
        let after = memory(&s);
        println!(
            "run {run:2} {algorithm:>18} on {dataset:<8} {backend}: trained: wasm heap {:.1} MiB, device {:.2} MiB live \
             + {:.2} MiB pooled; after Reset: device {:.2} + {:.2} MiB, JS heap {:.1} MiB",
            trained.0 / 1048576.0,
            trained.1 / 1048576.0,
            trained.2 / 1048576.0,
            after.1 / 1048576.0,
            after.2 / 1048576.0,
            after.3 / 1048576.0
        );
        assert_eq!((after.1, after.2), (0.0, 0.0), "run {run}: device memory left after Reset");
        rows.push(json!([trained.0, after.3]));
    }
    let heap = |i: usize| rows[i][0].as_f64().unwrap();
    let js = |i: usize| rows[i][1].as_f64().unwrap();
    let (heap_growth, js_growth) = (heap(9) - heap(0), js(9) - js(0));
    println!(
        "ten runs: wasm heap {:.1} → {:.1} MiB (+{:.1}), JS heap {:.1} → {:.1} MiB",
        heap(0) / 1048576.0,
        heap(9) / 1048576.0,
        heap_growth / 1048576.0,
        js(0) / 1048576.0,
        js(9) / 1048576.0
    );
    // a wasm heap never shrinks; it may grow once to the largest run's needs, not with every run
    assert!(heap_growth <= 16.0 * 1048576.0, "wasm heap grew by {heap_growth} bytes over ten runs");
    assert!(js_growth <= 32.0 * 1048576.0, "JS heap grew by {js_growth} bytes over ten runs");
}
