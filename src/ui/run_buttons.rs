//! Train / Pause / Step / Reset. Train and Step start the page's training loop; Reset drops the run.

use super::{train_loop, AdapterProbe, Session, TrainState};
use crate::config::RunConfig;
use leptos::prelude::*;

/// The run's buttons.
#[component]
pub fn RunButtons() -> impl IntoView {
    let config = expect_context::<RwSignal<RunConfig>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let adapter = expect_context::<RwSignal<AdapterProbe>>();
    let session = expect_context::<StoredValue<Session, LocalStorage>>();
    let running = move || state.with(|s| s.running);
    let ready = move || adapter.with(Option::is_some);
    // The run is over (budget spent, last stage trained, or diverged); Reset (or new settings) starts over.
    let spent = move || state.with(|s| s.finished);
    let on_train = move |_| {
        if running() {
            state.update(|s| s.running = false);
        } else {
            train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), false);
        }
    };
    let on_step = move |_| train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), true);
    let on_reset = move |_| train_loop::reset(session, state, &config.get_untracked());

    view! {
        <div class="buttons">
            <button id="train-button" class="primary" on:click=on_train disabled=move || !ready() || spent()>
                {move || match (running(), spent()) { (true, _) => "Pause", (false, true) => "Done", _ => "Train" }}
            </button>
            <button id="step-button" on:click=on_step disabled=move || running() || !ready() || spent()>"Step (1 epoch)"</button>
            <button id="reset-button" on:click=on_reset>"Reset"</button>
        </div>
    }
}
