//! Runs on the 2-D sets and on images: the [`Trainer`] driven by the page's loop ([`super::train_loop`]) in time
//! slices between animation frames, metrics and views read back once per epoch.

use super::page_run::{PageRun, Slice, StateChange};
use super::session::{device_for, fetch_dataset, next_frame, now_ms, Session, SessionHandle, SessionInner};
use super::{AdapterProbe, Gallery, TrainState};
use bpfree::algorithms::algorithm_info;
use bpfree::config::RunConfig;
use bpfree::data::{dataset_info, Dataset};
use bpfree::error::Result;
use bpfree::tensor::{BackendChoice, Device};
use bpfree::train::{load_dataset, Trainer};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;

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

fn dataset_key(cfg: &RunConfig) -> String {
    // everything `load_dataset` reads: the draw, the split and the autoencoder's padding
    format!("{}#{}#{:?}#{}#{:?}", cfg.dataset, cfg.seed, cfg.data, cfg.validation, cfg.arch)
}

/// The dataset of `cfg`, from the session's cache or fetched and parsed now.
async fn ensure_dataset(session: &Session, cfg: &RunConfig, state: RwSignal<TrainState>) -> Result<Arc<Dataset>> {
    let key = dataset_key(cfg);
    if let Some((k, data)) = &session.inner().borrow().dataset {
        if *k == key {
            return Ok(data.clone());
        }
    }
    let info = dataset_info(&cfg.dataset)?;
    let missing: Vec<String> =
        info.files().into_iter().filter(|f| !session.inner().borrow().files.contains_key(f)).collect();
    if !missing.is_empty() && info.uploaded() {
        return Err(info.not_uploaded());
    }
    if !missing.is_empty() {
        fetch_dataset(session, info, missing, state).await?;
        state.update(|s| s.loading = Some(format!("Decoding {}…", info.label)));
        next_frame().await;
    }
    let data = Arc::new(load_dataset(cfg, &session.inner().borrow().files)?);
    session.inner().borrow_mut().dataset = Some((key, data.clone()));
    Ok(data)
}

/// Test images of `data` for the gallery, scaled per image to `[0, 1]` for display.
fn gallery_of(data: &Dataset, rows: usize) -> Option<Gallery> {
    let shape = data.image?;
    let rows = rows.min(data.y_test.len());
    let pixels = data.x_test.slice(ndarray::s![..rows, ..]).to_owned();
    Some(Gallery::new(shape, &pixels, data.y_test[..rows].to_vec(), data.class_names.clone()))
}

