//! The backend badge: which adapter WebGPU found (and whether it is a software one), or why there is none.

use super::{AdapterProbe, TrainState};
use leptos::prelude::*;

/// One line naming the adapter and the device of the current run.
#[component]
pub fn BackendBadge() -> impl IntoView {
    let adapter = expect_context::<RwSignal<AdapterProbe>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let adapter_text = move || match adapter.get() {
        None => "Looking for a WebGPU adapter…".to_string(),
        Some(Ok(s)) if s.software => format!("WebGPU: {} — a software adapter (correct, but slow)", s.name),
        Some(Ok(s)) => format!("WebGPU: {} ({})", s.name, s.device_type),
        Some(Err(reason)) => format!("No WebGPU ({reason}): training runs on the CPU (wasm)"),
    };
    view! {
        <div class="backend-badge">
            <span id="adapter-info">{adapter_text}</span>
            {move || state.with(|s| s.device.clone()).map(|d| view! { <span id="run-device">" · running on " {d}</span> })}
        </div>
    }
}
