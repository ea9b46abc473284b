//! The page's one training loop, shared by every kind of run ([`PageRun`]: 2-D sets and images, graphs): it takes
//! the run out of the session, trains a slice, applies what the slice learned to the page's state unless a Reset
//! came meanwhile, puts the run back and waits for the next animation frame, so the page never freezes. Also the
//! entry points the controls call: show a dataset, train, step, pause, reset. On a page with a training worker
//! ([`super::worker_link`]) they send the worker the command instead, and the worker runs this same code.

use super::page_run::PageRun;
use super::protocol::{Command, Controls};
use super::session::{next_frame, now_ms, worker, Session, SessionHandle};
use super::{graph_runner, runner, AdapterProbe, TrainState};
use bpfree::config::RunConfig;
use bpfree::data::{dataset_info, DatasetKind};
use bpfree::error::Result;
use bpfree::train::{GraphTrainer, Trainer};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Trains until paused, finished, or (Step) one epoch; stops at once when a Reset bumps the generation.
async fn train_loop<R: PageRun>(
    session: &Session,
    generation: u64,
    state: RwSignal<TrainState>,
    cfg: &RunConfig,
    probe: &AdapterProbe,
    one_epoch: bool,
) -> Result<()> {
    let current = || session.inner().borrow().generation == generation;
    let mut first = true;
    loop {
        if !state.with_untracked(|s| s.running) || !current() {
            return Ok(());
        }
        let mut run = R::take(session, cfg, probe, state).await?;
        if !current() {
            return Ok(());
        }
        if std::mem::take(&mut first) {
            // building the run and its first slice in separate tasks: the click on Train stays short
            run.store(&mut session.inner().borrow_mut());
            next_frame().await;
            continue;
        }
        let started = now_ms();
        let slice = match run.slice(cfg, state, one_epoch).await {
            Ok(slice) => slice,
            Err(e) => {
                let Some((fresh, message)) = run.recover(cfg, &e) else { return Err(e) };
                drop(run);
                if let Some(gpu) = &session.inner().borrow().gpu {
                    gpu.trim(); // no buffer of the failed device is handed out again
                }
                state.update(|s| {
                    s.error = Some(message);
                    s.device = Some("CPU (after a GPU error)".into());
                    s.backend = Some("cpu".into());
                });
                fresh.store(&mut session.inner().borrow_mut());
                continue;
            }
        };
        if !current() {
            return Ok(()); // reset while we waited: drop this run
        }
        let seconds = (now_ms() - started) / 1000.0;
        state.update(move |s| {
            s.seconds += seconds; // the runs table's wall time and steps per second
            if let Some(update) = slice.update {
                update(s);
            }
        });
        run.store(&mut session.inner().borrow_mut());
        if slice.stop {
            return Ok(());
        }
        next_frame().await;
    }
}

fn is_graph(cfg: &RunConfig) -> bool {
    dataset_info(&cfg.dataset).is_ok_and(|d| d.kind == DatasetKind::Graph)
}

/// Trains until paused or for one epoch (Step).
pub fn run(session: SessionHandle, state: RwSignal<TrainState>, cfg: RunConfig, probe: AdapterProbe, one_epoch: bool) {
    state.update(|s| {
        s.running = true;
        s.error = None;
    });
    if let Some(link) = worker(session) {
        link.post_write(&Command::Train { cfg, one_epoch, controls: state.with_untracked(Controls::of) });
        return;
    }
    spawn_local(async move {
        let session = session.get_value();
        let generation = session.inner().borrow().generation;
        let done = if is_graph(&cfg) {
            train_loop::<GraphTrainer>(&session, generation, state, &cfg, &probe, one_epoch).await
        } else {
            train_loop::<Trainer>(&session, generation, state, &cfg, &probe, one_epoch).await
        };
        if let Err(e) = done {
            state.update(|s| s.error = Some(e.to_string()));
        }
        if session.inner().borrow().generation == generation {
            state.update(|s| s.running = false);
        }
    });
}

/// Pauses the run after the slice in progress.
pub fn pause(session: SessionHandle, state: RwSignal<TrainState>) {
    state.update(|s| s.running = false);
    if let Some(link) = worker(session) {
        link.post_write(&Command::Pause);
    }
}

/// Shows `cfg`'s dataset (before any training) and clears the results.
pub fn show_dataset(session: SessionHandle, state: RwSignal<TrainState>, cfg: &RunConfig) {
    clear_results(state, cfg);
    if let Some(link) = worker(session) {
        let controls = state.with_untracked(Controls::of);
        link.post(&Command::Show { cfg: cfg.clone(), generation: link.next_generation(), controls });
    } else if is_graph(cfg) {
        graph_runner::show_graph(session, state, cfg);
    } else {
        runner::show_vectors(session, state, cfg);
    }
}

/// Clears the results of the run before.
fn clear_results(state: RwSignal<TrainState>, cfg: &RunConfig) {
    let image = dataset_info(&cfg.dataset).is_ok_and(|d| d.kind == DatasetKind::Image);
    state.update(|s| {
        s.graph = None;
        s.depths.clear();
        s.map = None;
        s.history.clear();
        s.seconds = 0.0;
        s.steps = 0;
        s.progress = 0.0;
        s.one_batch = false;
        s.confusion.clear();
        s.finished = false;
        s.device = None;
        s.backend = None;
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
}

/// Drops the runs and the results; the next Train starts over from `cfg`.
pub fn reset(session: SessionHandle, state: RwSignal<TrainState>, cfg: &RunConfig) {
    let link = worker(session);
    session.with_value(|s| {
        let mut inner = s.inner().borrow_mut();
        inner.trainer = None;
        inner.graph_trainer = None;
        inner.generation += 1;
        if let Some(gpu) = &inner.gpu {
            gpu.trim(); // the pool of the runs before starts empty again
        }
    });
    state.update(|s| {
        s.running = false;
        s.error = None;
        s.diverged = false;
        s.pause_at = None;
        s.demo = false;
        s.compare_when_done = false;
    });
    match link {
        Some(link) => {
            clear_results(state, cfg);
            link.post(&Command::Reset { cfg: cfg.clone(), generation: link.next_generation() });
        }
        None => show_dataset(session, state, cfg),
    }
}
