//! How responsive the page stays while it trains (issue #32's budgets, measured, not asserted beyond sanity): a
//! `PerformanceObserver` for long tasks (main-thread tasks over 50 ms) runs while the page trains on the wasm CPU
//! path (MLP on 1,024 MNIST images, then a whole MNIST epoch with its evaluation; a graph run on Cora) and on WebGPU (two moons; SwiftShader here), and the time from a click on
//! Pause to the page showing it paused. Prints the longest task and the latency. Also: training goes on in a
//! background tab.

use crate::webdriver::{serve, Driver};
use serde_json::json;
use std::path::Path;

const OBSERVE: &str = "window.__long = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) \
     window.__long.push(e.duration); }).observe({type: 'longtask'}); \
     window.__worst = null; try { new PerformanceObserver((list) => { for (const e of list.getEntries()) { \
     if (!window.__worst || e.duration > window.__worst.duration) { window.__worst = { duration: e.duration, \
     blocking: e.blockingDuration, render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0, \
     layout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0, \
     scripts: e.scripts.map((x) => `${x.invoker} ${Math.round(x.duration)} ms (forced layout \
     ${Math.round(x.forcedStyleAndLayoutDuration)} ms)`) }; } } }).observe({type: 'long-animation-frame'}); } \
     catch (e) {} return null;";

/// Clicks Pause and records, in `window.__pauseMs`, the milliseconds until the button reads "Train" again.
const PAUSE: &str = "const b = document.getElementById('train-button'); const t = performance.now(); \
     window.__pauseMs = null; new MutationObserver((_, o) => { if (b.textContent !== 'Pause') { \
     window.__pauseMs = performance.now() - t; o.disconnect(); } }).observe(b, {childList: true, subtree: true, \
     characterData: true}); b.click(); return null;";

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn the_page_stays_responsive_while_it_trains() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--enable-unsafe-webgpu", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    for (what, query, epochs) in [
        ("wasm CPU, MLP on 1,024 MNIST images", "?dataset=mnist&limit=1024&epochs=3&backend=cpu", 2),
        ("wasm CPU, MLP on all 54,000 MNIST training images", "?dataset=mnist&epochs=2&backend=cpu", 1),
        ("wasm CPU, ForwardGNN-SF, 2 layers on Cora", "?dataset=cora&algo=forwardgnn-sf&layers=2&backend=cpu", 20),
        ("WebGPU, two moons", "?dataset=moons&backend=gpu", 3),
    ] {
        driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("http://127.0.0.1:{port}/{query}")}));
        s.wait_for("the Train button", 60, |s| {
            s.script("const b = document.getElementById('train-button'); return !!b && !b.disabled && !document.getElementById('loading');")
                == json!(true)
        });
        s.script(OBSERVE);
        s.click("#train-button");
        s.wait_for("training", 300, |s| s.epoch() >= epochs || !s.text("#error-banner").is_empty());
        assert_eq!(s.text("#error-banner"), "", "{what}");
        s.script(PAUSE);
        s.wait_for("the pause", 30, |s| s.script("return window.__pauseMs;") != serde_json::Value::Null);
        let pause = s.script("return window.__pauseMs;").as_f64().unwrap_or(f64::NAN);
        let long: Vec<f64> = s
            .script("return window.__long;")
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
            .unwrap_or_default();
        let longest = long.iter().copied().fold(0.0, f64::max);
        println!(
            "{what}: {} epochs; {} long tasks (> 50 ms), the longest {longest:.0} ms; Pause shown {pause:.0} ms after the click",
            s.epoch(),
            long.len()
        );
        // where the longest frame went (Long Animation Frames: the scripts that ran, rendering, forced layout)
        println!("  the longest animation frame: {}", s.script("return JSON.stringify(window.__worst);"));
        assert!(pause < 2000.0, "{what}: Pause took {pause} ms");
    }
    assert_eq!(s.script("return window.__bpfreeErrors;"), json!([]), "console errors in the page");
}

/// Training goes on while another tab is in front (the page's loop yields through the event loop instead of
/// animation frames when the tab is hidden): epochs of a two-moons run counted before and after 4 s behind another
/// tab.
#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn training_continues_in_a_background_tab() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    let url = format!("http://127.0.0.1:{port}/?dataset=spiral&backend=cpu&autostart=1");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
    s.wait_for("training", 60, |s| s.epoch() >= 2);
    s.script(
        "window.__hidden = 0; document.addEventListener('visibilitychange', () => { if (document.hidden) \
         window.__hidden += 1; }); return null;",
    );
    let page = driver.get(&format!("/session/{}/window", s.id));
    let before = s.epoch();
    let tab = driver.post(&format!("/session/{}/window/new", s.id), json!({"type": "tab"}));
    let handle = tab["handle"].as_str().unwrap().to_string();
    driver.post(&format!("/session/{}/window", s.id), json!({"handle": handle}));
    driver.post(&format!("/session/{}/url", s.id), json!({"url": "about:blank"}));
    std::thread::sleep(std::time::Duration::from_secs(4));
    driver.post(&format!("/session/{}/window", s.id), json!({"handle": page}));
    let after = s.epoch();
    let hidden = s.script("return window.__hidden;");
    println!("behind another tab for 4 s: epoch {before} -> {after} (the page saw itself hidden {hidden} time(s))");
    assert!(hidden.as_u64().unwrap_or(0) >= 1, "the page was never hidden: the test proves nothing");
    assert!(after >= before + 3, "training stalled in the background: epoch {before} -> {after}");
}
