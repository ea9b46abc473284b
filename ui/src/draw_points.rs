//! Drawing your own points on the 2-D sets (as in ConvNetJS): a click on the decision map adds a training point
//! of the chosen class (shift-click: the other class), the x/y fields add one from the keyboard, and "Remove my
//! points" takes them away. The points are part of the run's settings (`drawn=` in the link), so a link replays
//! them; like every settings change, adding one starts a fresh run.

use super::settings::use_change;
use bpfree::config::RunConfig;
use bpfree::data::{DRAWN_RANGE, MAX_DRAWN};
use leptos::prelude::*;

/// The class a click adds (0 orange, 1 blue), shared by the map and the tools.
#[derive(Clone, Copy)]
struct DrawClass(RwSignal<u8>);

fn draw_class() -> RwSignal<u8> {
    match use_context::<DrawClass>() {
        Some(DrawClass(c)) => c,
        None => {
            let c = RwSignal::new(1u8);
            provide_context(DrawClass(c));
            c
        }
    }
}

/// `add(x, y, other)`: adds a point of the chosen class (the other class when `other`), unless the dataset is
/// locked by the link or [`MAX_DRAWN`] points are drawn already (the page then says so).
pub(super) fn use_add_point() -> impl Fn(f32, f32, bool) + Copy + 'static {
    let class = draw_class();
    let locked = super::use_locks();
    let change = use_change();
    let config = expect_context::<RwSignal<RunConfig>>();
    let state = expect_context::<RwSignal<super::TrainState>>();
    move |x, y, other| {
        if locked("draw") {
            return;
        }
        if config.with_untracked(|c| c.data.drawn.len()) >= MAX_DRAWN {
            state.update(|s| s.error = Some(format!("You have drawn {MAX_DRAWN} points, the most a link can carry.")));
            return;
        }
        let c = class.get_untracked() ^ u8::from(other);
        change(Box::new(move |cfg| cfg.data.drawn.push([x, y, f32::from(c)])));
    }
}

/// The tools under the decision map.
#[component]
pub fn DrawTools() -> impl IntoView {
    let class = draw_class();
    let add = use_add_point();
    let change = use_change();
    let locked = super::use_locks();
    let config = expect_context::<RwSignal<RunConfig>>();
    let count = move || config.with(|c| c.data.drawn.len());
    let (x, set_x) = signal(String::from("0"));
    let (y, set_y) = signal(String::from("0"));
    let add_typed = move |_| {
        let parse = |s: String| s.trim().parse::<f32>().ok().filter(|v| v.is_finite() && v.abs() <= DRAWN_RANGE);
        if let (Some(px), Some(py)) = (parse(x.get_untracked()), parse(y.get_untracked())) {
            add(px, py, false);
        }
    };
    let disabled = move || locked("draw");
    view! {
        <div class="draw-tools">
            <fieldset>
                <legend>"Click the map to add:"</legend>
                <label><input type="radio" name="draw-class" id="draw-class" prop:checked=move || class.get() == 0 prop:disabled=disabled on:change=move |_| class.set(0)/><span class="dot-0">" ●"</span>" orange (class 0)"</label>
                <label><input type="radio" name="draw-class" prop:checked=move || class.get() == 1 prop:disabled=disabled on:change=move |_| class.set(1)/><span class="dot-1">" ●"</span>" blue (class 1)"</label>
            </fieldset>
            <label>"x " <input type="number" id="draw-x" step="0.1" min=-DRAWN_RANGE max=DRAWN_RANGE prop:value=x prop:disabled=disabled on:input=move |ev| set_x.set(event_target_value(&ev))/></label>
            <label>"y " <input type="number" id="draw-y" step="0.1" min=-DRAWN_RANGE max=DRAWN_RANGE prop:value=y prop:disabled=disabled on:input=move |ev| set_y.set(event_target_value(&ev))/></label>
            <button id="draw-add" prop:disabled=disabled on:click=add_typed>"Add point"</button>
            <button id="draw-clear" prop:disabled=move || disabled() || count() == 0 on:click=move |_| change(Box::new(|c| c.data.drawn.clear()))>
                {move || format!("Remove my points ({})", count())}
            </button>
            <span class="hint">"Shift-click adds the other class. Your points train; the test set stays the generator's."</span>
        </div>
    }
}
