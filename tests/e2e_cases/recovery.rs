//! Divergence in the page, end to end: a run whose loss stops being a number pauses at the step it happened, keeps
//! its last good weights and names them; a lower learning rate does not reset it, and Train continues from them.

use crate::webdriver::{serve, Driver};
use serde_json::json;
use std::path::Path;

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn a_diverging_run_pauses_and_continues_at_a_lower_learning_rate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    // CCL without clipping at learning rate 100 overflows within a few steps
    let url = format!("http://127.0.0.1:{port}/?dataset=moons&algo=ccl&lr=100&clip=0&backend=cpu&autostart=1");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
    s.wait_for("the divergence message", 60, |s| s.text("#error-banner").contains("Training diverged at step"));
    let banner = s.text("#error-banner");
    println!("diverged: {banner}");
    assert!(banner.contains("are kept") && banner.contains("lower the learning rate (now 100)"), "{banner}");
    assert_eq!(s.text("#train-button"), "Train", "paused, and Train still offered");
    // a lower learning rate: no reset (the banner goes, the run stays)
    s.script(
        "const l = document.getElementById('lr-select'); l.value = '0.003'; \
         l.dispatchEvent(new Event('change', {bubbles: true})); return null;",
    );
    s.wait_for("the banner to clear", 10, |s| s.text("#error-banner").is_empty());
    s.click("#train-button");
    s.wait_for("two good epochs", 60, |s| s.epoch() >= 2 || !s.text("#error-banner").is_empty());
    let loss: f32 = s.text("#loss-value").parse().unwrap_or(f32::NAN);
    println!("continued at lr 0.003: epoch {}, loss {loss}", s.epoch());
    assert!(loss.is_finite(), "{}", s.text("#error-banner"));
    assert!(s.script("return location.search;").as_str().unwrap_or_default().contains("lr=0.003"));
    s.click("#train-button"); // pause
    let errors = s.script("return window.__bpfreeErrors;");
    assert_eq!(errors, json!([]), "console errors in the page");
}
