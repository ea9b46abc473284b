//! Epoch counter and the latest loss and accuracies, as numbers.

use super::TrainState;
use leptos::prelude::*;

/// The latest epoch's numbers.
#[component]
pub fn MetricsPanel() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let last = move || state.with(|s| s.history.last().cloned());
    let fmt = move |f: fn(&crate::train::EpochMetrics) -> f32, digits: usize| {
        move || last().map(|m| f(&m)).filter(|v| v.is_finite()).map_or("–".to_string(), |v| format!("{v:.digits$}"))
    };
    // An autoencoder has losses (MSE) but no accuracy.
    let accuracy = move |f: fn(&crate::train::EpochMetrics) -> f32| {
        move || match (state.with(|s| s.reconstructs), last()) {
            (false, Some(m)) if f(&m).is_finite() => format!("{:.3}", f(&m)),
            _ => "–".to_string(),
        }
    };
    view! {
        <dl class="metrics">
            <dt>"Epoch"</dt><dd id="epoch-value">{move || last().map_or(0, |m| m.epoch)}</dd>
            <dt>"Train loss"</dt><dd id="loss-value">{fmt(|m| m.train_loss, 4)}</dd>
            <dt>"Test loss"</dt><dd id="test-loss-value">{fmt(|m| m.test_loss, 4)}</dd>
            <dt>"Train accuracy"</dt><dd id="train-accuracy">{accuracy(|m| m.train_accuracy)}</dd>
            <dt>"Test accuracy"</dt><dd id="test-accuracy">{accuracy(|m| m.test_accuracy)}</dd>
            <dt>"Validation accuracy"</dt>
            <dd id="val-accuracy">{move || last().and_then(|m| m.val_accuracy).filter(|_| !state.with(|s| s.reconstructs)).map_or("–".to_string(), |a| format!("{a:.3}"))}</dd>
            <dt>"Parameters"</dt><dd id="parameter-count">{move || state.with(|s| s.parameters)}</dd>
            <dt>"Device memory"</dt>
            <dd id="device-memory">
                {move || state.with(|s| s.memory.map_or("–".to_string(), |m| {
                    format!("{:.1} KiB live, {:.1} KiB peak", m.live_bytes as f64 / 1024.0, m.peak_live_bytes as f64 / 1024.0)
                }))}
            </dd>
        </dl>
    }
}
