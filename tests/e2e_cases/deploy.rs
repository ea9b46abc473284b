//! The built folder works from a sub-path (issue #32, docs/deploy.md): served under `/bpfree/` only, as a project
//! page is, the page loads, fetches and checks a dataset and trains; the time from opening to the Train button
//! being ready with a cold cache is printed. A second visit trains from the browser's copy of the dataset (the Cache
//! API) without downloading it, and the footer names what is kept and lets the reader forget it.

use crate::webdriver::{requests_for, serve_throttled, serve_under, Driver};
use serde_json::json;
use std::path::Path;

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn the_built_page_works_from_a_sub_path() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve_under(root.join("dist"), "/bpfree/");
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    // the request log is shared by every test in this binary: count this test's requests only
    let earlier = requests_for("karate/karate.bin");
    let opened = std::time::Instant::now();
    let url = format!("http://127.0.0.1:{port}/bpfree/?dataset=karate&algo=forwardgnn-sf&layers=2&backend=cpu");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
    s.wait_for("the Train button", 30, |s| {
        s.script("const b = document.getElementById('train-button'); return !!b && !b.disabled;") == json!(true)
    });
    println!(
        "sub-path /bpfree/: Train ready {:.2} s after opening (cold cache, localhost)",
        opened.elapsed().as_secs_f64()
    );
    s.click("#train-button");
    s.wait_for("a trained epoch", 60, |s| s.epoch() >= 1 || !s.text("#error-banner").is_empty());
    assert_eq!(s.text("#error-banner"), "", "the karate club was fetched from data/ under the sub-path");
    let search = s.script("return location.pathname + location.search;");
    assert!(
        search.as_str().unwrap_or_default().starts_with("/bpfree/?"),
        "the link stays under the sub-path: {search}"
    );
    assert_eq!(s.script("return window.__bpfreeErrors;"), json!([]), "console errors in the page");
    // the browser keeps the dataset: a second visit trains without downloading it again, and the footer says so
    let downloads = requests_for("karate/karate.bin");
    assert_eq!(downloads - earlier, 1, "one download on the first visit");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
    s.wait_for("the cache note", 30, |s| s.text("#data-cache").contains("Karate club"));
    println!("second visit: {}", s.text("#data-cache").trim());
    s.click("#train-button");
    s.wait_for("a trained epoch", 60, |s| s.epoch() >= 1 || !s.text("#error-banner").is_empty());
    assert_eq!(s.text("#error-banner"), "");
    assert_eq!(requests_for("karate/karate.bin"), downloads, "the second visit downloaded the graph again");
    s.click("#forget-data");
    s.wait_for("the note to go", 10, |s| s.text("#data-cache").is_empty());
}

/// The download's progress in bytes, with the total known before it starts (the sizes are compiled into the page):
/// MNIST from a server that sends data at 4 MiB/s shows "x of 11.1 MiB (p %)" as it arrives.
#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn a_download_shows_its_progress_in_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve_throttled(root.join("dist"), "/bpfree/", Some(4 << 20));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    let url = format!("http://127.0.0.1:{port}/bpfree/?dataset=mnist&backend=cpu&limit=256");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
    let mut seen: Vec<String> = Vec::new();
    s.wait_for("the download to end", 60, |s| {
        let text = s.text("#loading");
        if text.contains("MiB") && !seen.contains(&text) {
            seen.push(text);
        }
        !seen.is_empty() && s.script("return document.getElementById('loading') === null;") == json!(true)
    });
    println!(
        "{} progress lines, e.g. {:?}",
        seen.len(),
        seen.iter().step_by((seen.len() / 4).max(1)).collect::<Vec<_>>()
    );
    assert!(seen.iter().all(|t| t.contains("of 11.1 MiB")), "{seen:?}");
    assert!(seen.iter().any(|t| !t.contains("(0 %)") && !t.contains("(100 %)")), "no progress between: {seen:?}");
    assert_eq!(s.script("return window.__bpfreeErrors;"), json!([]), "console errors in the page");
}
