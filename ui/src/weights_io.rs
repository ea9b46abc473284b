//! "Export weights" writes the run's trained model as a safetensors file (PyTorch, NumPy and JAX read it with
//! Hugging Face's `safetensors`); "Import weights…" reads one back: the page switches to the run that made it (the
//! file's link) and the next Train or Step continues from its weights. Names, shapes: docs/weights.md.

use super::protocol::{Command, File};
use super::{train_loop, Session, TrainState};
use bpfree::config::RunConfig;
use bpfree::share::weights::{from_safetensors, to_safetensors, MAX_WEIGHTS_BYTES};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Reads the paused run's weights (here or in the worker) and offers them as a download.
async fn export(session: Session, cfg: RunConfig) -> Result<String, String> {
    let file = match session.worker() {
        Some(link) => link.export(cfg).await?,
        None => export_file(session, cfg).await?,
    };
    let part = js_sys::Uint8Array::from(file.bytes.as_slice());
    super::session::download_part(&file.name, "application/octet-stream", &part)?;
    Ok(file.note)
}

/// The paused run's weights as a safetensors file.
pub(super) async fn export_file(session: Session, cfg: RunConfig) -> Result<File, String> {
    let kept = session.inner().borrow_mut().trainer.take();
    let weights = match kept {
        Some(mut trainer) => {
            let w = trainer.weights().await;
            session.inner().borrow_mut().trainer = Some(trainer);
            w
        }
        None => {
            let Some(mut graph) = session.inner().borrow_mut().graph_trainer.take() else {
                return Err("Export weights: train first.".into());
            };
            let w = graph.weights().await;
            session.inner().borrow_mut().graph_trainer = Some(graph);
            w
        }
    };
    let weights = weights.map_err(|e| format!("Export weights: {e}"))?;
    let bytes = to_safetensors(&weights, &cfg).map_err(|e| format!("Export weights: {e}"))?;
    let name = format!("{}.safetensors", super::session::file_stem(&cfg));
    let note = format!("Saved {name}: {} tensors, {} bytes.", weights.tensors.len() + weights.host.len(), bytes.len());
    Ok(File { name, bytes, note })
}

/// Keeps the weights in `bytes` (a safetensors file named `name`) for the next run built.
pub(super) fn keep_weights(session: &Session, name: String, bytes: &[u8]) -> Result<(), String> {
    let read = from_safetensors(bytes).map_err(|e| format!("{name}: {e}"))?;
    session.inner().borrow_mut().pending_weights = Some((name, read.weights));
    Ok(())
}

/// Reads a weights file; switches to its run and keeps the weights for the next trainer.
async fn import(
    file: web_sys::File,
    session: Session,
    config: RwSignal<RunConfig>,
    state: RwSignal<TrainState>,
    handle: StoredValue<Session, LocalStorage>,
) -> Result<String, String> {
    let name = file.name();
    if file.size() > MAX_WEIGHTS_BYTES as f64 {
        return Err(format!("{name}: {} bytes; the limit is {} MiB", file.size(), MAX_WEIGHTS_BYTES >> 20));
    }
    let buffer =
        wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.map_err(|e| format!("{name}: {e:?}"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let read = from_safetensors(&bytes).map_err(|e| format!("{name}: {e}"))?;
    // the run that made the weights, so that the shapes match
    let mut cfg = config.get_untracked();
    if let Some(link) = &read.link {
        if let Ok(r) = bpfree::share::read(link) {
            cfg = r.config;
        }
    }
    config.set(cfg.clone());
    train_loop::reset(handle, state, &cfg);
    let count = read.weights.tensors.len() + read.weights.host.len();
    match session.worker() {
        Some(link) => link.post(&Command::ImportWeights { name: name.clone(), bytes }),
        None => session.inner().borrow_mut().pending_weights = Some((name.clone(), read.weights)),
    }
    Ok(format!(
        "Loaded {name} ({count} tensors) for {} on {}: Train or Step continues from these weights.",
        cfg.algorithm, cfg.dataset
    ))
}

/// The two buttons, and what they last did.
#[component]
pub fn WeightsButtons() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let handle = expect_context::<StoredValue<Session, LocalStorage>>();
    let note = RwSignal::new(String::new());
    let blocked = move || state.with(|s| s.running || s.history.is_empty());
    let settle = move |result: Result<String, String>| match result {
        Ok(text) => note.set(text),
        Err(message) => state.update(|s| s.error = Some(message)),
    };
    let on_export = move |_| {
        let (session, cfg) = (handle.get_value(), config.get_untracked());
        leptos::task::spawn_local(async move { settle(export(session, cfg).await) });
    };
    let on_file = move |ev: web_sys::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0)) else { return };
        if let Some(i) = input {
            i.set_value("");
        }
        let session = handle.get_value();
        leptos::task::spawn_local(async move { settle(import(file, session, config, state, handle).await) });
    };
    view! {
        <div class="buttons">
            <button id="export-weights" on:click=on_export disabled=blocked
                title="The trained model as a safetensors file (pause first)">
                "Export weights"
            </button>
            <label class="file-button">
                "Import weights…"
                <input id="import-weights" type="file" accept=".safetensors" on:change=on_file/>
            </label>
        </div>
        <p class="weights-note" id="weights-note" aria-live="polite">{move || note.get()}</p>
    }
}
