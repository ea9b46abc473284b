//! Classroom links, end to end: `hide=` hides controls, `lock=` disables them, `goal=` shows the assignment and
//! marks when it is met, the keys stay in the address bar as the run changes, and `embed=1` is the compact page.

use crate::webdriver::{serve, Driver};
use serde_json::json;
use std::path::Path;

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn a_teachers_link_hides_locks_and_sets_a_goal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
    ]}}}});
    let s = driver.session(caps);
    let base = format!("http://127.0.0.1:{port}/");
    let link =
        format!("{base}?dataset=moons&backend=cpu&hide=seed,lr&lock=dataset&goal=test_accuracy%3E%3D0.8&autostart=1");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": link}));
    s.wait_for("the goal", 30, |s| s.text("#goal").contains("Goal: test accuracy ≥ 0.8"));
    let shown = |id: &str| s.script(&format!("return document.getElementById('{id}').offsetParent !== null;"));
    assert_eq!(
        (shown("seed-input"), shown("lr-select"), shown("batch-select")),
        (json!(false), json!(false), json!(true))
    );
    assert_eq!(s.script("return document.getElementById('dataset-select').disabled;"), json!(true));
    s.wait_for("the goal to be met", 120, |s| s.text("#goal").contains("✓ met at epoch"));
    println!("goal: {}", s.text("#goal"));
    // another setting keeps the classroom keys in the address bar
    s.script(
        "const e = document.getElementById('batch-select'); e.value = '64'; \
         e.dispatchEvent(new Event('change', {bubbles: true})); return null;",
    );
    s.wait_for("the new link", 10, |s| {
        s.script("return location.search;").as_str().unwrap_or_default().contains("batch=64")
    });
    let search = s.script("return location.search;").as_str().unwrap_or_default().to_string();
    println!("address bar: {search}");
    assert!(
        search.contains("hide=seed,lr") && search.contains("lock=dataset") && search.contains("goal=test_accuracy"),
        "{search}"
    );
    // allow=: only the listed settings can change, and the goal panel says which
    let allow = format!("{base}?dataset=moons&backend=cpu&allow=lr,seed&goal=test_accuracy%3E%3D0.8");
    driver.post(&format!("/session/{}/url", s.id), json!({"url": allow}));
    s.wait_for("the allowed settings", 30, |s| s.text("#goal-allowed") == "You may change: lr, seed.");
    let disabled = |id: &str| s.script(&format!("return document.getElementById('{id}').disabled;"));
    assert_eq!(
        (disabled("lr-select"), disabled("seed-input"), disabled("dataset-select"), disabled("algorithm-select")),
        (json!(false), json!(false), json!(true), json!(true))
    );
    assert_eq!(disabled("compare-run"), json!(true), "comparing switches the algorithm, which is locked");
    // embed=1: no header, no settings; the picture, the charts and Train
    driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("{base}?dataset=spiral&embed=1")}));
    s.wait_for("the embedded page", 30, |s| s.text("#train-button") == "Train");
    assert_eq!(s.script("return document.querySelector('header').offsetParent === null;"), json!(true));
    assert_eq!(shown("dataset-select"), json!(false));
    assert_eq!(shown("loss-chart"), json!(true));
    let shot = driver.get(&format!("/session/{}/screenshot", s.id));
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot.as_str().unwrap()).unwrap();
    std::fs::write(root.join("target/e2e-embed.png"), png).unwrap();
    let errors = s.script("return window.__bpfreeErrors;");
    assert_eq!(errors, json!([]), "console errors in the page");
}
