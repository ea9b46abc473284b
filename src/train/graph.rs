//! [`GraphTrainer`]: drives a [`NodeLearner`] through ForwardGNN's protocol (docs/algorithms/forwardgnn.md,
//! "Protocol and hyper-parameters"): full-graph epochs; validation every `val_every` epochs (at epochs 1, 3, 5,
//! … 0-based); a checkpoint whenever validation accuracy is strictly better; a stage ends after `patience`
//! checks without improvement or `epochs` epochs, then the best checkpoint is restored and its test accuracy
//! reported. Greedy variants run one stage per layer and report every depth as a prefix; the others run one
//! stage.

use crate::algorithms::forwardgnn::NodeLearner;
use crate::algorithms::{algorithm_info, AlgorithmInfo};
use crate::config::RunConfig;
use crate::data::{roc_auc, LinkTask, NodeTask};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::Device;
use crate::train::graph_recovery::{Best, GraphRecovery};
use crate::train::EpochMetrics;
use std::sync::Arc;

/// The result of one finished stage: the model of `layers` layers with the restored best weights.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DepthResult {
    /// Layers of the evaluated model.
    pub layers: usize,
    /// Best validation accuracy (fraction).
    pub val_accuracy: f64,
    /// Test accuracy of the restored best checkpoint (fraction).
    pub test_accuracy: f64,
    /// Epochs the stage ran.
    pub epochs: usize,
    /// The stage epoch of the best checkpoint (0-based).
    pub best_epoch: usize,
}

/// What one epoch did.
#[derive(Clone, Debug, Default)]
pub struct GraphEpoch {
    /// Stage trained (greedy: the layer, 0-based).
    pub stage: usize,
    /// Epochs run so far in all stages.
    pub epoch: usize,
    /// Named losses of the trained layers, read on validation epochs.
    pub losses: Vec<(String, f32)>,
    /// Validation accuracy, on validation epochs.
    pub val_accuracy: Option<f64>,
    /// Test accuracy of the same model, on validation epochs.
    pub test_accuracy: Option<f64>,
    /// The stage that ended with this epoch.
    pub finished: Option<DepthResult>,
    /// Why the run stopped here: a loss was not a number (the message names the epoch, the layer and the
    /// weights kept; [`GraphTrainer::restart`] continues from them).
    pub diverged: Option<String>,
}

impl GraphEpoch {
    /// The names of a graph run's losses as [`GraphEpoch::chart_point`] orders them: one per layer, or the
    /// backprop baseline's cross-entropy.
    pub fn loss_names(cfg: &RunConfig) -> Vec<String> {
        match algorithm_info(&cfg.algorithm) {
            Ok(a) if a.family == crate::algorithms::Family::Backprop => vec!["cross-entropy".into()],
            _ => (1..=cfg.graph.layers).map(|l| format!("layer {l}")).collect(),
        }
    }

    /// This epoch as a point of the page's charts and of a results file: only validation epochs make one; a
    /// layer's loss stays at its last value (`previous`) once the layer is frozen; the training loss is the mean
    /// of the layers trained in this epoch.
    pub fn chart_point(&self, names: &[String], previous: Option<&EpochMetrics>) -> Option<EpochMetrics> {
        let val = self.val_accuracy?;
        let mut local = previous.map_or_else(|| vec![f32::NAN; names.len()], |p| p.local_losses.clone());
        local.resize(names.len(), f32::NAN);
        for (name, v) in &self.losses {
            if let Some(i) = names.iter().position(|n| n == name) {
                local[i] = *v;
            }
        }
        let trained: Vec<f32> = self.losses.iter().map(|(_, v)| *v).collect();
        Some(EpochMetrics {
            epoch: self.epoch,
            steps: self.epoch as u64,
            train_loss: trained.iter().sum::<f32>() / trained.len().max(1) as f32,
            test_loss: f32::NAN,
            train_accuracy: f32::NAN,
            test_accuracy: self.test_accuracy.unwrap_or(0.0) as f32,
            val_loss: None,
            val_accuracy: Some(val as f32),
            local_losses: local,
        })
    }
}

/// What a graph run learns.
#[derive(Clone, Debug)]
pub enum GraphTarget {
    /// Node classification; the metric is accuracy.
    Nodes(Arc<NodeTask>),
    /// Link prediction; the metric is ROC-AUC.
    Links(Arc<LinkTask>),
}

