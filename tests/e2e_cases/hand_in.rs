//! Hand-in, end to end: results written by the command line are imported into the page, their seal is checked,
//! their link is opened and trained on the page's CPU path, and the page reports whether it reproduces them, for
//! one run per algorithm family; the page's own export is read back with the same reader; an edited file is
//! marked.

use crate::webdriver::{serve, Driver, Session};
use bpfree::share::results::{compare, read_results, Replay};
use serde_json::json;
use std::path::{Path, PathBuf};

/// One run per family: short, on the CPU, so that the page and the command line compute the same thing.
const RUNS: [(&str, &[&str]); 5] = [
    ("backprop", &["--algo", "backprop", "--dataset", "moons", "--epochs", "4", "--seed", "2"]),
    ("ccl", &["--algo", "ccl", "--dataset", "xor", "--epochs", "3", "--seed", "9"]),
    ("feedback-alignment", &["--algo", "feedback-alignment", "--dataset", "spiral", "--epochs", "3", "--seed", "4"]),
    ("forwardgnn", &["--algo", "forwardgnn-sf", "--dataset", "karate", "--layers", "2", "--seed", "1"]),
    (
        "noprop",
        &[
            "--algo",
            "noprop-dt",
            "--dataset",
            "cifar10-subset",
            "--limit",
            "256",
            "--epochs",
            "1",
            "--blocks",
            "2",
            "--width",
            "0.25",
        ],
    ),
];

