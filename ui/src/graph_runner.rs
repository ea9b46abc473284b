//! The graph half of the page's runner: fetches and parses a shipped graph, lays small ones out for drawing,
//! and drives a [`GraphTrainer`] in time slices between animation frames (epochs are full-graph steps;
//! validation, early stopping and the greedy layer-by-layer stages follow ForwardGNN's protocol).

use super::page_run::{PageRun, Slice, StateChange};
use super::session::{device_for, fetch_dataset, next_frame, now_ms, Session, SessionHandle, SessionInner};
use super::{AdapterProbe, GraphPicture, TrainState};
use bpfree::config::RunConfig;
use bpfree::data::{argmax, dataset_info, force_layout, load_graph, Graph, LinkTask, NodeTask};
use bpfree::error::Result;
use bpfree::rng::Rng;
use bpfree::tensor::Device;
use bpfree::train::{GraphEpoch, GraphTarget, GraphTrainer};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::rc::Rc;
use std::sync::Arc;

/// Milliseconds of training per animation frame.
const SLICE_MS: f64 = 30.0;
/// Graphs up to this many nodes are drawn (the layout is `O(N²)` per iteration).
pub const MAX_DRAWN_NODES: usize = 400;

/// The graph of `cfg`, from the session's cache or fetched and parsed now.
async fn ensure_graph(session: &Session, cfg: &RunConfig, state: RwSignal<TrainState>) -> Result<Rc<Graph>> {
    if let Some((id, g)) = &session.inner().borrow().graph {
        if *id == cfg.dataset {
            return Ok(Rc::clone(g));
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
        next_frame().await;
    }
    let graph = Rc::new(load_graph(&cfg.dataset, &session.inner().borrow().files)?);
    session.inner().borrow_mut().graph = Some((cfg.dataset.clone(), Rc::clone(&graph)));
    Ok(graph)
}

/// The node task of `cfg` on `graph`: an uploaded graph's k-fold split is cut with the run's seed.
fn node_task(graph: &Graph, cfg: &RunConfig) -> Result<NodeTask> {
    if dataset_info(&cfg.dataset).is_ok_and(|d| d.uploaded()) {
        NodeTask::with_kfold_seed(graph, cfg.graph.fold, cfg.seed)
    } else {
        NodeTask::new(graph, cfg.graph.fold)
    }
}

fn picture(graph: &Graph, task: &NodeTask, link: bool) -> GraphPicture {
    let drawn = graph.num_nodes <= MAX_DRAWN_NODES;
    let edges: Vec<(u32, u32)> =
        if drawn { task.edges.iter().copied().filter(|(a, b)| a < b).collect() } else { Vec::new() };
    let positions = if drawn { force_layout(graph.num_nodes, &edges, 300, &mut Rng::new(7)) } else { Vec::new() };
    let mut split = vec![0u8; graph.num_nodes];
    for (code, nodes) in [(1u8, &task.train), (2, &task.val), (3, &task.test)] {
        for &i in nodes {
            split[i as usize] = code;
        }
    }
    GraphPicture {
        nodes: graph.num_nodes,
        undirected_edges: graph.undirected_edges(),
        classes: graph.num_classes,
        features: graph.num_features,
        positions,
        edges,
        labels: task.labels.clone(),
        split,
        split_source: task.split_source.to_string(),
        predictions: Vec::new(),
        class_names: task.class_names.clone(),
        link,
    }
}

/// Shows `cfg`'s graph before training.
pub fn show_graph(session: SessionHandle, state: RwSignal<TrainState>, cfg: &RunConfig) {
    let cfg = cfg.clone();
    spawn_local(async move {
        let session = session.get_value();
        let shown = async {
            let graph = ensure_graph(&session, &cfg, state).await?;
            let task = node_task(&graph, &cfg)?;
            Ok::<_, bpfree::error::Error>(picture(&graph, &task, cfg.graph.link))
        };
        match shown.await {
            Ok(p) => state.update(|s| {
                s.graph = Some(p);
                s.loading = None;
            }),
            Err(e) => state.update(|s| {
                s.loading = None;
                s.error = Some(e.to_string());
            }),
        }
    });
}

async fn take_trainer(
    session: &Session,
    cfg: &RunConfig,
    probe: &AdapterProbe,
    state: RwSignal<TrainState>,
) -> Result<GraphTrainer> {
    let kept = session.inner().borrow_mut().graph_trainer.take();
    if let Some(t) = kept {
        // a diverged run starts again from its last good weights, with the settings as they are now (a lower
        // learning rate, typically); the chart drops the points after them
        if t.diverged().is_some() {
            let fresh = t.restart(cfg, t.device().clone())?;
            let (epochs, depths) = (fresh.epochs(), fresh.results().to_vec());
            state.update(|s| {
                s.diverged = false;
                s.history.retain(|m| m.epoch <= epochs);
                s.depths = depths;
            });
            return Ok(fresh);
        }
        return Ok(t);
    }
    let graph = ensure_graph(session, cfg, state).await?;
    let target = if cfg.graph.link {
        GraphTarget::Links(Arc::new(LinkTask::new(&graph, cfg.graph.fold)?))
    } else {
        GraphTarget::Nodes(Arc::new(node_task(&graph, cfg)?))
    };
    let device = device_for(cfg.backend, session, probe, true)?;
    let mut trainer = GraphTrainer::with_target(cfg, target, device)?;
    trainer.watch_every_epoch();
    let pending = session.inner().borrow_mut().pending_weights.take();
    if let Some((file, w)) = pending {
        trainer.load_weights(&w).map_err(|e| bpfree::error::Error::invalid("weights", format!("{file}: {e}")))?;
    }
    trainer.checkpoint().await?; // the initial weights are the first good ones (a fresh model's are numbers)
    let (device_text, parameters) = (trainer.device().describe(), trainer.parameter_count());
    let backend = trainer.device().kind();
    state.update(|s| {
        s.loading = None;
        s.device = Some(device_text);
        s.backend = Some(backend.to_string());
        s.parameters = parameters;
        s.loss_names = GraphEpoch::loss_names(cfg);
    });
    Ok(trainer)
}

impl PageRun for GraphTrainer {
    async fn take(
        session: &Session,
        cfg: &RunConfig,
        probe: &AdapterProbe,
        state: RwSignal<TrainState>,
    ) -> Result<Self> {
        take_trainer(session, cfg, probe, state).await
    }

    /// Epochs for [`SLICE_MS`] (validation every second one adds a chart point), then the predictions and
    /// per-depth results; a finished or diverged run stops.
    async fn slice(&mut self, cfg: &RunConfig, state: RwSignal<TrainState>, one_epoch: bool) -> Result<Slice> {
        let names = GraphEpoch::loss_names(cfg);
        let start = now_ms();
        let mut points = Vec::new();
        let mut diverged = None;
        while !self.done() {
            let m = self.run_epoch().await?;
            let previous = points.last().cloned().or_else(|| state.with_untracked(|s| s.history.last().cloned()));
            points.extend(m.chart_point(&names, previous.as_ref()));
            if m.diverged.is_some() {
                diverged = m.diverged; // paused at this epoch; Train continues from the kept weights
                break;
            }
            if one_epoch || now_ms() - start > SLICE_MS {
                break;
            }
        }
        if diverged.is_none() {
            diverged = self.checkpoint().await?; // a weight that is not a number pauses the run too
        }
        let k = self.node_task().map_or(1, |t| t.num_classes);
        let predictions: Vec<u32> = match self.node_task() {
            Some(_) => self.last_scores().chunks(k.max(1)).map(|r| argmax(r) as u32).collect(),
            None => Vec::new(), // link prediction: no per-node class
        };
        let (depths, finished, paused) = (self.results().to_vec(), self.done(), diverged.is_some());
        let memory = match self.device() {
            Device::Gpu(g) => Some(g.memory()),
            Device::Cpu => None,
        };
        let steps = self.epochs() as u64; // a graph epoch is one full-graph step
        let update: StateChange = Box::new(move |s| {
            s.steps = steps;
            s.history.extend(points);
            s.depths = depths;
            s.memory = memory;
            if let Some(p) = &mut s.graph {
                if !predictions.is_empty() {
                    p.predictions = predictions;
                }
            }
            if finished {
                s.running = false;
                s.finished = true;
            }
            if diverged.is_some() {
                s.error = diverged;
                s.diverged = true;
            }
        });
        Ok(Slice { update: Some(update), stop: one_epoch || finished || paused })
    }

    fn recover(&self, cfg: &RunConfig, error: &bpfree::error::Error) -> Option<(Self, String)> {
        if !matches!(error, bpfree::error::Error::Gpu(_)) || matches!(self.device(), Device::Cpu) {
            return None;
        }
        let fresh = self.restart(cfg, Device::Cpu).ok()?;
        let from = match self.last_good().map_or(0, |c| c.epochs) {
            0 => "its initial weights".to_string(),
            e => format!("the weights of epoch {e}"),
        };
        Some((
            fresh,
            format!("The GPU failed ({error}). The run continues on the CPU from {from}; the numbers so far are kept."),
        ))
    }

    fn store(self, session: &mut SessionInner) {
        session.graph_trainer = Some(self);
    }
}
