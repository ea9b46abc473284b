//! The presets gallery, end to end (issue #29): the front page shows every demo as a card with a thumbnail; each
//! demo's link opens in the page and trains at least one epoch on the CPU path without an error (image demos on 256
//! training images), beside the lesson
//! of its family (MathML equations, a diagram, an experiment). Screenshots of
//! the gallery at 1280 px and 390 px are saved under `target/`.

use crate::webdriver::{serve, Driver};
use bpfree::share::gallery::DEMOS;
use serde_json::json;
use std::path::Path;

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn every_demo_of_the_gallery_opens_and_trains_an_epoch() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    for (w, h) in [(1280, 900), (390, 844)] {
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"
        ], "mobileEmulation": {"deviceMetrics": {"width": w, "height": h, "pixelRatio": 1.0}}}}}});
        let s = driver.session(caps);
        driver
            .post(&format!("/session/{}/url", s.id), json!({"url": format!("http://127.0.0.1:{port}/?dataset=moons")}));
        s.wait_for_adapter();
        let cards = s.script("return document.querySelectorAll('#gallery a.card svg.thumb').length;");
        assert_eq!(cards, json!(DEMOS.len()), "a card with a thumbnail per demo");
        let widths = s.script("return [document.documentElement.scrollWidth, window.innerWidth];");
        assert!(widths[0].as_f64() <= widths[1].as_f64(), "{w} px scrolls sideways: {widths}");
        s.script("document.getElementById('gallery').scrollIntoView(); return null;");
        let png = driver.get(&format!("/session/{}/screenshot", s.id));
        let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, png.as_str().unwrap()).unwrap();
        std::fs::write(root.join(format!("target/e2e-gallery-{w}.png")), png).unwrap();
        if w != 1280 {
            continue;
        }
        for d in DEMOS {
            // the card's own link, on the CPU path (the software WebGPU adapter would take minutes)
            let href = s.script(&format!("return document.getElementById('demo-{}').getAttribute('href');", d.id));
            assert_eq!(href, json!(format!("?{}", d.query)), "{}", d.id);
            // image demos train on 256 images here (a later key wins): the epoch tested is the demo's own
            // configuration, and CI stays within minutes (NoProp's first epoch on 10,000 images takes ~100 s)
            let image = bpfree::share::read(d.query).is_ok_and(|r| {
                bpfree::data::dataset_info(&r.config.dataset).is_ok_and(|i| i.kind == bpfree::data::DatasetKind::Image)
            });
            let smaller = if image { "&limit=256" } else { "" };
            let url = format!("http://127.0.0.1:{port}/?{}&backend=cpu{smaller}", d.query);
            let opened = std::time::Instant::now();
            driver.post(&format!("/session/{}/url", s.id), json!({"url": url}));
            s.wait_for(d.id, 180, |s| s.epoch() >= 1 || !s.text("#error-banner").is_empty());
            let banner = s.text("#error-banner");
            println!("{}: epoch {} after {:.1} s {banner}", d.id, s.epoch(), opened.elapsed().as_secs_f64());
            assert!(banner.is_empty(), "{}: {banner}", d.id);
            // the lesson of the demo's family: MathML equations, a diagram and an experiment to load
            let lesson = s.script(
                "const l = document.getElementById('lesson'); return l && [l.querySelectorAll('math').length, \
                 l.querySelectorAll('svg.lesson-diagram').length, !!document.getElementById('lesson-try'), \
                 l.querySelector('summary').textContent];",
            );
            assert!(
                lesson[0].as_u64() >= Some(2) && lesson[1] == json!(1) && lesson[2] == json!(true),
                "{}: {lesson}",
                d.id
            );
            if matches!(d.id, "xor-ccl" | "karate-sf" | "mnist-noprop") {
                s.click("#lesson summary");
                s.script("document.getElementById('lesson').scrollIntoView(); return null;");
                let png = driver.get(&format!("/session/{}/screenshot", s.id));
                let png =
                    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, png.as_str().unwrap()).unwrap();
                std::fs::write(root.join(format!("target/e2e-lesson-{}.png", d.id)), png).unwrap();
            }
        }
        assert_eq!(s.script("return window.__bpfreeErrors;"), json!([]), "console errors in the page");
    }
}