/// Shows `cfg`'s 2-D points or test images before any training (image datasets are fetched first).
pub(super) fn show_vectors(session: SessionHandle, state: RwSignal<TrainState>, cfg: &RunConfig) {
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

/// Takes the trainer out of the session (building it from `cfg` if there is none), so no borrow is held
/// across an await.
async fn take_trainer(
    session: &Session,
    cfg: &RunConfig,
    probe: &AdapterProbe,
    state: RwSignal<TrainState>,
) -> Result<Trainer> {
    let kept = session.inner().borrow_mut().trainer.take();
    if let Some(t) = kept {
        // a diverged run starts again from its last good weights, with the settings as they are now (a lower
        // learning rate, typically)
        if t.diverged().is_some() {
            let fresh = t.restart(cfg, t.device().clone())?;
            state.update(|s| s.diverged = false);
            return Ok(fresh);
        }
        return Ok(t);
    }
    let data = ensure_dataset(session, cfg, state).await?;
    state.update(|s| s.loading = None);
    // NoProp-CT reads its schedule's gradient back inside every step, which WebGPU in a page cannot wait for:
    // on *Auto* it runs on the CPU (choosing WebGPU explicitly gets the step's error message).
    let reads_back = algorithm_info(&cfg.algorithm).is_ok_and(|a| a.reads_back_in_step);
    let choice = match (cfg.backend, reads_back) {
        (BackendChoice::Auto, true) => BackendChoice::Cpu,
        (choice, _) => choice,
    };
    let device = device_for(choice, session, probe, state.with_untracked(|s| s.image))?;
    cfg.check_fits(None, super::session::wasm_memory_left())?;
    let mut trainer = Trainer::with_dataset(cfg, device, data)?;
    trainer.set_yield(std::rc::Rc::new(|| Box::pin(next_frame())));
    let pending = session.inner().borrow_mut().pending_weights.take();
    if let Some((file, w)) = pending {
        trainer.load_weights(&w).map_err(|e| bpfree::error::Error::invalid("weights", format!("{file}: {e}")))?;
    }
    trainer.checkpoint().await?; // the initial weights are the first good ones
    let device_text = trainer.device().describe();
    let backend = trainer.device().kind();
    let parameters = trainer.parameter_count();
    let names = trainer.algorithm().local_loss_names();
    let reconstructs = trainer.algorithm().reconstructs();
    state.update(|s| {
        s.device = Some(device_text);
        s.backend = Some(backend.to_string());
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

/// The slice that pauses a diverged run: the message names the step and what was kept; Train continues from the
/// kept weights with the settings of then (`take_trainer`), and a new learning rate does not reset the run.
fn diverged(message: String) -> Slice {
    Slice {
        update: Some(Box::new(move |s: &mut TrainState| {
            s.error = Some(message);
            s.diverged = true;
        })),
        stop: true,
    }
}

impl PageRun for Trainer {
    async fn take(
        session: &Session,
        cfg: &RunConfig,
        probe: &AdapterProbe,
        state: RwSignal<TrainState>,
    ) -> Result<Self> {
        take_trainer(session, cfg, probe, state).await
    }

    /// Steps for [`SLICE_MS`]; at the end of an epoch reads the metrics, the decision map and the views back.
    /// An image run stops at its budget (`cfg.epochs`, as `bpfree train` does: the schedules and the reported
    /// epoch depend on it); a 2-D run trains until paused.
    async fn slice(&mut self, cfg: &RunConfig, state: RwSignal<TrainState>, one_epoch: bool) -> Result<Slice> {
        let budgeted = state.with_untracked(|s| s.image);
        if budgeted && self.epoch() >= cfg.epochs {
            return Ok(Slice { update: None, stop: true }); // the budget is spent: Reset (or another budget) starts over
        }
        let start = now_ms();
        let since = self.steps();
        // a loss that stops being a number pauses the run: after every step on the CPU (reading one number back
        // is free), once per slice on the GPU
        let per_step = matches!(self.device(), Device::Cpu);
        let one_batch = state.with_untracked(|s| s.one_batch);
        let mut checked = since;
        while !self.epoch_complete() && now_ms() - start < SLICE_MS {
            self.step()?;
            if one_batch {
                break; // "Step (1 batch)"
            }
            if per_step {
                if let Some(message) = self.check_divergence(checked).await? {
                    return Ok(diverged(message));
                }
                checked = self.steps();
            }
        }
        if !per_step {
            if let Some(message) = self.check_divergence(since).await? {
                return Ok(diverged(message));
            }
        }
        if !self.epoch_complete() {
            let (progress, steps) = (self.epoch_progress(), self.steps());
            let update: StateChange = Box::new(move |s| {
                s.progress = progress;
                s.steps = steps;
                s.one_batch = false;
            });
            return Ok(Slice { update: Some(update), stop: one_batch });
        }
        let metrics = self.end_epoch().await?;
        next_frame().await; // the views in a task of their own: epoch ends were the page's longest tasks
        let map = self.decision_map(MAP_RESOLUTION).await.ok();
        image_views(self, state).await?;
        let memory = match self.device() {
            Device::Gpu(g) => Some(g.memory()),
            Device::Cpu => None,
        };
        let diverged = metrics.divergence(cfg.optimizer.lr());
        if diverged.is_none() {
            self.checkpoint().await?;
        }
        let spent = (budgeted && self.epoch() >= cfg.epochs) || diverged.is_some();
        // "Compare with backprop" trains a 2-D counterpart as long as the pinned run, then pauses it
        let pause = state.with_untracked(|s| s.pause_at).is_some_and(|e| self.epoch() >= e);
        let stop = one_epoch || spent || pause;
        let steps = self.steps();
        let confusion = self.confusion().to_vec();
        let update: StateChange = Box::new(move |s| {
            s.one_batch = false;
            s.confusion = confusion;
            s.progress = 0.0;
            s.steps = steps;
            s.history.push(metrics);
            s.map = map;
            s.memory = memory;
            s.finished = spent;
            if pause {
                s.pause_at = None;
            }
            if diverged.is_some() {
                s.error = diverged;
            }
        });
        Ok(Slice { update: Some(update), stop })
    }

    fn recover(&self, cfg: &RunConfig, error: &bpfree::error::Error) -> Option<(Self, String)> {
        if !matches!(error, bpfree::error::Error::Gpu(_)) || matches!(self.device(), Device::Cpu) {
            return None;
        }
        let fresh = self.restart(cfg, Device::Cpu).ok()?;
        let from = match self.last_good().map_or(0, |c| c.epoch) {
            0 => "its initial weights".to_string(),
            e => format!("the weights of epoch {e}"),
        };
        Some((
            fresh,
            format!("The GPU failed ({error}). The run continues on the CPU from {from}; the numbers so far are kept."),
        ))
    }

    fn store(self, session: &mut SessionInner) {
        session.trainer = Some(self);
    }
}

/// Recomputes the image and CCL views now (e.g. after choosing another layer pair), if a trainer is idle.
pub fn refresh_views(session: SessionHandle, state: RwSignal<TrainState>) {
    if let Some(link) = super::session::worker(session) {
        link.post(&super::protocol::Command::RefreshViews { layer: state.with_untracked(|s| s.alignment_layer) });
        return;
    }
    if state.with_untracked(|s| s.running) {
        return; // the loop refreshes them after the epoch
    }
    spawn_local(async move {
        let session = session.get_value();
        let Some(trainer) = session.inner().borrow_mut().trainer.take() else { return };
        let generation = session.inner().borrow().generation;
        if let Err(e) = image_views(&trainer, state).await {
            state.update(|s| s.error = Some(e.to_string()));
        }
        let mut inner = session.inner().borrow_mut();
        if inner.generation == generation && inner.trainer.is_none() {
            inner.trainer = Some(trainer);
        }
    });
}
