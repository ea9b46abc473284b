//! Recovering a graph run instead of losing it (the graph half of [`super::recovery`]): the page keeps a
//! [`GraphCheckpoint`] — every layer's weights on the host, the stage, the epoch counts, the per-depth results and
//! the stage's best checkpoint — after every stretch of epochs whose losses were numbers. When a loss stops being
//! a number ([`GraphTrainer::run_epoch`] pauses the run at that epoch) or the GPU fails, [`GraphTrainer::restart`]
//! builds the run again from it, with a lower learning rate or on the CPU. Greedy learners replay the freezing of
//! the finished stages ([`crate::algorithms::forwardgnn::NodeLearner::finish_stage`], which depends on the frozen
//! weights only), so the layers above start from the same inputs. The optimisers start afresh.

use super::GraphTrainer;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::tensor::{Device, Tensor};

/// A tensor read back to the host.
#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    /// `[rows, cols]`.
    pub shape: [usize; 2],
    /// Row-major values.
    pub data: Vec<f32>,
}

impl HostTensor {
    async fn read(t: &Tensor) -> Result<Self> {
        Ok(HostTensor { shape: t.shape(), data: t.to_vec().await? })
    }

    fn upload(&self, device: &Device) -> Result<Tensor> {
        device.tensor(self.shape[0], self.shape[1], &self.data)
    }
}

/// The best checkpoint of the stage in training, on the host.
#[derive(Clone, Debug, PartialEq)]
struct HostBest {
    stage: usize,
    val: f64,
    test: f64,
    epoch: usize,
    layers: Vec<Vec<HostTensor>>,
}

/// The state of a graph run after a stretch of good epochs.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphCheckpoint {
    /// Epochs run in all stages when it was taken (0: the initial weights).
    pub epochs: usize,
    /// The stage in training.
    pub stage: usize,
    stage_epoch: usize,
    bad_checks: usize,
    results: Vec<super::DepthResult>,
    last_scores: Vec<f32>,
    /// Every layer's parameters, bottom layer first.
    pub layers: Vec<Vec<HostTensor>>,
    best: Option<HostBest>,
}

/// The best checkpoint of the stage in training (on the trainer's device).
pub(super) struct Best {
    pub(super) val: f64,
    pub(super) test: f64,
    pub(super) epoch: usize,
    pub(super) checkpoint: Vec<Vec<Tensor>>,
}

/// What a graph trainer keeps for recovery.
#[derive(Default)]
pub(super) struct GraphRecovery {
    last_good: Option<GraphCheckpoint>,
    pub(super) diverged: Option<String>,
}

async fn read_all(layers: &[Vec<Tensor>]) -> Result<Vec<Vec<HostTensor>>> {
    let mut out = Vec::with_capacity(layers.len());
    for layer in layers {
        let mut host = Vec::with_capacity(layer.len());
        for t in layer {
            host.push(HostTensor::read(t).await?);
        }
        out.push(host);
    }
    Ok(out)
}

/// The first layer (1-based) holding a value that is not a number, and that value.
fn first_non_finite(layers: &[Vec<HostTensor>]) -> Option<(usize, f32)> {
    layers
        .iter()
        .enumerate()
        .find_map(|(l, layer)| layer.iter().flat_map(|t| t.data.iter()).find(|v| !v.is_finite()).map(|v| (l + 1, *v)))
}

impl GraphTrainer {
    /// Keeps the current state as the last good one (a readback of every weight; the stage's best checkpoint is
    /// read again only when it changed). A weight that is not a number is divergence too — a ReLU can hide it from
    /// the loss — so the run is marked diverged and the message returned.
    pub async fn checkpoint(&mut self) -> Result<Option<String>> {
        let values: Vec<Vec<Tensor>> =
            self.learner.gnn_layers().iter_mut().map(|l| l.snapshot()).collect::<Result<_>>()?;
        let layers = read_all(&values).await?;
        if let Some((layer, v)) = first_non_finite(&layers) {
            return Ok(Some(self.diverge(&format!("a weight of layer {layer}"), v)));
        }
        let kept = self.recovery.last_good.as_ref().and_then(|c| c.best.clone());
        let best = match &self.best {
            None => None,
            Some(b) => match kept {
                Some(h) if h.stage == self.stage && h.epoch == b.epoch => Some(h),
                _ => Some(HostBest {
                    stage: self.stage,
                    val: b.val,
                    test: b.test,
                    epoch: b.epoch,
                    layers: read_all(&b.checkpoint).await?,
                }),
            },
        };
        self.recovery.last_good = Some(GraphCheckpoint {
            epochs: self.epochs,
            stage: self.stage,
            stage_epoch: self.stage_epoch,
            bad_checks: self.bad_checks,
            results: self.results.clone(),
            last_scores: self.last_scores.clone(),
            layers,
            best,
        });
        Ok(None)
    }

