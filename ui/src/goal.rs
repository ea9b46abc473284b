//! An assignment's goal (`goal=test_accuracy>=0.9` in the teacher's link): what it asks, where the run stands, the
//! epoch where it was first met, and the settings the student may change (`allow=`).

use super::TrainState;
use bpfree::share::classroom::Classroom;
use leptos::prelude::*;

/// The goal panel (nothing without a goal).
#[component]
pub fn GoalPanel() -> impl IntoView {
    let classroom = expect_context::<StoredValue<Classroom>>();
    let state = expect_context::<RwSignal<TrainState>>();
    let goal = classroom.with_value(|c| c.goal.clone());
    let allowed = classroom.with_value(|c| c.allowed().map(|a| a.join(", ")));
    goal.map(|goal| {
        let text = goal.describe();
        let g = goal.clone();
        let met = move || state.with(|s| g.met_at(&s.history));
        let g = goal.clone();
        let now = move || {
            state.with(|s| match s.history.last().and_then(|m| g.value_in(m)) {
                Some(v) => format!("now {v:.3}"),
                None => "train to see where you stand".into(),
            })
        };
        view! {
            <div class="goal" id="goal" role="status" aria-live="polite">
                <strong>"Goal: " {text}</strong>
                " · "
                {move || match met() {
                    Some(epoch) => view! { <span class="ok" id="goal-met">{format!("✓ met at epoch {epoch}")}</span> }.into_any(),
                    None => view! { <span id="goal-progress">{now()}</span> }.into_any(),
                }}
                {allowed.clone().map(|a| view! {
                    <div id="goal-allowed">{if a.is_empty() { "You may change none of the settings.".to_string() } else { format!("You may change: {a}.") }}</div>
                })}
            </div>
        }
    })
}
