//! Drives the [`Trainer`] from the page: steps run in time slices between animation frames, so the page never
//! freezes; metrics are read back once per epoch. The trainer holds GPU handles (not `Send`), so it lives in a
//! local [`Session`] rather than in a signal.

use super::{AdapterProbe, Gallery, TrainState};
use crate::config::RunConfig;
use crate::data::{dataset_info, DataFiles, Dataset, DatasetKind};
use crate::error::{Error, Result};
use crate::tensor::{BackendChoice, Device, Gpu};
use crate::train::{load_dataset, Trainer};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// Milliseconds of training per animation frame (the rest of the frame is left to the page).
const SLICE_MS: f64 = 12.0;
/// Resolution of the decision map grid.
const MAP_RESOLUTION: usize = 48;
/// Test images shown with their predictions.
const GALLERY_SIZE: usize = 24;
/// Test images in the CCL alignment matrix.
const ALIGNMENT_ROWS: usize = 20;
/// Test images in NoProp's denoising trajectory.
const TRAJECTORY_ROWS: usize = 8;

/// The non-`Send` half of the page state: the GPU context and the current trainer.
#[derive(Clone, Default)]
pub struct Session(Rc<RefCell<SessionInner>>);

#[derive(Default)]
pub(super) struct SessionInner {
    pub(super) gpu: Option<Gpu>,
    trainer: Option<Trainer>,
    /// The graph run, when the dataset is a graph.
    pub(super) graph_trainer: Option<crate::train::GraphTrainer>,
    /// Bumped by Reset: a loop that sees another generation stops.
    pub(super) generation: u64,
    /// Fetched data files, by path under `data/` (fetched once per page).
    pub(super) files: DataFiles,
    /// The parsed dataset of the current config, keyed by `dataset#seed` (the split depends on the seed).
    dataset: Option<(String, Arc<Dataset>)>,
    /// The parsed graph of the current config, keyed by its id.
    pub(super) graph: Option<(String, Rc<crate::data::Graph>)>,
}

impl Session {
    pub(super) fn inner(&self) -> &RefCell<SessionInner> {
        &self.0
    }
}

fn dataset_key(cfg: &RunConfig) -> String {
    format!("{}#{}", cfg.dataset, cfg.seed)
}

