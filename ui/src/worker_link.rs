//! The page's side of the training worker ([`super::worker_host`]): starts it on the page's own WebAssembly
//! module, sends it the commands, and applies what it reports to the page's signals. Where a worker cannot start
//! (no module URLs, as in the test runner; a browser without module workers; `worker.js` missing), the page
//! trains on its own thread as before and says why in the error banner.

use super::protocol::{from_js, Command, Event};
use super::session::{probe_adapter, SelfTestResult, SessionHandle};
use super::worker_port::WorkerLink;
use super::{AdapterProbe, TrainState};
use bpfree::config::RunConfig;
use leptos::prelude::*;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The URLs of the page's JavaScript glue and WebAssembly module, from the preload links Trunk writes.
fn module_urls() -> Option<(String, String)> {
    let document = web_sys::window()?.document()?;
    let href = |selector: &str| {
        let link: web_sys::HtmlLinkElement = document.query_selector(selector).ok()??.dyn_into().ok()?;
        Some(link.href()).filter(|h| !h.is_empty())
    };
    Some((href("link[rel=modulepreload][href*=playground]")?, href("link[rel=preload][href$='.wasm']")?))
}

/// What the page's signals hear from the worker.
#[derive(Clone, Copy)]
struct Signals {
    session: SessionHandle,
    state: RwSignal<TrainState>,
    adapter: RwSignal<AdapterProbe>,
    tested: SelfTestResult,
    config: RwSignal<RunConfig>,
}

/// Starts the worker and keeps its link in the session; `false` where none could start (the page then trains on
/// its own thread). The worker probes the adapter and runs the self-test itself.
pub(super) fn start(
    session: SessionHandle,
    state: RwSignal<TrainState>,
    adapter: RwSignal<AdapterProbe>,
    tested: SelfTestResult,
    config: RwSignal<RunConfig>,
) -> bool {
    let Some((glue, wasm)) = module_urls() else { return false };
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let Ok(worker) = web_sys::Worker::new_with_options("./worker.js", &options) else { return false };
    let link = Rc::new(WorkerLink::new(worker.clone()));
    let signals = Signals { session, state, adapter, tested, config };
    let heard = link.clone();
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        match from_js::<Event>(e.data()) {
            Ok(event) => hear(&heard, signals, event),
            Err(message) => web_sys::console::error_1(&message.into()),
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget(); // as long as the page
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
        let detail = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string());
        fall_back(signals, detail.unwrap_or_else(|| "the worker script did not load".into()));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let boot = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&boot, &"glue".into(), &glue.into());
    let _ = js_sys::Reflect::set(&boot, &"wasm".into(), &wasm.into());
    if worker.post_message(&boot).is_err() {
        worker.terminate();
        return false;
    }
    session.with_value(|s| s.inner().borrow_mut().worker = Some(link));
    true
}

/// Applies one event from the worker.
fn hear(link: &Rc<WorkerLink>, signals: Signals, event: Event) {
    match event {
        Event::State { generation, heard, patch } => {
            if generation == link.generation() {
                let patch = if link.predates_writes(heard) { patch.without_page_writes() } else { *patch };
                signals.state.update(|s| patch.apply(s));
            } // else from before the last Show or Reset
            let link = link.clone();
            leptos::task::spawn_local(async move {
                super::session::next_frame().await;
                link.post(&Command::Drawn);
            });
        }
        Event::Adapter(probe) => signals.adapter.set(probe),
        Event::SelfTest(test) => signals.tested.set(test),
        Event::Memory { heap, device } => super::session::set_worker_memory(heap, device),
        Event::Download { id, result } => link.answer(id, result),
        Event::Failed(reason) => fall_back(signals, reason),
    }
}

/// The worker failed to start: the page trains on its own thread from now on, and says so.
fn fall_back(signals: Signals, reason: String) {
    let Signals { session, state, adapter, tested, config } = signals;
    let link = session.with_value(|s| s.inner().borrow_mut().worker.take());
    let Some(link) = link else { return };
    link.terminate();
    state.update(|s| {
        s.error = Some(format!(
            "Training runs on the page's own thread: its worker stopped ({reason}). The page may react more \
             slowly while it trains."
        ))
    });
    adapter.set(None);
    probe_adapter(session, adapter, tested);
    super::train_loop::show_dataset(session, state, &config.get_untracked());
}
