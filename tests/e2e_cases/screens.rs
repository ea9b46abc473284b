//! Screenshots at desktop and phone sizes, for looking at (not asserting much beyond no horizontal scrolling): the
//! NoProp view at 1280 px, the two-moons page at 390 × 844, a CCL image run in the dark theme, and drawn points with
//! the "Your data" panel on a phone. Saved under
//! `target/`.

use crate::webdriver::{serve, Driver};
use serde_json::json;
use std::path::Path;

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn desktop_and_phone_screens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    for (w, h, name, query) in [
        (
            1280,
            860,
            "noprop-1280",
            "?dataset=mnist&algo=noprop-dt&model=noprop&width=0.25&limit=256&epochs=1&backend=cpu&autostart=1",
        ),
        (390, 844, "phone-390", "?dataset=moons&backend=cpu&autostart=1"),
        (1280, 860, "dark-1280", "?dataset=mnist&algo=ccl&limit=256&epochs=2&backend=cpu&autostart=1"),
        // drawn points (ringed) and the "Your data" panel open, on a phone
        (390, 844, "phone-own-data", "?dataset=moons&backend=cpu&drawn=0.5:0.5:0,-0.5:-0.5:1,1:-1:0&autostart=1"),
    ] {
        // the viewport through Chrome's device emulation (a headless window is at least 500 px wide)
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
            if name.starts_with("dark") { "--force-dark-mode" } else { "--no-first-run" }
        ], "mobileEmulation": {"deviceMetrics": {"width": w, "height": h, "pixelRatio": 1.0}}}}}});
        let s = driver.session(caps);
        driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("http://127.0.0.1:{port}/{query}")}));
        // the run's view is complete once its trainer is built (NoProp's block-loss legend is the widest part)
        s.wait_for("the run's view", 300, |s| {
            // (before the page mounts there is no epoch counter at all)
            s.script(
                "const e = document.getElementById('epoch-value'); \
                 return !!document.getElementById('local-loss-chart') || (!!e && e.textContent !== '0');",
            ) == json!(true)
        });
        if name == "phone-own-data" {
            s.script(
                "const p = document.getElementById('upload-panel'); p.open = true; p.scrollIntoView(); return null;",
            );
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
        let widths = s.script("return [document.documentElement.scrollWidth, window.innerWidth];");
        println!("{name}: page width {} in a {}-px window", widths[0], widths[1]);
        let shot = driver.get(&format!("/session/{}/screenshot", s.id));
        let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot.as_str().unwrap()).unwrap();
        std::fs::write(root.join(format!("target/e2e-{name}.png")), png).unwrap();
        assert!(widths[0].as_f64() <= widths[1].as_f64(), "{name} scrolls sideways: {widths}");
        // every control has a name a screen reader can say, and every picture a text alternative
        let unnamed = s.script(
            "return [...document.querySelectorAll('select, input, button, canvas, svg[role]')].filter(e => \
             !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim() && \
             e.getClientRects().length).map(e => e.tagName + '#' + e.id);",
        );
        assert_eq!(unnamed, json!([]), "{name}: controls or pictures without a name");
        if name.starts_with("dark") {
            let dark = s.script("return matchMedia('(prefers-color-scheme: dark)').matches;");
            println!("{name}: prefers-color-scheme dark = {dark}");
        }
    }
}
