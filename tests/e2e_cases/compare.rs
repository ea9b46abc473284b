//! Backprop beside backprop-free, end to end (issue #32): a CCL run on two moons is pinned by "Compare with
//! backprop", which trains the backprop baseline of the same model, data and seed; both runs are in the runs table
//! and on the charts (the pinned one dashed); Restore loads the pinned run's settings; a graph run compares too; the
//! bare address plays the opening demo (CCL, then backprop, on two moons).
//! Screenshots at 1280 px and 390 px are saved under `target/`.

use crate::webdriver::{serve, Driver, Session};
use serde_json::json;
use std::path::Path;

fn shot(driver: &Driver, s: &Session, name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let png = driver.get(&format!("/session/{}/screenshot", s.id));
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, png.as_str().unwrap()).unwrap();
    std::fs::write(root.join(format!("target/e2e-{name}.png")), png).unwrap();
}

fn select_value(s: &Session, id: &str) -> String {
    s.script(&format!("return document.getElementById('{id}').value;")).as_str().unwrap_or_default().to_string()
}

fn rows(s: &Session) -> usize {
    s.script("return document.querySelectorAll('#runs-table tbody tr').length;").as_u64().unwrap_or(0) as usize
}

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn compare_with_backprop_pins_the_run_and_trains_the_baseline() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    for (w, h) in [(1280, 900), (390, 844)] {
        // a phone's viewport through Chrome's device emulation (a headless window is at least 500 px wide)
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
        ], "mobileEmulation": {"deviceMetrics": {"width": w, "height": h, "pixelRatio": 1.0}}}}}});
        let s = driver.session(caps);
        let url = format!("http://127.0.0.1:{port}/?dataset=moons&algo=ccl&epochs=4&seed=5&backend=cpu&autostart=1");
        driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
        // a 2-D run trains until paused
        s.wait_for("four CCL epochs", 120, |s| s.epoch() >= 4);
        s.click("#train-button");
        s.wait_for("the pause", 10, |s| s.text("#train-button") == "Train");
        // the speed line and the live region for screen readers
        let speed = s.text("#speed");
        let live = s.text("#live-status");
        println!("{w} px: speed line `{speed}`; live region `{live}`");
        assert!(speed.contains(" steps/s · ") && speed.contains(" samples/s · "), "{speed}");
        assert!(live.starts_with("Paused: epoch "), "{live}");
        // hovering the loss chart reads every series out at that epoch; the log scale redraws the lines
        let readout = s.script(
            "const svg = document.querySelector('#loss-chart svg'); const r = svg.getBoundingClientRect(); \
             svg.dispatchEvent(new PointerEvent('pointermove', {clientX: r.right - 10, clientY: r.top + r.height / 2, \
             bubbles: true})); return null;",
        );
        assert_eq!(readout, json!(null));
        s.wait_for("the readout", 5, |s| s.text("#loss-chart .readout").starts_with("epoch "));
        println!("{w} px readout: {}", s.text("#loss-chart .readout"));
        assert!(s.text("#loss-chart .readout").contains("train loss"), "{}", s.text("#loss-chart .readout"));
        let before = s.script("return document.querySelector('#loss-chart polyline').getAttribute('points');");
        s.click("#loss-chart .log-toggle input");
        let after = s.script("return document.querySelector('#loss-chart polyline').getAttribute('points');");
        assert_ne!(before, after, "the log scale redraws the loss");
        assert_eq!(s.text("#compare-run"), "Compare with Backprop (baseline)");
        s.click("#compare-run");
        // the baseline trains as many epochs and pauses
        s.wait_for("the backprop run to pause where CCL stood", 120, |s| {
            select_value(s, "algorithm-select") == "backprop" && s.text("#train-button") == "Train" && s.epoch() > 0
        });
        let pinned = s.script("return +document.querySelector('#runs-table tbody tr').dataset.epochs;");
        assert_eq!(json!(s.epoch()), pinned, "as many epochs as the pinned run");
        let search = s.script("return location.search;").as_str().unwrap_or_default().to_string();
        assert!(search.contains("seed=5"), "{search}");
        assert_eq!(rows(&s), 1, "the CCL run is pinned");
        let table = s.text("#runs-table");
        println!("{w} px runs table after Compare: {table}");
        assert!(table.contains("Counter-current learning · Two moons · seed 5"), "{table}");
        assert!(table.contains("test accuracy"), "{table}");
        let legend = s.text("#loss-chart");
        assert!(legend.contains("Counter-current learning · Two moons · seed 5: train loss"), "{legend}");
        // the backprop run is pinned too; now the button offers the backprop-free side
        s.click("#pin-run");
        s.wait_for("a second row", 10, |s| rows(s) == 2);
        assert_eq!(s.text("#compare-run"), "Compare with Counter-current learning");
        let dashed = s.script("return document.querySelectorAll('#accuracy-chart polyline[stroke-dasharray]').length;");
        assert_eq!(dashed, json!(2), "two pinned runs dashed on the accuracy chart");
        let widths = s.script("return [document.documentElement.scrollWidth, window.innerWidth];");
        println!("{w} px: page width {} in a {}-px window", widths[0], widths[1]);
        s.script("document.getElementById('compare').scrollIntoView(); return null;");
        shot(&driver, &s, &format!("compare-{w}"));
        let wide = s.script(
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > \
             window.innerWidth + 1).slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + \
             Math.round(e.getBoundingClientRect().right));",
        );
        assert!(widths[0].as_f64() <= widths[1].as_f64(), "{w} px scrolls sideways: {widths}; too wide: {wide}");
        // Restore loads the first run's settings; the pins stay
        s.click("#runs-table tbody tr:first-child .restore-run");
        s.wait_for("the CCL settings", 10, |s| select_value(s, "algorithm-select") == "ccl");
        assert_eq!((rows(&s), s.epoch()), (2, 0));
        // "1 batch" trains one mini-batch of the restored run: the epoch bar moves, the epoch does not end
        s.wait_for("the batch button", 10, |s| {
            s.script("return !document.getElementById('batch-button').disabled;") == json!(true)
        });
        s.click("#batch-button");
        s.wait_for("one batch", 20, |s| {
            s.text("#epoch-progress-text").starts_with("Epoch 1: ") && s.text("#epoch-progress-text") != "Epoch 1: 0 %"
        });
        println!("{w} px after one batch: {} ({})", s.text("#epoch-progress-text"), s.text("#speed"));
        assert_eq!((s.epoch(), s.text("#train-button").as_str()), (0, "Train"));
        let errors = s.script("return window.__bpfreeErrors;");
        assert_eq!(errors, json!([]), "console errors in the page");
        if w != 1280 {
            continue;
        }
        // the bare address plays the opening demo: CCL for 20 epochs, then backprop beside it
        let opened = std::time::Instant::now();
        driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("http://127.0.0.1:{port}/")}));
        s.wait_for("the first plotted number", 30, |s| s.epoch() >= 1);
        let first = opened.elapsed().as_secs_f64();
        s.wait_for("the demo's comparison", 60, |s| {
            rows(s) == 1 && select_value(s, "algorithm-select") == "backprop" && s.text("#train-button") == "Train"
        });
        println!(
            "opening demo: first number after {first:.1} s, comparison complete after {:.1} s (including the adapter \
             probe and self-test); {}",
            opened.elapsed().as_secs_f64(),
            s.text("#runs-table")
        );
        assert_eq!(s.epoch(), 20);
        assert!(s.text("#demo-note").starts_with("Opening demo: counter-current learning"));
        assert!(s.text("#runs-table").contains("Counter-current learning · Two moons · seed 1"));
        shot(&driver, &s, "opening-demo-1280");
        // a graph run: SF against the backprop GCN with the same depth
        let url = format!(
            "http://127.0.0.1:{port}/?dataset=karate&algo=forwardgnn-sf&layers=2&epochs=6&backend=cpu&autostart=1"
        );
        driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
        s.wait_for("the SF run to finish", 120, |s| s.text("#train-button") == "Done");
        s.click("#compare-run");
        s.wait_for("the backprop GCN to finish", 120, |s| {
            select_value(s, "algorithm-select") == "backprop" && s.text("#train-button") == "Done"
        });
        assert_eq!(select_value(&s, "layers-select"), "2", "the same depth");
        let table = s.text("#runs-table");
        println!("graph runs table: {table}");
        assert!(table.contains("ForwardGNN") && table.contains("2 layers"), "{table}");
    }
}
