//! The error banner: any failure (a broken link, no adapter, a device error) is shown here, in the page.

use super::TrainState;
use leptos::prelude::*;

/// Shows `TrainState::error` with a button to dismiss it.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    move || {
        state.with(|s| s.error.clone()).map(|message| {
            view! {
                <div class="error-banner" id="error-banner" role="alert">
                    <span>{message}</span>
                    <button on:click=move |_| state.update(|s| s.error = None)>"Dismiss"</button>
                </div>
            }
        })
    }
}
