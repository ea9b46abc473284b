//! Epoch counter and the latest loss and accuracies, as numbers; for an image run, the epoch budget and the
//! epoch model selection picks (what `bpfree train` reports).

use super::TrainState;
use bpfree::config::{RunConfig, Selection};
use bpfree::train::select_epoch;
use leptos::prelude::*;

/// The latest epoch's numbers.
#[component]
pub fn MetricsPanel() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let config = expect_context::<RwSignal<RunConfig>>();
    let last = move || state.with(|s| s.history.last().cloned());
    let fmt = move |f: fn(&bpfree::train::EpochMetrics) -> f32, digits: usize| {
        move || last().map(|m| f(&m)).filter(|v| v.is_finite()).map_or("–".to_string(), |v| format!("{v:.digits$}"))
    };
    // An autoencoder has losses (MSE) but no accuracy.
    let accuracy = move |f: fn(&bpfree::train::EpochMetrics) -> f32| {
        move || match (state.with(|s| s.reconstructs), last()) {
            (false, Some(m)) if f(&m).is_finite() => format!("{:.3}", f(&m)),
            _ => "–".to_string(),
        }
    };
    // The run's selection rule (lowest validation loss, or highest validation accuracy for the backprop
    // baselines; the last epoch without validation): its test numbers are the run's result.
    let selected = move || {
        let selection = config.with(|c| c.selection);
        state.with(|s| {
            let m = select_epoch(&s.history, selection)?;
            let score = if s.reconstructs {
                format!("test MSE {:.4}", m.test_loss)
            } else {
                format!("test accuracy {:.2} %", 100.0 * m.test_accuracy)
            };
            let rule = match (selection, m.val_loss.is_some(), m.val_accuracy.is_some()) {
                (Selection::ValAccuracy, _, true) => "highest validation accuracy",
                (_, true, _) => "lowest validation loss",
                _ => "last epoch",
            };
            Some(format!("epoch {} ({rule}): {score}", m.epoch))
        })
    };
    let image = move || state.with(|s| s.image);
    view! {
        <dl class="metrics">
            <dt>"Epoch"</dt>
            <dd>
                <span id="epoch-value">{move || last().map_or(0, |m| m.epoch)}</span>
                <Show when=image>" / "<span id="epoch-budget">{move || config.with(|c| c.epochs)}</span></Show>
            </dd>
            <dt>"Train loss"</dt><dd id="loss-value">{fmt(|m| m.train_loss, 4)}</dd>
            <dt>"Test loss"</dt><dd id="test-loss-value">{fmt(|m| m.test_loss, 4)}</dd>
            <dt>"Train accuracy"</dt><dd id="train-accuracy">{accuracy(|m| m.train_accuracy)}</dd>
            <dt>"Test accuracy"</dt><dd id="test-accuracy">{accuracy(|m| m.test_accuracy)}</dd>
            <dt>"Validation accuracy"</dt>
            <dd id="val-accuracy">{move || last().and_then(|m| m.val_accuracy).filter(|_| !state.with(|s| s.reconstructs)).map_or("–".to_string(), |a| format!("{a:.3}"))}</dd>
            <Show when=image>
                <dt>"Selected"</dt>
                <dd id="selected-result">{move || selected().unwrap_or_else(|| "–".to_string())}</dd>
            </Show>
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