/// A graph run in progress. [`DepthResult`] and [`GraphEpoch`] carry accuracies for node classification and
/// ROC-AUC for link prediction.
pub struct GraphTrainer {
    pub(super) target: GraphTarget,
    pub(super) learner: Box<dyn NodeLearner>,
    algorithm: &'static AlgorithmInfo,
    pub(super) device: Device,
    max_epochs: usize,
    patience: usize,
    val_every: usize,
    pub(super) stage: usize,
    pub(super) stage_epoch: usize,
    pub(super) epochs: usize,
    pub(super) best: Option<Best>,
    pub(super) bad_checks: usize,
    pub(super) results: Vec<DepthResult>,
    pub(super) last_scores: Vec<f32>,
    /// Score the test split only when validation improves (see [`GraphTrainer::test_only_on_improvement`]).
    pub(super) lazy_test: bool,
    /// Read the losses after every epoch, not only at validation checks (see [`GraphTrainer::watch_every_epoch`]).
    pub(super) watch: bool,
    pub(super) recovery: GraphRecovery,
}

impl GraphTrainer {
    /// Builds the node classifier of `cfg.algorithm` on `task` with weights drawn from `cfg.seed`.
    pub fn new(cfg: &RunConfig, task: Arc<NodeTask>, device: Device) -> Result<Self> {
        Self::with_target(cfg, GraphTarget::Nodes(task), device)
    }

    /// Builds the learner of `cfg.algorithm` for `target`.
    pub fn with_target(cfg: &RunConfig, target: GraphTarget, device: Device) -> Result<Self> {
        cfg.validate()?;
        let algorithm = algorithm_info(&cfg.algorithm)?;
        if !(1..=8).contains(&cfg.graph.layers) {
            return Err(Error::invalid("layers", format!("{} (use 1 to 8)", cfg.graph.layers)));
        }
        let mut rng = Rng::new(cfg.seed);
        let mut learner = match &target {
            GraphTarget::Nodes(task) => {
                let build = algorithm.nodes.ok_or_else(|| not_for(algorithm, "classify nodes"))?;
                build(task, cfg, &device, &mut rng)?
            }
            GraphTarget::Links(task) => {
                let build = algorithm.links.ok_or_else(|| not_for(algorithm, "predict links"))?;
                build(task, cfg, &device, &mut rng)?
            }
        };
        for o in learner.optimizers() {
            o.set_lr(cfg.optimizer.lr()); // the paper's 1e-3 unless the run asks for another (Eq. (21))
        }
        Ok(GraphTrainer {
            target,
            learner,
            algorithm,
            device,
            max_epochs: cfg.epochs.max(1),
            patience: cfg.graph.patience.max(1),
            val_every: cfg.graph.val_every.max(1),
            stage: 0,
            stage_epoch: 0,
            epochs: 0,
            best: None,
            bad_checks: 0,
            results: Vec::new(),
            last_scores: Vec::new(),
            lazy_test: false,
            watch: false,
            recovery: GraphRecovery::default(),
        })
    }

    /// True once every stage has finished.
    pub fn done(&self) -> bool {
        self.stage >= self.learner.stages()
    }

    /// The per-depth results so far.
    pub fn results(&self) -> &[DepthResult] {
        &self.results
    }

    /// Class scores (`N x K`, row-major) of the last validation, as used for the test nodes.
    pub fn last_scores(&self) -> &[f32] {
        &self.last_scores
    }

    /// Epochs run in all stages.
    pub fn epochs(&self) -> usize {
        self.epochs
    }

    /// The node-classification task, if that is what this run learns.
    pub fn node_task(&self) -> Option<&NodeTask> {
        match &self.target {
            GraphTarget::Nodes(t) => Some(t),
            GraphTarget::Links(_) => None,
        }
    }

