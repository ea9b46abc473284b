//! A soak in one page: 10,000 training steps of one run on WebGPU, device memory and the heaps sampled every 1,000
//! steps, must stay flat (no growth after the first thousand). Long on a software adapter, so `scripts/test.sh`
//! skips it; run it by hand:
//! `cargo test --test e2e soak -- --ignored --nocapture` (after `trunk build --release`).

use crate::webdriver::{serve, Driver};
use serde_json::json;
use std::path::Path;

#[test]
#[ignore = "long (minutes on a software adapter); run by hand"]
fn soak_ten_thousand_steps_in_the_page_stays_flat() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--enable-unsafe-webgpu",
        "--enable-precise-memory-info", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    // moons: 800 training points, batch 32 = 25 steps an epoch; 400 epochs = 10,000 steps
    let url = format!("http://127.0.0.1:{port}/?dataset=moons&backend=gpu&autostart=1");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
    let mut samples = Vec::new();
    for k in 1..=10 {
        let epoch = 40 * k;
        s.wait_for("the next thousand steps", 1800, |s| s.epoch() >= epoch || !s.text("#error-banner").is_empty());
        assert_eq!(s.text("#error-banner"), "");
        let m = s.script(
            "const m = window.wasmBindings.bpfreeMemory(); \
             return [m.wasmHeap, m.deviceLive, m.devicePooled, performance.memory ? performance.memory.usedJSHeapSize : 0];",
        );
        let mib = |i: usize| m[i].as_f64().unwrap_or(-1.0) / 1048576.0;
        println!(
            "{:>6} steps: wasm heap {:.2} MiB, device {:.3} live + {:.3} pooled MiB, JS heap {:.1} MiB",
            k * 1000,
            mib(0),
            mib(1),
            mib(2),
            mib(3)
        );
        samples.push((mib(0), mib(1) + mib(2), mib(3)));
    }
    s.click("#train-button");
    let (first, last) = (samples[0], samples[9]);
    assert!(last.0 - first.0 <= 1.0, "wasm heap grew: {samples:?}");
    assert!(last.1 - first.1 <= 0.01, "device memory grew: {samples:?}");
    assert!(last.2 - first.2 <= 32.0, "JS heap grew: {samples:?}");
}
