//! Where the run stands while it trains: a progress bar through the current epoch, the speed (steps and samples
//! per second, or epochs per second on a graph, where an epoch is one full-graph step), the time spent and what is
//! left of the epoch budget; and, for screen readers, a polite live region that says each epoch's result.

use super::TrainState;
use bpfree::algorithms::algorithm_info;
use bpfree::config::RunConfig;
use leptos::prelude::*;

/// "42 s", "3 min 5 s".
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s < 60 {
        format!("{:.1} s", seconds.max(0.0))
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// The speed and time line, or `None` before the run has trained anything.
fn speed_line(s: &TrainState, cfg: &RunConfig) -> Option<String> {
    if s.seconds < 0.05 || s.steps == 0 {
        return None; // too short to time (one batch)
    }
    let rate = s.steps as f64 / s.seconds;
    let done = s.history.last().map_or(0, |m| m.epoch);
    if s.graph.is_some() {
        // the budget is `epochs` per stage (a stage per layer for the greedy variants); early stopping may end it sooner
        let stages = match algorithm_info(&cfg.algorithm) {
            Ok(a) if a.greedy => cfg.graph.layers,
            _ => 1,
        };
        let left = (stages * cfg.epochs).saturating_sub(s.steps as usize) as f64 / rate;
        let tail = if s.finished { String::new() } else { format!(" · at most {} left", duration(left)) };
        return Some(format!("{rate:.0} epochs/s · {}{tail}", duration(s.seconds)));
    }
    let samples = rate * cfg.batch_size as f64;
    let budget = if s.image { Some(cfg.epochs) } else { s.pause_at };
    let position = done as f64 + s.progress;
    let eta = match budget {
        Some(b) if !s.finished && position > 0.0 && (b as f64) > position => {
            format!(" · about {} left", duration((b as f64 - position) * s.seconds / position))
        }
        _ => String::new(),
    };
    Some(format!("{rate:.0} steps/s · {samples:.0} samples/s · {}{eta}", duration(s.seconds)))
}

/// What the live region says: the run's state and its latest numbers (once per epoch, so it does not chatter).
fn status(s: &TrainState) -> String {
    let Some(m) = s.history.last() else {
        return if s.running { "Training started".into() } else { String::new() };
    };
    let score = if s.reconstructs {
        format!("test loss {:.4}", m.test_loss)
    } else if s.graph.as_ref().is_some_and(|g| g.link) {
        format!("test ROC-AUC {:.3}", m.test_accuracy)
    } else {
        format!("test accuracy {:.3}", m.test_accuracy)
    };
    let what = if s.finished {
        "Done"
    } else if s.running {
        "Training"
    } else {
        "Paused"
    };
    format!("{what}: epoch {}, train loss {:.4}, {score}", m.epoch, m.train_loss)
}

/// The progress bar, the speed line and the live region.
#[component]
pub fn ProgressPanel() -> impl IntoView {
    let state = expect_context::<RwSignal<TrainState>>();
    let config = expect_context::<RwSignal<RunConfig>>();
    let line = move || config.with(|c| state.with(|s| speed_line(s, c)));
    let epoch_bar = move || state.with(|s| s.graph.is_none() && (s.running || s.progress > 0.0));
    let epoch_text = move || {
        state.with(|s| {
            let epoch = s.history.last().map_or(0, |m| m.epoch) + 1;
            format!("Epoch {epoch}: {:.0} %", 100.0 * s.progress)
        })
    };
    view! {
        <div class="progress-panel" id="progress">
            <Show when=epoch_bar>
                <label class="epoch-progress">
                    <span id="epoch-progress-text">{epoch_text}</span>
                    <progress id="epoch-progress" max="1" prop:value=move || state.with(|s| s.progress)></progress>
                </label>
            </Show>
            <span id="speed">{move || line().unwrap_or_default()}</span>
            <p id="live-status" class="visually-hidden" aria-live="polite">{move || state.with(status)}</p>
        </div>
    }
}