/// Fetches `data/<path>` from the page's server.
pub(super) async fn fetch_bytes(path: &str) -> Result<Vec<u8>> {
    let fail = |detail: String| Error::Data { path: format!("data/{path}"), detail };
    let window = web_sys::window().ok_or_else(|| fail("no window".into()))?;
    let response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&format!("data/{path}")))
        .await
        .map_err(|e| fail(format!("network error: {e:?}")))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| fail("not a response".into()))?;
    if !response.ok() {
        return Err(fail(format!("HTTP {} {}", response.status(), response.status_text())));
    }
    let buffer = response.array_buffer().map_err(|e| fail(format!("{e:?}")))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(buffer).await.map_err(|e| fail(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The dataset of `cfg`, from the session's cache or fetched and parsed now.
async fn ensure_dataset(session: &Session, cfg: &RunConfig, state: RwSignal<TrainState>) -> Result<Arc<Dataset>> {
    let key = dataset_key(cfg);
    if let Some((k, data)) = &session.0.borrow().dataset {
        if *k == key {
            return Ok(data.clone());
        }
    }
    let info = dataset_info(&cfg.dataset)?;
    let missing: Vec<String> = info.files().into_iter().filter(|f| !session.0.borrow().files.contains_key(f)).collect();
    if !missing.is_empty() {
        state.update(|s| s.loading = Some(format!("Downloading {} ({} files)…", info.label, missing.len())));
        for path in missing {
            let bytes = fetch_bytes(&path).await?;
            session.0.borrow_mut().files.insert(path, bytes);
        }
        state.update(|s| s.loading = Some(format!("Decoding {}…", info.label)));
        next_frame().await;
    }
    let data = Arc::new(load_dataset(cfg, &session.0.borrow().files)?);
    session.0.borrow_mut().dataset = Some((key, data.clone()));
    Ok(data)
}

/// Test images of `data` for the gallery, scaled per image to `[0, 1]` for display.
fn gallery_of(data: &Dataset, rows: usize) -> Option<Gallery> {
    let shape = data.image?;
    let rows = rows.min(data.y_test.len());
    let pixels = data.x_test.slice(ndarray::s![..rows, ..]).to_owned();
    Some(Gallery::new(shape, &pixels, data.y_test[..rows].to_vec(), data.class_names.clone()))
}

pub(super) type SessionHandle = StoredValue<Session, LocalStorage>;

pub(super) fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Resolves at the next animation frame.
pub(super) async fn next_frame() {
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

/// Shows `cfg`'s dataset (before any training) and clears the results. Image datasets are fetched first.
pub fn show_dataset(session: SessionHandle, state: RwSignal<TrainState>, cfg: &RunConfig) {
    let kind = dataset_info(&cfg.dataset).map(|d| d.kind).ok();
    let image = kind == Some(DatasetKind::Image);
    state.update(|s| {
        s.graph = None;
        s.depths.clear();
        s.map = None;
        s.history.clear();
        s.finished = false;
        s.device = None;
        s.memory = None;
        s.gallery = None;
        s.ccl = None;
        s.noprop = None;
        s.reconstructions = None;
        s.reconstructs = false;
        s.loss_names.clear();
        s.points.clear();
        s.plane = None;
        s.image = image;
    });
    if kind == Some(DatasetKind::Graph) {
        super::graph_runner::show_graph(session, state, cfg);
        return;
    }
    let cfg = cfg.clone();
    spawn_local(async move {
        let session = session.get_value();
        match ensure_dataset(&session, &cfg, state).await {
            Ok(data) => state.update(|s| {
                if data.plane.is_some() {
                    s.points = data
                        .x_train
                        .rows()
                        .into_iter()
                        .zip(&data.y_train)
                        .map(|(r, &y)| [r[0], r[1], y as f32])
                        .collect();
                    s.plane = data.plane;
                }
                s.gallery = gallery_of(&data, GALLERY_SIZE);
                s.loading = None;
            }),
            Err(e) => state.update(|s| {
                s.loading = None;
                s.error = Some(e.to_string());
            }),
        }
    });
}

/// Drops the trainer and the results; the next Train starts over from `cfg`.
pub fn reset(session: SessionHandle, state: RwSignal<TrainState>, cfg: &RunConfig) {
    session.with_value(|s| {
        let mut inner = s.0.borrow_mut();
        inner.trainer = None;
        inner.graph_trainer = None;
        inner.generation += 1;
    });
    state.update(|s| {
        s.running = false;
        s.error = None;
    });
    show_dataset(session, state, cfg);
}

pub(super) fn device_for(choice: BackendChoice, gpu: Option<Gpu>, probe: &AdapterProbe) -> Result<Device> {
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
async fn take_trainer(
    session: &Session,
    cfg: &RunConfig,
    probe: &AdapterProbe,
    state: RwSignal<TrainState>,
) -> Result<Trainer> {
    if let Some(t) = session.0.borrow_mut().trainer.take() {
        return Ok(t);
    }
    let data = ensure_dataset(session, cfg, state).await?;
    state.update(|s| s.loading = None);
    // NoProp-CT reads its schedule's gradient back inside every step, which WebGPU in a page cannot wait for:
    // on *Auto* it runs on the CPU (choosing WebGPU explicitly gets the step's error message).
    let choice = match (cfg.backend, cfg.algorithm.as_str()) {
        (BackendChoice::Auto, "noprop-ct") => BackendChoice::Cpu,
        (choice, _) => choice,
    };
    let device = device_for(choice, session.0.borrow().gpu.clone(), probe)?;
    let mut trainer = Trainer::with_dataset(cfg, device, data)?;
    trainer.set_yield(std::rc::Rc::new(|| Box::pin(next_frame())));
    let device_text = trainer.device().describe();
    let parameters = trainer.parameter_count();
    let names = trainer.algorithm().local_loss_names();
    let reconstructs = trainer.algorithm().reconstructs();
    state.update(|s| {
        s.device = Some(device_text);
        s.parameters = parameters;
        s.loss_names = names;
        s.reconstructs = reconstructs;
    });
    Ok(trainer)
}

/// After an epoch: predictions for the gallery and, for CCL, the alignment matrix and the prototypes.
async fn image_views(trainer: &Trainer, state: RwSignal<TrainState>) -> Result<()> {
    let data = trainer.dataset();
    let Some(mut gallery) = gallery_of(data, GALLERY_SIZE) else { return Ok(()) };
    let output = trainer.test_logits(GALLERY_SIZE).await?;
    if trainer.algorithm().reconstructs() {
        let shape = gallery.shape;
        let labels = gallery.labels.clone();
        let mut out = Gallery::new(shape, &output, labels, gallery.class_names.clone());
        // Reconstructions are shown on the input's [0, 1] scale, not stretched per image.
        out.images = output.rows().into_iter().map(|r| r.iter().map(|v| v.clamp(0.0, 1.0)).collect()).collect();
        state.update(|s| {
            s.gallery = Some(gallery);
            s.reconstructions = Some(out);
        });
        return Ok(());
    }
    gallery.predictions = output
        .rows()
        .into_iter()
        .map(|r| r.iter().enumerate().fold(0, |best, (i, &v)| if v > r[best] { i } else { best }) as u32)
        .collect();
    let layer = state.with_untracked(|s| s.alignment_layer);
    let views = trainer.ccl_views(layer, ALIGNMENT_ROWS).await?;
    let noprop = trainer.noprop_views(TRAJECTORY_ROWS).await?;
    state.update(|s| {
        s.gallery = Some(gallery);
        s.ccl = views;
        s.noprop = noprop;
    });
    Ok(())
}

/// Trains until paused or for one epoch (Step). An image run also stops at its budget (`cfg.epochs`, as
/// `bpfree train` does: the schedules and the reported epoch depend on it); a 2-D run trains until paused.
pub fn run(session: SessionHandle, state: RwSignal<TrainState>, cfg: RunConfig, probe: AdapterProbe, one_epoch: bool) {
    state.update(|s| {
        s.running = true;
        s.error = None;
    });
    let graph = dataset_info(&cfg.dataset).map(|d| d.kind == DatasetKind::Graph).unwrap_or(false);
    spawn_local(async move {
        let session = session.get_value();
        let generation = session.0.borrow().generation;
        let done = if graph {
            super::graph_runner::train_loop(&session, generation, state, &cfg, &probe, one_epoch).await
        } else {
            train_loop(&session, generation, state, &cfg, &probe, one_epoch).await
        };
        if let Err(e) = done {
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
        let mut trainer = take_trainer(session, cfg, probe, state).await?;
        if session.0.borrow().generation != generation {
            return Ok(());
        }
        let budgeted = state.with_untracked(|s| s.image);
        if budgeted && trainer.epoch() >= cfg.epochs {
            session.0.borrow_mut().trainer = Some(trainer);
            return Ok(()); // the budget is spent: Reset (or another budget) starts over
        }
        let start = now_ms();
        while !trainer.epoch_complete() && now_ms() - start < SLICE_MS {
            trainer.step()?;
        }
        let mut finished = false;
        if trainer.epoch_complete() {
            let metrics = trainer.end_epoch().await?;
            let map = trainer.decision_map(MAP_RESOLUTION).await.ok();
            image_views(&trainer, state).await?;
            if session.0.borrow().generation != generation {
                return Ok(()); // reset while we waited: drop this trainer
            }
            let memory = match trainer.device() {
                Device::Gpu(g) => Some(g.memory()),
                Device::Cpu => None,
            };
            let diverged = metrics.divergence(cfg.optimizer.lr());
            let spent = (budgeted && trainer.epoch() >= cfg.epochs) || diverged.is_some();
            state.update(|s| {
                s.history.push(metrics);
                s.map = map;
                s.memory = memory;
                s.finished = spent;
                if diverged.is_some() {
                    s.error = diverged.clone();
                }
            });
            finished = one_epoch || spent;
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

/// Recomputes the image and CCL views now (e.g. after choosing another layer pair), if a trainer is idle.
pub fn refresh_views(session: SessionHandle, state: RwSignal<TrainState>) {
    if state.with_untracked(|s| s.running) {
        return; // the loop refreshes them after the epoch
    }
    spawn_local(async move {
        let session = session.get_value();
        let Some(trainer) = session.0.borrow_mut().trainer.take() else { return };
        let generation = session.0.borrow().generation;
        if let Err(e) = image_views(&trainer, state).await {
            state.update(|s| s.error = Some(e.to_string()));
        }
        let mut inner = session.0.borrow_mut();
        if inner.generation == generation && inner.trainer.is_none() {
            inner.trainer = Some(trainer);
        }
    });
}
