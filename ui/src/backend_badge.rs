//! The backend badge: which adapter WebGPU found (and whether it is a software one), or why there is none, and what
//! *Auto* chose after the start-up self-test, with its timings.

use super::{AdapterProbe, TrainState};
use leptos::prelude::*;

/// One line naming the adapter and the device of the current run.
#[component]
pub fn BackendBadge() -> impl IntoView {
    let adapter = expect_context::<RwSignal<AdapterProbe>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let tested = expect_context::<super::session::SelfTestResult>();
    let session = expect_context::<super::session::SessionHandle>();
    // where the training runs: a worker keeps the page free while it trains (read when a run starts: a worker
    // that fails falls back to the page's own thread)
    let thread = move || {
        if session.with_value(|s| s.worker().is_some()) {
            ", in a background worker"
        } else {
            ", on the page's thread"
        }
    };
    let adapter_text = move || match adapter.get() {
        None => "Looking for a WebGPU adapter…".to_string(),
        Some(Ok(s)) if s.software => format!("WebGPU: {} — a software adapter", s.name),
        Some(Ok(s)) => format!("WebGPU: {} ({})", s.name, s.device_type),
        Some(Err(reason)) => format!("No WebGPU ({reason}): training runs on the CPU (wasm)"),
    };
    view! {
        <div class="backend-badge">
            <span id="adapter-info">{adapter_text}</span>
            {move || tested.get().map(|t| {
                let text = match t {
                    Ok(t) => t.explain(),
                    Err(e) => format!("Auto trains on the CPU: the adapter failed its self-test ({e})"),
                };
                view! { <span id="self-test">" · " {text}</span> }
            })}
            {move || state.with(|s| s.device.clone()).map(|d| view! { <span id="run-device">" · running on " {d} {thread()}</span> })}
        </div>
    }
}
