//! Hand-in: "Export results" (the sealed JSON of `src/share/results.rs`) and "Export CSV" download the run;
//! "Import results" reads a handed-in file (the page's or `bpfree train --results`), says whether its seal holds,
//! draws its curves beside the current run, and, once its link is opened and trained, whether the rerun
//! reproduces it epoch by epoch.

use super::{train_loop, Session, TrainState};
use bpfree::config::RunConfig;
use bpfree::share::results::{
    compare, config_json, curves_csv, read_results, results_json, selected_json, Environment, Replay,
};
use bpfree::share::results::{MAX_RESULTS_BYTES, REPLAY_TOLERANCE};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A results file shown beside the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The file's name.
    pub file: String,
    /// Its seal matches its content.
    pub seal_holds: bool,
    /// Its share link (`?v=1&…`).
    pub link: String,
    /// Its full config, to know whether the current run is its rerun.
    pub config: serde_json::Value,
    /// `(epoch, train_loss, test_accuracy)` per epoch.
    pub curve: Vec<(usize, f32, f32)>,
    /// "ccl on xor, 3 epochs, CPU (ndarray), bpfree CLI on linux/x86_64".
    pub summary: String,
}

/// The current run's curve as [`compare`] takes it.
pub fn own_curve(state: &TrainState) -> Vec<(usize, f32, f32)> {
    state.history.iter().map(|m| (m.epoch, m.train_loss, m.test_accuracy)).collect()
}

/// The sealed results document of the run on the page.
fn document(cfg: &RunConfig, s: &TrainState) -> serde_json::Value {
    let client = web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default();
    let env = Environment {
        backend: s.backend.clone().unwrap_or_else(|| "none".into()),
        device: s.device.clone().unwrap_or_default(),
        client,
    };
    let selected = selected_json(cfg, &s.history, &s.depths);
    results_json(cfg, &s.history, &s.loss_names, &[], selected, &env)
}

/// Offers `text` as a download named `name`.
fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    super::session::download_part(name, mime, &wasm_bindgen::JsValue::from_str(text))
}

/// Reads the chosen file and shows it.
async fn import(file: web_sys::File, state: RwSignal<TrainState>) -> Result<(), String> {
    let name = file.name();
    if file.size() > MAX_RESULTS_BYTES as f64 {
        return Err(format!(
            "{name}: {} bytes; a results file is at most {} MiB",
            file.size(),
            MAX_RESULTS_BYTES >> 20
        ));
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.map_err(|e| format!("{name}: {e:?}"))?;
    let text = text.as_string().ok_or_else(|| format!("{name}: not text"))?;
    let read = read_results(&text).map_err(|e| format!("{name}: {e}"))?;
    let doc = &read.doc;
    let summary = format!(
        "{} on {}, {} epochs, {}, {}",
        doc["config"]["algorithm"].as_str().unwrap_or("?"),
        doc["config"]["dataset"].as_str().unwrap_or("?"),
        read.curve.len(),
        doc["environment"]["device"].as_str().unwrap_or("?"),
        doc["environment"]["client"].as_str().unwrap_or("?"),
    );
    let imported = Imported {
        file: name,
        seal_holds: read.seal_holds,
        link: read.link.clone(),
        config: doc["config"].clone(),
        curve: read.curve,
        summary,
    };
    state.update(|s| s.imported = Some(imported));
    Ok(())
}

/// What the page says about the rerun.
fn verdict(cfg: &RunConfig, s: &TrainState) -> Option<String> {
    let imported = s.imported.as_ref()?;
    let same_run = config_json(cfg) == imported.config;
    if !same_run {
        return Some("Open its link and train to check that it reproduces.".into());
    }
    Some(match compare(&imported.curve, &own_curve(s)) {
        Replay::NotYet => "This is its run: train to compare, epoch by epoch.".into(),
        Replay::Exact { through } => format!("Reproduced: every epoch through {through} matches the file bit for bit."),
        Replay::Close { through, max_rel } => format!(
            "Reproduced: every epoch through {through} matches within the tolerance (largest relative loss difference {max_rel:.1e}; \
             allowed {REPLAY_TOLERANCE:.0e}, accuracy ±0.5 points)."
        ),
        Replay::Differs { epoch, file, rerun } => format!(
            "Not reproduced: epoch {epoch} gives loss {} and accuracy {} here, the file {} and {}.",
            rerun.0, rerun.1, file.0, file.1
        ),
    })
}

/// The hand-in panel.
#[component]
pub fn HandIn() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let nothing_yet = move || state.with(|s| s.history.is_empty());
    let report = move |result: Result<(), String>| {
        if let Err(message) = result {
            state.update(|s| s.error = Some(message));
        }
    };
    let on_json = move |_| {
        let cfg = config.get_untracked();
        let doc = state.with_untracked(|s| document(&cfg, s));
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        report(download(&format!("{}.json", super::session::file_stem(&cfg)), "application/json", &text));
    };
    let on_csv = move |_| {
        let cfg = config.get_untracked();
        let doc = state.with_untracked(|s| document(&cfg, s));
        report(download(&format!("{}.csv", super::session::file_stem(&cfg)), "text/csv", &curves_csv(&doc)));
    };
    let on_file = move |ev: web_sys::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0)) else { return };
        if let Some(i) = input {
            i.set_value(""); // choosing the same file again reads it again
        }
        leptos::task::spawn_local(async move { report(import(file, state).await) });
    };
    let on_open = move |_| {
        let Some(link) = state.with_untracked(|s| s.imported.as_ref().map(|i| i.link.clone())) else { return };
        match bpfree::share::read(&link) {
            Ok(read) => {
                config.set(read.config.clone());
                train_loop::reset(session, state, &read.config);
            }
            Err(e) => report(Err(format!("The file's link cannot be opened: {e}"))),
        }
    };
    let on_close = move |_| state.update(|s| s.imported = None);
    let imported = move || state.with(|s| s.imported.clone());
    let verdict_text = move || state.with(|s| verdict(&config.get(), s));

    view! {
        <section class="hand-in" aria-label="Hand in">
            <h2>"Hand in"</h2>
            <div class="buttons">
                <button id="export-json" on:click=on_json disabled=nothing_yet
                    title="The link, the full settings, every epoch's numbers and where it ran, sealed with a SHA-256">
                    "Export results"
                </button>
                <button id="export-csv" on:click=on_csv disabled=nothing_yet title="The curves, one row per epoch">
                    "Export CSV"
                </button>
                <label class="file-button">
                    "Import results…"
                    <input id="import-results" type="file" accept=".json,application/json" on:change=on_file/>
                </label>
            </div>
            <super::weights_io::WeightsButtons/>
            {move || imported().map(|i| view! {
                <div class="imported" id="imported">
                    <p>
                        <strong>{i.file.clone()}</strong> ": " {i.summary.clone()} ". "
                        <span id="imported-seal" class=if i.seal_holds { "ok" } else { "bad" }>
                            {if i.seal_holds { "✓ Seal holds: not edited since export." } else { "✗ Seal broken: edited after export, or damaged." }}
                        </span>
                    </p>
                    <p class="link-text"><code>{i.link.clone()}</code></p>
                    <p id="imported-verdict">{verdict_text}</p>
                    <div class="buttons">
                        <button id="open-imported" on:click=on_open>"Open its link"</button>
                        <button id="close-imported" on:click=on_close>"Remove"</button>
                    </div>
                </div>
            })}
        </section>
    }
}
