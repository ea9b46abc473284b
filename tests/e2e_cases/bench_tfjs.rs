//! The driver of the side-by-side benchmark against TensorFlow.js (`scripts/bench-tfjs.sh`, which builds the page
//! and sets `BPFREE_BENCH_PAGE`; without it this test does nothing): opens `benches/page/` in headless Chromium,
//! waits for its measurements and prints them with the ratios, the browser, the adapter and the machine.

use crate::webdriver::{serve, Driver};
use serde_json::{json, Value};
use std::path::PathBuf;

/// The CPU's model name and the number of cores (Linux), for the table's heading.
fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info.lines().find_map(|l| l.strip_prefix("model name")).map(|m| m.trim_start_matches([' ', '\t', ':']));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{} ({cores} cores)", model.unwrap_or("unknown CPU"))
}

/// A row's throughput: samples/s (the MLP), steps/s (the page's presets) or epochs/s (graphs).
fn value(r: &Value) -> f64 {
    ["samples_per_s", "steps_per_s", "epochs_per_s"].iter().find_map(|k| r[*k].as_f64()).unwrap_or(0.0)
}

fn speed(r: &Value) -> String {
    match (r["samples_per_s"].as_f64(), r["steps_per_s"].as_f64()) {
        (Some(v), _) => format!("{v:.0} samples/s"),
        (None, Some(v)) => format!("{v:.1} steps/s"),
        _ => format!("{:.2} epochs/s", value(r)),
    }
}

#[test]
#[ignore = "run by scripts/bench-tfjs.sh (needs the benchmark page and chromium)"]
fn bench_against_tfjs() {
    let Some(page) = std::env::var_os("BPFREE_BENCH_PAGE").map(PathBuf::from) else {
        eprintln!("skipped: BPFREE_BENCH_PAGE is not set (run scripts/bench-tfjs.sh)");
        return;
    };
    let steps = std::env::var("BPFREE_BENCH_STEPS").unwrap_or_else(|_| "100".into());
    let port = serve(page);
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--enable-unsafe-webgpu", "--window-size=1280,860"
    ]}}}});
    let s = driver.session(caps);
    driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("http://127.0.0.1:{port}/?steps={steps}")}));
    s.wait_for("the measurements", 1800, |s| s.script("return window.benchResults || null;") != Value::Null);
    let out = s.script("return window.benchResults;");
    assert!(out.get("error").is_none(), "the page failed: {}", out["error"]);
    let info = &out["info"];
    println!("machine: {}", machine());
    println!("browser: {}", info["userAgent"].as_str().unwrap_or("?"));
    println!("adapter: {}", info["adapter"].as_str().unwrap_or("?"));
    println!("cross-origin isolated (threads possible): {}", info["crossOriginIsolated"]);
    println!("| library | backend | benchmark | throughput |");
    println!("|---|---|---|---:|");
    let rows = out["results"].as_array().cloned().unwrap_or_default();
    for r in &rows {
        println!(
            "| {} | {} | {} | {} |",
            r["library"].as_str().unwrap_or("?"),
            r["backend"].as_str().unwrap_or("?"),
            r["benchmark"].as_str().unwrap_or("?"),
            speed(r)
        );
    }
    for pair in rows.windows(2) {
        let tfjs = pair[1]["library"].as_str().is_some_and(|l| l.starts_with("TF.js"));
        if let ([ours, theirs], true) = (pair, tfjs) {
            let ratio = value(ours) / value(theirs).max(1e-9);
            println!(
                "ratio bpfree / TF.js, {} on {}: {ratio:.2}x",
                ours["benchmark"].as_str().unwrap_or("?"),
                ours["backend"].as_str().unwrap_or("?")
            );
        }
    }
}
