//! The driver of the side-by-side benchmark against TensorFlow.js (`scripts/bench-tfjs.sh`, which builds the page
//! and sets `BPFREE_BENCH_PAGE`; without it this test does nothing): opens `benches/page/` in headless Chromium,
//! waits for its measurements and prints them with the ratios, the browser, the adapter and the machine. With
//! `?busy=process` the page asks it, between measurements, for a process spinning on another core (`Spinner`).

use crate::webdriver::{serve, Driver};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::{Child, Command};

/// A shell loop spinning on a core of its own (a busy machine) while it lives.
struct Spinner(Child);

impl Spinner {
    fn start() -> Spinner {
        Spinner(Command::new("sh").args(["-c", "while :; do :; done"]).spawn().expect("start a spinning shell"))
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

/// How the benchmark page labels a backend measured while a Web Worker spins on another core.
const BUSY: &str = ", other core busy";

/// Values grouped by a label, in the order the labels first came.
#[derive(Default)]
struct Groups(Vec<(String, Vec<f64>)>);

impl Groups {
    fn add(&mut self, label: String, v: f64) {
        match self.0.iter_mut().find(|(l, _)| *l == label) {
            Some((_, values)) => values.push(v),
            None => self.0.push((label, vec![v])),
        }
    }
}

/// How many values `v` (not empty) holds, their median, smallest and largest.
fn median_range(mut v: Vec<f64>) -> (usize, f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    (n, median, v[0], v[n - 1])
}

#[test]
#[ignore = "run by scripts/bench-tfjs.sh (needs the benchmark page and chromium)"]
fn bench_against_tfjs() {
    let Some(page) = std::env::var_os("BPFREE_BENCH_PAGE").map(PathBuf::from) else {
        eprintln!("skipped: BPFREE_BENCH_PAGE is not set (run scripts/bench-tfjs.sh)");
        return;
    };
    // the page's query: `steps=N`, optionally `&backends=cpu` (scripts/bench-tfjs.sh builds it)
    let query = std::env::var("BPFREE_BENCH_QUERY").unwrap_or_else(|_| "steps=100".into());
    let port = serve(page);
    let driver = Driver::start();
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--enable-unsafe-webgpu",
        "--window-size=1280,860",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    // extra Chromium flags, e.g. BPFREE_BENCH_CHROME_ARGS="--js-flags=--no-liftoff" (space-separated)
    args.extend(std::env::var("BPFREE_BENCH_CHROME_ARGS").unwrap_or_default().split_whitespace().map(String::from));
    let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": args}}}});
    let s = driver.session(caps);
    driver.post(&format!("/session/{}/url", s.id), json!({"url": format!("http://127.0.0.1:{port}/?{query}")}));
    // the page blocks its thread for seconds at a time while it measures: let each poll wait for it
    driver.post(&format!("/session/{}/timeouts", s.id), json!({"script": 120_000}));
    let (mut spinner, mut busy_rounds): (Option<Spinner>, usize) = (None, 0);
    s.wait_for("the measurements", 1800, |s| {
        // `?busy=process`: the page sets `benchWant` and waits for `benchHave` to match
        let want = s.script("return window.benchWant || null;");
        if want == "busy" && spinner.is_none() {
            spinner = Some(Spinner::start());
            busy_rounds += 1;
        } else if want == "idle" {
            spinner = None;
        }
        if want.is_string() {
            s.script(&format!("window.benchHave = {want};"));
        }
        s.script("return window.benchResults || null;") != Value::Null
    });
    drop(spinner);
    let out = s.script("return window.benchResults;");
    assert!(out.get("error").is_none(), "the page failed: {}", out["error"]);
    let info = &out["info"];
    println!("machine: {}", machine());
    println!("browser: {}", info["userAgent"].as_str().unwrap_or("?"));
    println!("adapter: {}", info["adapter"].as_str().unwrap_or("?"));
    println!("cross-origin isolated (threads possible): {}", info["crossOriginIsolated"]);
    match busy_rounds {
        0 => println!("page query: ?{query}"),
        n => println!("page query: ?{query} ({n} measurements beside a spinning process)"),
    }
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
    // the ratio of each pair of rows (bpfree, then TF.js): several per benchmark with `BPFREE_BENCH_ROUNDS`
    let mut ratios = Groups::default();
    let mut speeds = Groups::default();
    for r in &rows {
        let what = format!("{} on {}", r["benchmark"].as_str().unwrap_or("?"), r["backend"].as_str().unwrap_or("?"));
        speeds.add(format!("{}, {what}", r["library"].as_str().unwrap_or("?")), value(r));
    }
    for pair in rows.windows(2) {
        let tfjs = pair[1]["library"].as_str().is_some_and(|l| l.starts_with("TF.js"));
        let ours_first = pair[0]["library"].as_str() == Some("bpfree");
        if let ([ours, theirs], true) = (pair, tfjs && ours_first) {
            let ratio = value(ours) / value(theirs).max(1e-9);
            let what =
                format!("{} on {}", ours["benchmark"].as_str().unwrap_or("?"), ours["backend"].as_str().unwrap_or("?"));
            println!("ratio bpfree / TF.js, {what}: {ratio:.2}x");
            ratios.add(what, ratio);
        }
    }
    for (what, v) in speeds.0.iter().filter(|(_, v)| v.len() > 1) {
        let (n, median, lo, hi) = median_range(v.clone());
        println!("median over {n} rounds, {what}: {median:.1} (range {lo:.1}-{hi:.1})");
    }
    // `BPFREE_BENCH_BUSY=alternate`: what each library loses with the other core busy, median against median
    for (what, busy) in speeds.0.iter().filter(|(w, _)| w.ends_with(BUSY)) {
        let idle_label = what.trim_end_matches(BUSY);
        if let Some((_, idle)) = speeds.0.iter().find(|(w, _)| w == idle_label) {
            let loss = 1.0 - median_range(busy.clone()).1 / median_range(idle.clone()).1.max(1e-9);
            println!("lost to a busy core (median against median), {idle_label}: {:.1} %", 100.0 * loss);
        }
    }
    for (what, v) in ratios.0.into_iter().filter(|(_, v)| v.len() > 1) {
        let (n, median, lo, hi) = median_range(v);
        println!("median ratio over {n} rounds, {what}: {median:.2}x (range {lo:.2}-{hi:.2}x)");
    }
}
