//! Train / Pause / Step (one epoch, or one batch) / Reset / Copy link. Train and Step start the page's training
//! loop (also on open for a link with `autostart=1`); Reset drops the run; Copy link puts the link that replays the
//! run on the clipboard.

use super::{train_loop, AdapterProbe, Session, TrainState};
use bpfree::config::RunConfig;
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
            train_loop::pause(session, state);
        } else {
            train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), false);
        }
    };
    let on_step = move |_| train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), true);
    let on_batch = move |_| {
        state.update(|s| s.one_batch = true);
        train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), true)
    };
    let on_reset = move |_| train_loop::reset(session, state, &config.get_untracked());
    let copied = RwSignal::new(false);
    let on_copy = move |_| {
        leptos::task::spawn_local(async move {
            match super::address_bar::copy_link().await {
                Ok(()) => copied.set(true),
                Err(message) => state.update(|s| s.error = Some(message)),
            }
        })
    };
    // a link with `autostart=1`, and the opening demo, train as soon as the backend is known
    let autostart = StoredValue::new(super::address_bar::autostart_requested() || super::address_bar::opening_demo());
    Effect::new(move |_| {
        if ready() && autostart.get_value() {
            autostart.set_value(false);
            // keep what the link reader said about the link (starting a run clears the banner)
            let notes = state.with_untracked(|s| s.error.clone());
            train_loop::run(session, state, config.get_untracked(), adapter.get_untracked(), false);
            state.update(|s| s.error = s.error.take().or(notes));
        }
    });

    view! {
        <div class="buttons">
            <button id="train-button" class="primary" on:click=on_train disabled=move || !ready() || spent()>
                {move || match (running(), spent()) { (true, _) => "Pause", (false, true) => "Done", _ => "Train" }}
            </button>
            <button id="step-button" on:click=on_step disabled=move || running() || !ready() || spent()>"Step (1 epoch)"</button>
            <button id="batch-button" on:click=on_batch disabled=move || running() || !ready() || spent()
                title="Train one mini-batch (on a graph: one full-graph step)">"1 batch"</button>
            <button id="reset-button" on:click=on_reset>"Reset"</button>
            <button id="copy-link-button" on:click=on_copy title="Copy the link that replays this run">
                {move || if copied.get() { "Link copied ✓" } else { "Copy link" }}
            </button>
        </div>
    }
}