fn cli_results(name: &str, args: &[&str], dir: &Path) -> PathBuf {
    let path = dir.join(format!("{name}.json"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bpfree"))
        .args(["train", "--backend", "cpu", "--results", path.to_str().unwrap()])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    path
}

/// The page's exported results, read back through a hook on `URL.createObjectURL`.
fn exported(s: &Session, button: &str) -> String {
    s.script(
        "window.__exported = null; if (!window.__hooked) { window.__hooked = true; const orig = URL.createObjectURL; \
         URL.createObjectURL = (b) => { b.text().then(t => window.__exported = t); return orig(b); }; } return null;",
    );
    s.click(button);
    s.wait_for("the export", 20, |s| s.script("return window.__exported;").is_string());
    s.script("return window.__exported;").as_str().unwrap().to_string()
}

#[test]
#[ignore = "needs `trunk build --release` and chromium; run by scripts/test.sh"]
fn page_reproduces_handed_in_results_from_the_command_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("bpfree-hand-in-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = serve(root.join("dist"));
    let driver = Driver::start();
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1200"
    ]}}}});
    let s = driver.session(caps);
    let url = format!("http://127.0.0.1:{port}/");

    for (family, args) in RUNS {
        let file = cli_results(family, args, &dir);
        let cli = read_results(&std::fs::read_to_string(&file).unwrap()).unwrap();
        driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("{url}?dataset=moons")}));
        s.wait_for_adapter();
        s.send_keys("#import-results", file.to_str().unwrap());
        s.wait_for("the imported file", 20, |s| s.text("#imported-seal").contains("Seal holds"));
        s.click("#open-imported");
        s.wait_for("its run to load", 60, |s| s.text("#imported-verdict").contains("train to compare"));
        s.click("#train-button");
        // images and graphs stop at their budget; a 2-D run trains until paused
        let last = cli.curve.last().map_or(1, |c| c.0);
        s.wait_for("the file's epochs", 300, |s| s.epoch() >= last || !s.text("#error-banner").is_empty());
        if s.text("#train-button") == "Pause" {
            s.click("#train-button");
        }
        let verdict = s.text("#imported-verdict");
        println!("{family}: {verdict}");
        assert!(verdict.starts_with("Reproduced"), "{family}: {verdict} / {}", s.text("#error-banner"));

        // the page's export reads back with the same reader, seal intact, and matches the command line's numbers
        let page = read_results(&exported(&s, "#export-json")).unwrap();
        assert!(page.seal_holds, "{family}: the page's own seal");
        assert_eq!(page.doc["config"], cli.doc["config"], "{family}: the same run");
        let replay = compare(&cli.curve, &page.curve);
        println!("{family}: page vs command line: {replay:?}; page on {}", page.doc["environment"]["device"]);
        assert!(matches!(replay, Replay::Exact { .. } | Replay::Close { .. }), "{family}: {replay:?}");
        let csv = exported(&s, "#export-csv");
        assert_eq!(csv.lines().count(), page.curve.len() + 1, "{family}: {csv}");
    }

    // weights: the command line's trained CCL model is imported, the page switches to its run and continues
    // from it as `bpfree train --weights` does; the page's export reads back as the same tensors
    let w = dir.join("ccl.safetensors");
    let cli_args = ["--algo", "ccl", "--dataset", "xor", "--epochs", "2", "--seed", "9", "--backend", "cpu"];
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bpfree"))
        .args(["train", "--save-weights", w.to_str().unwrap()])
        .args(cli_args)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cont = std::process::Command::new(env!("CARGO_BIN_EXE_bpfree"))
        .args(["train", "--weights", w.to_str().unwrap()])
        .args(cli_args)
        .current_dir(root)
        .output()
        .unwrap();
    let cont = String::from_utf8_lossy(&cont.stdout).into_owned();
    let cli_epoch1: serde_json::Value = serde_json::from_str(cont.lines().nth(1).unwrap()).unwrap();
    driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("{url}?dataset=moons")}));
    s.wait_for_adapter();
    s.send_keys("#import-weights", w.to_str().unwrap());
    s.wait_for("the weights to load", 30, |s| s.text("#weights-note").contains("Loaded ccl.safetensors"));
    println!("weights: {}", s.text("#weights-note"));
    s.click("#step-button");
    s.wait_for("one epoch from the weights", 120, |s| s.epoch() >= 1 || !s.text("#error-banner").is_empty());
    let page_loss: f32 = s.text("#loss-value").parse().unwrap();
    let cli_loss = cli_epoch1["train_loss"].as_f64().unwrap() as f32;
    println!("continued from the weights, epoch 1: page {page_loss}, command line {cli_loss}");
    assert!((page_loss - cli_loss).abs() <= 1e-3 * cli_loss.abs().max(1e-3), "{page_loss} vs {cli_loss}");
    s.script(
        "window.__weights = null; const orig = URL.createObjectURL; URL.createObjectURL = (b) => { \
         const r = new FileReader(); r.onload = () => window.__weights = r.result; r.readAsDataURL(b); \
         return orig(b); }; return null;",
    );
    s.click("#export-weights");
    s.wait_for("the weights export", 20, |s| s.script("return window.__weights;").is_string());
    let url_data = s.script("return window.__weights;").as_str().unwrap().to_string();
    let b64 = url_data.split(',').nth(1).unwrap();
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap();
    let page_w = bpfree::share::weights::from_safetensors(&bytes).unwrap();
    let cli_w = bpfree::share::weights::from_safetensors(&std::fs::read(&w).unwrap()).unwrap();
    let names = |f: &bpfree::share::weights::WeightsFile| {
        f.weights.tensors.iter().map(|t| (t.name.clone(), t.shape)).collect::<Vec<_>>()
    };
    assert_eq!(names(&page_w), names(&cli_w));

    // an edited file shows, marked
    let file = dir.join("ccl.json");
    let text =
        std::fs::read_to_string(&file).unwrap().replacen("\"epoch\": 3", "\"epoch\": 3, \"note\": \"edited\"", 1);
    let edited = dir.join("edited.json");
    std::fs::write(&edited, text).unwrap();
    s.send_keys("#import-results", edited.to_str().unwrap());
    s.wait_for("the edited file", 20, |s| s.text("#imported-seal").contains("Seal broken"));
    // a file that is not results is named in the banner, and the run on the page stays
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"hello\": 1}").unwrap();
    s.send_keys("#import-results", junk.to_str().unwrap());
    s.wait_for("the junk file's message", 20, |s| s.text("#error-banner").contains("junk.json"));
    assert!(s.text("#error-banner").contains("is this a bpfree results file?"));
    assert!(s.epoch() >= 1, "the trained run is still there");

    let shot = driver.get(&format!("/session/{}/screenshot", s.id));
    let png = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, shot.as_str().unwrap()).unwrap();
    std::fs::write(root.join("target/e2e-hand-in.png"), png).unwrap();
    let errors = s.script("return window.__bpfreeErrors;");
    assert_eq!(errors, json!([]), "console errors in the page");
    std::fs::remove_dir_all(&dir).ok();
}