    /// The last good checkpoint, if one was kept.
    pub fn last_good(&self) -> Option<&GraphCheckpoint> {
        self.recovery.last_good.as_ref()
    }

    /// Why the run stopped being trainable, if it did.
    pub fn diverged(&self) -> Option<&str> {
        self.recovery.diverged.as_deref()
    }

    /// Makes layer `layer`'s (0-based) weights not numbers, as a diverging step would (for tests of what follows).
    #[doc(hidden)]
    pub fn poison_for_test(&mut self, layer: usize) -> Result<()> {
        let device = self.device.clone();
        if let Some(layer) = self.learner.gnn_layers().get_mut(layer) {
            for p in layer.params_mut() {
                let [rows, cols] = p.value.shape();
                p.value = device.tensor(rows, cols, &vec![f32::NAN; rows * cols])?;
            }
        }
        Ok(())
    }

    /// Marks the run diverged at the epoch just run (`what` — "the loss of layer 2", say — became `value`) and says
    /// what was kept.
    pub(super) fn diverge(&mut self, what: &str, value: f32) -> String {
        let kept = match &self.recovery.last_good {
            Some(c) if c.epochs > 0 => format!("the weights of epoch {} are kept", c.epochs),
            Some(_) => "the initial weights are kept".into(),
            None => "no earlier weights were kept".into(),
        };
        let lr = self.learner.optimizers().first().map_or(f32::NAN, |o| o.lr());
        let message = format!(
            "Training diverged at epoch {} (a full-graph step): {what} became {value}. The run is paused and {kept}: \
             lower the learning rate (now {lr}) and press Train to continue from them.",
            self.epochs
        );
        self.recovery.diverged = Some(message.clone());
        message
    }

    /// Builds this run again from its last good checkpoint with `cfg` (a lower learning rate, say) on `device`
    /// (the CPU after a GPU failure): the same task, the checkpoint's weights, stage, epoch counts, per-depth
    /// results and best checkpoint. Fails if no checkpoint was kept or the model's shape changed.
    pub fn restart(&self, cfg: &RunConfig, device: Device) -> Result<GraphTrainer> {
        let Some(c) = self.recovery.last_good.clone() else {
            return Err(Error::invalid("restart", "no good weights were kept for this run"));
        };
        let mut fresh = GraphTrainer::with_target(cfg, self.target.clone(), device)?;
        fresh.lazy_test = self.lazy_test;
        fresh.watch = self.watch;
        let device = fresh.device.clone();
        let layers = fresh.learner.gnn_layers();
        if layers.len() != c.layers.len() {
            let (now, kept) = (layers.len(), c.layers.len());
            return Err(Error::invalid("restart", format!("the model has {now} layers, the kept weights {kept}")));
        }
        for (l, (layer, host)) in layers.iter_mut().zip(&c.layers).enumerate() {
            let shapes: Vec<[usize; 2]> = layer.params_mut().iter().map(|p| p.value.shape()).collect();
            let kept: Vec<[usize; 2]> = host.iter().map(|t| t.shape).collect();
            if shapes != kept {
                return Err(Error::invalid(
                    "restart",
                    format!("layer {} has parameters {shapes:?}, the kept weights {kept:?}", l + 1),
                ));
            }
            layer.restore(&host.iter().map(|t| t.upload(&device)).collect::<Result<Vec<_>>>()?)?;
        }
        for stage in 0..c.stage {
            fresh.learner.finish_stage(stage)?; // the frozen layers' outputs, as when each stage ended
        }
        fresh.stage = c.stage;
        fresh.stage_epoch = c.stage_epoch;
        fresh.epochs = c.epochs;
        fresh.bad_checks = c.bad_checks;
        fresh.results = c.results.clone();
        fresh.last_scores = c.last_scores.clone();
        fresh.best = match &c.best {
            Some(b) => Some(Best {
                val: b.val,
                test: b.test,
                epoch: b.epoch,
                checkpoint: b
                    .layers
                    .iter()
                    .map(|l| l.iter().map(|t| t.upload(&device)).collect::<Result<Vec<_>>>())
                    .collect::<Result<_>>()?,
            }),
            None => None,
        };
        fresh.recovery.last_good = Some(c);
        Ok(fresh)
    }
}
