//! The training worker's protocol, run inside a real dedicated worker (`wasm-pack test --headless --chrome` and
//! `--firefox`, `--test web_worker`): the messages survive their wire form, and a run started through the
//! worker's command handler trains and reports its metrics, in the page's generation, as the page hears them.
#![cfg(target_arch = "wasm32")]

use bpfree::config::RunConfig;
use bpfree::tensor::BackendChoice;
use bpfree_ui::protocol::{from_js, to_js, Command, Controls, Event, StatePatch, Upload};
use bpfree_ui::TrainState;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn moons() -> RunConfig {
    RunConfig {
        data: bpfree::data::SyntheticOptions { points: 200, ..Default::default() },
        backend: BackendChoice::Cpu,
        ..RunConfig::default()
    }
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(message: &T) -> T {
    from_js(to_js(message).unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn the_code_runs_in_a_dedicated_worker() {
    assert!(js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>().is_ok());
}

#[wasm_bindgen_test]
fn commands_and_events_survive_their_wire_form() {
    let controls = Controls { one_batch: true, pause_at: Some(3), alignment_layer: 1 };
    let commands = [
        Command::Train { cfg: moons(), one_epoch: true, controls },
        Command::Reset { cfg: moons(), generation: 7 },
        Command::Pause,
        Command::Adopt { files: vec![Upload { path: "my-images/images.bin".into(), bytes: vec![0, 1, 255] }] },
        Command::ImportWeights { name: "w.safetensors".into(), bytes: (0..=255).collect() },
    ];
    for command in &commands {
        assert_eq!(&round_trip(command), command);
    }
    // bytes travel as a Uint8Array, not an array of numbers
    let wire = to_js(&commands[3]).unwrap();
    let files = js_sys::Reflect::get(&js_sys::Reflect::get(&wire, &"Adopt".into()).unwrap(), &"files".into()).unwrap();
    let bytes = js_sys::Reflect::get(&js_sys::Array::from(&files).get(0), &"bytes".into()).unwrap();
    assert!(bytes.is_instance_of::<js_sys::Uint8Array>(), "{bytes:?}");

    let mut state = TrainState { running: true, steps: 42, error: Some("x".into()), ..TrainState::default() };
    state.history.push(bpfree::train::EpochMetrics {
        epoch: 1,
        steps: 42,
        train_loss: f32::NAN, // a diverged epoch: NaN must arrive as NaN
        test_loss: 0.5,
        train_accuracy: 0.5,
        test_accuracy: 0.75,
        val_loss: None,
        val_accuracy: Some(0.7),
        local_losses: vec![0.25],
    });
    let patch = StatePatch::full(&state);
    let back = round_trip(&Event::State { generation: 3, heard: 2, patch: Box::new(patch) });
    let Event::State { generation: 3, heard: 2, patch } = back else { panic!("{back:?}") };
    let mut page = TrainState::default();
    patch.apply(&mut page);
    assert!(page.history[0].train_loss.is_nan());
    page.history[0].train_loss = 0.0;
    state.history[0].train_loss = 0.0;
    assert_eq!(page, state);
    // a diff carries only what changed, and a history that grew as its new epochs
    let mut later = state.clone();
    later.progress = 0.5;
    let diff = StatePatch::diff(&state, &later);
    assert_eq!(diff, StatePatch { progress: Some(0.5), ..StatePatch::default() });
    assert!(StatePatch::diff(&later, &later).is_empty());
    let mut grown = later.clone();
    grown.history.push(bpfree::train::EpochMetrics { epoch: 2, ..later.history[0].clone() });
    let diff = StatePatch::diff(&later, &grown);
    assert_eq!(diff, StatePatch { history_added: Some(grown.history[1..].to_vec()), ..StatePatch::default() });
    let mut copy = later.clone();
    diff.apply(&mut copy);
    assert_eq!(copy, grown);
    // a field cleared arrives cleared (not as "unchanged")
    let busy = TrainState { loading: Some("Downloading…".into()), error: Some("x".into()), ..TrainState::default() };
    let cleared = StatePatch::diff(&busy, &TrainState::default());
    assert_eq!(cleared.loading, Some(None));
    let wire = round_trip(&Event::State { generation: 1, heard: 0, patch: Box::new(cleared) });
    let Event::State { patch, .. } = wire else { panic!("{wire:?}") };
    assert_eq!((patch.loading.clone(), patch.error.clone()), (Some(None), Some(None)));
    let mut page = busy.clone();
    patch.apply(&mut page);
    assert_eq!(page, TrainState::default());
    // a history that was replaced (a reset) is sent whole
    let diff = StatePatch::diff(&grown, &TrainState::default());
    assert_eq!(diff.history, Some(Vec::new()));
}

#[wasm_bindgen_test]
async fn a_run_started_in_the_worker_reports_its_metrics() {
    let events: Rc<RefCell<Vec<Event>>> = Rc::default();
    let heard = events.clone();
    let handle = bpfree_ui::worker_host::host(Rc::new(move |e| heard.borrow_mut().push(e)));
    handle(Command::Show { cfg: moons(), generation: 1, controls: Controls::default() });
    handle(Command::Train { cfg: moons(), one_epoch: true, controls: Controls::default() });
    // the page's copy of the state, built only from what the worker sends
    let mut page = TrainState::default();
    let mut seen = 0;
    let mut reports = 0;
    for _ in 0..600 {
        sleep(50).await;
        let new: Vec<Event> = events.borrow()[seen..].to_vec();
        seen += new.len();
        let mut drawn = 0;
        for event in new {
            if let Event::State { generation, patch, .. } = event {
                assert_eq!(generation, 1, "reports carry the page's generation");
                patch.apply(&mut page);
                drawn += 1;
            }
        }
        // the worker waits for the page to draw a report before it sends the next
        assert!(drawn <= 1, "{drawn} reports without a `Drawn` between them");
        reports += drawn;
        if drawn == 1 {
            handle(Command::Drawn);
        }
        if page.history.len() == 1 && !page.running {
            break;
        }
    }
    console_log!("{reports} reports for one epoch");
    assert_eq!(page.history.len(), 1, "one epoch reported: {:?}", page.error);
    let m = &page.history[0];
    console_log!("the worker trained an epoch: {m:?} on {:?}", page.device);
    assert!(m.train_loss.is_finite() && m.test_accuracy > 0.0, "{m:?}");
    assert!(page.device.as_deref().is_some_and(|d| d.starts_with("CPU")), "{:?}", page.device);
    assert!(page.map.is_some() && !page.points.is_empty(), "the decision map and the points are reported");
    assert!(page.error.is_none(), "{:?}", page.error);
    // a new generation: the first report is the whole state
    handle(Command::Reset { cfg: moons(), generation: 2 });
    handle(Command::Drawn);
    sleep(200).await;
    let after: Vec<_> = events.borrow()[seen..]
        .iter()
        .filter_map(|e| match e {
            Event::State { generation, patch, .. } => Some((*generation, patch.clone())),
            _ => None,
        })
        .collect();
    let (generation, first) = after.first().cloned().expect("a report after the reset");
    assert_eq!(generation, 2);
    assert_eq!(first.history, Some(Vec::new()), "the reset's report says the history is empty");
    assert!(first.running.is_some() && first.steps.is_some(), "a whole state: {first:?}");
    // the adapter probe reports what it found (an adapter, or why there is none)
    for _ in 0..600 {
        if events.borrow().iter().any(|e| matches!(e, Event::Adapter(Some(_)))) {
            break;
        }
        sleep(50).await;
    }
    let probe = events.borrow().iter().rev().find_map(|e| match e {
        Event::Adapter(Some(p)) => Some(p.clone()),
        _ => None,
    });
    console_log!("the worker's adapter: {probe:?}");
    assert!(probe.is_some(), "no adapter report");
}
