//! Drives the [`Trainer`] from the page: steps run in time slices between animation frames, so the page never
//! freezes; metrics are read back once per epoch. The trainer holds GPU handles (not `Send`), so it lives in a
//! local [`Session`] rather than in a signal.

use super::{AdapterProbe, TrainState};
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::tensor::{BackendChoice, Device, Gpu};
use crate::train::{load_dataset, Trainer};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::rc::Rc;

/// Milliseconds of training per animation frame (the rest of the frame is left to the page).
const SLICE_MS: f64 = 12.0;
/// Resolution of the decision map grid.
const MAP_RESOLUTION: usize = 48;

/// The non-`Send` half of the page state: the GPU context and the current trainer.
#[derive(Clone, Default)]
pub struct Session(Rc<RefCell<SessionInner>>);

#[derive(Default)]
struct SessionInner {
    gpu: Option<Gpu>,
    trainer: Option<Trainer>,
    /// Bumped by Reset: a loop that sees another generation stops.
    generation: u64,
}

type SessionHandle = StoredValue<Session, LocalStorage>;

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Resolves at the next animation frame.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Looks for a WebGPU adapter once, at start-up.
pub fn probe_adapter(session: SessionHandle, adapter: RwSignal<AdapterProbe>) {
    spawn_local(async move {
        match Gpu::new().await {
            Ok(gpu) => {
                adapter.set(Some(Ok(gpu.summary().clone())));
                session.with_value(|s| s.0.borrow_mut().gpu = Some(gpu));
            }
            Err(e) => adapter.set(Some(Err(e.to_string()))),
        }
    });
}

/// The config in the address bar (`?dataset=...`), or the defaults and the reason the link was rejected.
pub fn config_from_location() -> (RunConfig, Option<String>) {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    match crate::share::decode(&query) {
        Ok(cfg) => (cfg, None),
        Err(e) => {
            (RunConfig::default(), Some(format!("This link could not be read ({e}); the defaults are loaded instead.")))
        }
    }
}

/// Replaces the address bar's query with `cfg` (no reload, no history entry).
pub fn write_location(cfg: &RunConfig) {
    let Some(window) = web_sys::window() else { return };
    let query = format!("?{}", crate::share::encode(cfg));
    if window.location().search().ok().as_deref() == Some(query.as_str()) {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
    }
}

/// Shows `cfg`'s dataset (before any training) and clears the results.
pub fn show_dataset(state: RwSignal<TrainState>, cfg: &RunConfig) {
    match load_dataset(cfg) {
        Ok(data) => state.update(|s| {
            s.points =
                data.x_train.rows().into_iter().zip(&data.y_train).map(|(r, &y)| [r[0], r[1], y as f32]).collect();
            s.plane = data.plane;
            s.map = None;
            s.history.clear();
            s.device = None;
            s.memory = None;
        }),
        Err(e) => state.update(|s| s.error = Some(e.to_string())),
    }
}

/// Drops the trainer and the results; the next Train starts over from `cfg`.
pub fn reset(session: SessionHandle, state: RwSignal<TrainState>, cfg: &RunConfig) {
    session.with_value(|s| {
        let mut inner = s.0.borrow_mut();
        inner.trainer = None;
        inner.generation += 1;
    });
    state.update(|s| {
        s.running = false;
        s.error = None;
    });
    show_dataset(state, cfg);
}

fn device_for(choice: BackendChoice, gpu: Option<Gpu>, probe: &AdapterProbe) -> Result<Device> {
    match (choice, gpu) {
        (BackendChoice::Cpu, _) => Ok(Device::Cpu),
        (_, Some(gpu)) => Ok(Device::Gpu(gpu)),
        (BackendChoice::Auto, None) => Ok(Device::Cpu),
        (BackendChoice::Gpu, None) => Err(Error::NoAdapter(match probe {
            Some(Err(reason)) => format!("this browser offers no WebGPU adapter ({reason}); choose the CPU backend"),
            _ => "WebGPU is still being probed; try again in a moment".to_string(),
        })),
    }
}

/// Takes the trainer out of the session (building it from `cfg` if there is none), so no borrow is held
/// across an await.
fn take_trainer(
    session: &Session,
    cfg: &RunConfig,
    probe: &AdapterProbe,
    state: RwSignal<TrainState>,
) -> Result<Trainer> {
    let mut inner = session.0.borrow_mut();
    if let Some(t) = inner.trainer.take() {
        return Ok(t);
    }
    let device = device_for(cfg.backend, inner.gpu.clone(), probe)?;
    let trainer = Trainer::new(cfg, device)?;
    let device_text = trainer.device().describe();
    let parameters = trainer.parameter_count();
    state.update(|s| {
        s.device = Some(device_text);
        s.parameters = parameters;
    });
    Ok(trainer)
}

/// Trains until paused (`epochs_limit = None`) or for one epoch (Step).
pub fn run(session: SessionHandle, state: RwSignal<TrainState>, cfg: RunConfig, probe: AdapterProbe, one_epoch: bool) {
    state.update(|s| {
        s.running = true;
        s.error = None;
    });
    spawn_local(async move {
        let session = session.get_value();
        let generation = session.0.borrow().generation;
        if let Err(e) = train_loop(&session, generation, state, &cfg, &probe, one_epoch).await {
            state.update(|s| s.error = Some(e.to_string()));
        }
        if session.0.borrow().generation == generation {
            state.update(|s| s.running = false);
        }
    });
}

async fn train_loop(
    session: &Session,
    generation: u64,
    state: RwSignal<TrainState>,
    cfg: &RunConfig,
    probe: &AdapterProbe,
    one_epoch: bool,
) -> Result<()> {
    loop {
        if !state.with_untracked(|s| s.running) || session.0.borrow().generation != generation {
            return Ok(());
        }
        let mut trainer = take_trainer(session, cfg, probe, state)?;
        let start = now_ms();
        while !trainer.epoch_complete() && now_ms() - start < SLICE_MS {
            trainer.step()?;
        }
        let mut finished = false;
        if trainer.epoch_complete() {
            let metrics = trainer.end_epoch().await?;
            let map = trainer.decision_map(MAP_RESOLUTION).await.ok();
            if session.0.borrow().generation != generation {
                return Ok(()); // reset while we waited: drop this trainer
            }
            let memory = match trainer.device() {
                Device::Gpu(g) => Some(g.memory()),
                Device::Cpu => None,
            };
            state.update(|s| {
                s.history.push(metrics);
                s.map = map;
                s.memory = memory;
            });
            finished = one_epoch;
        }
        {
            let mut inner = session.0.borrow_mut();
            if inner.generation != generation {
                return Ok(());
            }
            inner.trainer = Some(trainer);
        }
        if finished {
            return Ok(());
        }
        next_frame().await;
    }
}