    /// The registry entry of the learner trained.
    pub fn algorithm(&self) -> &'static AlgorithmInfo {
        self.algorithm
    }

    /// The device.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The stage being trained.
    pub fn stage(&self) -> usize {
        self.stage
    }

    /// Trainable scalars.
    pub fn parameter_count(&mut self) -> usize {
        self.learner.parameter_count()
    }

    /// Names of the losses of the current stage.
    pub fn loss_names(&self) -> Vec<String> {
        self.learner.loss_names(self.stage.min(self.learner.stages().saturating_sub(1)))
    }

    /// Scores the test split only at checks where validation improves — the only test numbers a run
    /// reports are those of its best checkpoints — where the learner scores the splits in separate passes
    /// (link prediction: the test pairs on the training ∪ validation graph). The results are the same;
    /// [`GraphEpoch::test_accuracy`] is `None` at the other checks. The command line does this; the page
    /// keeps plotting the test curve at every check.
    pub fn test_only_on_improvement(&mut self) {
        self.lazy_test = true;
    }

    /// Reads the losses after every epoch (a full-graph step), so that a loss that stops being a number is caught
    /// at the step where it happens; otherwise only validation epochs read them. The page does this.
    pub fn watch_every_epoch(&mut self) {
        self.watch = true;
    }

    /// Accuracy (nodes) or ROC-AUC (links) of `scores` on split 0 (validation) or 1 (test).
    fn metric(&self, scores: &[f32], split: usize) -> f64 {
        match (&self.target, split) {
            (GraphTarget::Nodes(t), 0) => t.accuracy(scores, &t.val),
            (GraphTarget::Nodes(t), _) => t.accuracy(scores, &t.test),
            (GraphTarget::Links(t), 0) => roc_auc(scores, &t.val.labels),
            (GraphTarget::Links(t), _) => roc_auc(scores, &t.test.labels),
        }
    }

    /// Validation metric and, unless deferred, the test metric of the current model.
    async fn validate(&mut self) -> Result<(f64, Option<f64>)> {
        if self.lazy_test {
            if let Some(val) = self.learner.split_scores(self.stage, 0)? {
                return Ok((self.metric(&val.to_vec().await?, 0), None));
            }
        }
        let scores = self.learner.scores(self.stage)?;
        let val = scores.val.to_vec().await?;
        let test = match &scores.test {
            Some(t) => t.to_vec().await?,
            None => val.clone(),
        };
        let metrics = (self.metric(&val, 0), Some(self.metric(&test, 1)));
        self.last_scores = test;
        Ok(metrics)
    }

    /// The test metric of the current model, when [`GraphTrainer::validate`] deferred it.
    async fn test_metric(&mut self) -> Result<f64> {
        let test = match self.learner.split_scores(self.stage, 1)? {
            Some(t) => t.to_vec().await?,
            None => return Err(Error::invalid("train", "the learner scores no test split alone")),
        };
        let metric = self.metric(&test, 1);
        self.last_scores = test;
        Ok(metric)
    }

    /// Runs one epoch of the current stage (and ends the stage when the protocol says so).
    pub async fn run_epoch(&mut self) -> Result<GraphEpoch> {
        if self.done() {
            return Err(Error::invalid("train", "the graph run has finished"));
        }
        if let Some(why) = &self.recovery.diverged {
            return Err(Error::Diverged(why.clone()));
        }
        let losses = self.learner.train_epoch(self.stage)?;
        let e = self.stage_epoch;
        self.stage_epoch += 1;
        self.epochs += 1;
        let mut out = GraphEpoch { stage: self.stage, epoch: self.epochs, ..Default::default() };
        let check = (e + 1).is_multiple_of(self.val_every) && e > 0;
        let last = self.stage_epoch >= self.max_epochs;
        if check || last || self.watch {
            let names = self.learner.loss_names(self.stage);
            for (name, l) in names.into_iter().zip(&losses) {
                out.losses.push((name, l.to_vec().await?.first().copied().unwrap_or(f32::NAN)));
            }
        }
        if let Some((name, loss)) = out.losses.iter().find(|(_, v)| !v.is_finite()) {
            out.diverged = Some(self.diverge(&format!("the loss of {name}"), *loss)); // no validation of weights that are not numbers
            return Ok(out);
        }
        if check || (last && self.best.is_none()) {
            let (val, test) = self.validate().await?;
            let improved = self.best.as_ref().is_none_or(|b| val > b.val);
            let test = match test {
                None if improved => Some(self.test_metric().await?),
                t => t,
            };
            out.val_accuracy = Some(val);
            out.test_accuracy = test;
            if let (true, Some(test)) = (improved, test) {
                let checkpoint = self.learner.checkpoint(self.stage)?;
                self.best = Some(Best { val, test, epoch: e, checkpoint });
                self.bad_checks = 0;
            } else {
                self.bad_checks += 1;
            }
        }
        if self.bad_checks >= self.patience || last {
            out.finished = Some(self.finish_stage()?);
        }
        Ok(out)
    }

    fn finish_stage(&mut self) -> Result<DepthResult> {
        let best = self.best.take().ok_or_else(|| Error::invalid("train", "a stage ended before any validation"))?;
        self.learner.restore(self.stage, &best.checkpoint)?;
        self.learner.finish_stage(self.stage)?;
        let layers = if self.algorithm.greedy { self.stage + 1 } else { self.learner.layers() };
        let result = DepthResult {
            layers,
            val_accuracy: best.val,
            test_accuracy: best.test,
            epochs: self.stage_epoch,
            best_epoch: best.epoch,
        };
        self.results.push(result.clone());
        self.stage += 1;
        self.stage_epoch = 0;
        self.bad_checks = 0;
        Ok(result)
    }
}

/// The error for a graph learner asked to do a task it does not do.
fn not_for(algorithm: &AlgorithmInfo, task: &str) -> Error {
    Error::invalid("algorithm", format!("{} does not {task}: choose another task or algorithm", algorithm.paper_name))
}
