//! The training loop as a resumable step function. [`Trainer::step`] runs one mini-batch and never waits for
//! the device; [`Trainer::end_epoch`] reads the metrics back. The CLI drives it in a plain loop, the page in
//! time slices between animation frames.

use crate::algorithms::{algorithm_info, Algorithm, Problem};
use crate::config::{RunConfig, Selection};
use crate::data::{self, DataFiles, Dataset};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{add_scaled, sum_rows, Device, Tensor};
use ndarray::{Array2, Axis};
use std::sync::Arc;

mod augment;
mod evaluate;
mod graph;
mod graph_recovery;
mod graph_weights;
mod metrics;
mod mlp_bench;
mod progress;
mod recovery;
mod views;
mod weights;

pub use augment::augment;
pub use graph::{DepthResult, GraphEpoch, GraphTarget, GraphTrainer};
pub use graph_recovery::{GraphCheckpoint, HostTensor};
pub use metrics::{select_epoch, EpochMetrics};
pub use mlp_bench::{bench_mlp_config, bench_mlp_data, BENCH_BATCH, BENCH_FLOP_PER_SAMPLE};
pub use recovery::Checkpoint;
pub use views::{CclViews, NoPropViews};
pub use weights::{NamedTensor, Weights};

/// Rows evaluated per forward pass (bounds device memory during evaluation).
const EVAL_CHUNK: usize = 2048;
/// Rows per forward pass when the trainer yields between chunks (the page: NoProp's ten blocks on the wasm CPU
/// take seconds per 2,048 images, which would freeze the page).
const YIELDING_EVAL_CHUNK: usize = 256;

/// Awaited between evaluation chunks so that a page can repaint and stay responsive (the CLI sets none).
pub type YieldFn = std::rc::Rc<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>;
/// Training examples the per-epoch train accuracy is measured on (the first of the shuffled split).
pub const TRAIN_EVAL_LIMIT: usize = 10_000;

/// Class-1 (or per-class) probabilities on a grid over the plane, for the decision map.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecisionMap {
    /// Cells per side.
    pub resolution: usize,
    /// `[x_min, x_max, y_min, y_max]`.
    pub plane: [f32; 4],
    /// Row-major `resolution x resolution` probabilities of class 1, row 0 at `y_max` (top).
    pub probability: Vec<f32>,
}

/// A run in progress: data on the device, the algorithm, and where in the epoch it stands.
pub struct Trainer {
    cfg: RunConfig,
    device: Device,
    data: Arc<Dataset>,
    /// Training examples used: all, or the first `cfg.train_limit`.
    train_len: usize,
    algorithm: Box<dyn Algorithm>,
    shuffle_rng: Rng,
    augment_rng: Option<Rng>,
    order: Vec<usize>,
    cursor: usize,
    epoch: usize,
    steps: u64,
    loss_sum: Tensor,
    local_sum: Option<Tensor>,
    batches_in_epoch: usize,
    /// Pass within the epoch (`Algorithm::passes_per_epoch`) and training rows seen in the epoch so far.
    pass: usize,
    rows_seen: usize,
    history: Vec<EpochMetrics>,
    /// The test split's confusion counts at the last epoch (`classes x classes`, row = label, column = prediction).
    confusion: Vec<u32>,
    yield_now: Option<YieldFn>,
    recovery: recovery::Recovery,
}

/// The rows `index` of `x` as a new array (host-side gather: the dataset stays in host memory, only batches
/// travel to the device, so MNIST's 188 MB never has to fit one WebGPU buffer).
fn host_rows(x: &Array2<f32>, index: &[usize]) -> Array2<f32> {
    x.select(Axis(0), index)
}

impl Trainer {
    /// Builds a synthetic dataset and the algorithm, all seeded by `cfg.seed` (datasets read from files go
    /// through [`load_dataset`] and [`Trainer::with_dataset`]).
    pub fn new(cfg: &RunConfig, device: Device) -> Result<Self> {
        let data = load_dataset(cfg, &DataFiles::new())?;
        Self::with_dataset(cfg, device, Arc::new(data))
    }

    /// Builds the algorithm for `data` (which must come from [`load_dataset`] with the same config), seeded by
    /// `cfg.seed`. The dataset is shared, so the page can restart runs without copying it.
    pub fn with_dataset(cfg: &RunConfig, device: Device, data: Arc<Dataset>) -> Result<Self> {
        cfg.validate()?;
        if let Device::Gpu(gpu) = &device {
            cfg.check_fits(Some(gpu.max_buffer_bytes()), None)?; // before anything is allocated on it
        }
        let all = data.y_train.len();
        let train_len = if cfg.train_limit > 0 { cfg.train_limit.min(all) } else { all };
        if train_len == 0 || data.y_test.is_empty() {
            return Err(Error::invalid(
                "dataset",
                format!("{} has {all} training and {} test examples: a run needs both", cfg.dataset, data.y_test.len()),
            ));
        }
        let mut rng = Rng::new(cfg.seed);
        let _data_rng = rng.fork(); // consumed by load_dataset
        let mut init_rng = rng.fork();
        let shuffle_rng = rng.fork();
        let augment_rng = (cfg.augment && data.image.is_some()).then(|| rng.fork());
        let info = algorithm_info(&cfg.algorithm)?;
        let problem = Problem { inputs: data.features(), classes: data.classes, image: data.image };
        let build = info.build.ok_or_else(|| {
            Error::invalid("algorithm", format!("{} trains on graphs: choose a graph dataset", cfg.algorithm))
        })?;
        let mut algorithm = build(cfg, problem, &device, &mut init_rng)?;
        algorithm.init_from_data(data.x_train.slice(ndarray::s![..train_len, ..]), &data.y_train[..train_len])?;
        let loss_sum = device.zeros(1, 1)?;
        Ok(Trainer {
            cfg: cfg.clone(),
            device,
            data,
            train_len,
            algorithm,
            shuffle_rng,
            augment_rng,
            order: Vec::new(),
            cursor: 0,
            epoch: 0,
            steps: 0,
            loss_sum,
            local_sum: None,
            batches_in_epoch: 0,
            pass: 0,
            rows_seen: 0,
            history: Vec::new(),
            confusion: Vec::new(),
            yield_now: None,
            recovery: recovery::Recovery::default(),
        })
    }

    /// The run's config.
    pub fn config(&self) -> &RunConfig {
        &self.cfg
    }

    /// The device it runs on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The dataset (host copy).
    pub fn dataset(&self) -> &Dataset {
        &self.data
    }

    /// Training examples in use (all, or `cfg.train_limit`).
    pub fn train_len(&self) -> usize {
        self.train_len
    }

    /// Epochs finished.
    pub fn epoch(&self) -> usize {
        self.epoch
    }

    /// Mini-batch steps taken.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Metrics of every finished epoch.
    pub fn history(&self) -> &[EpochMetrics] {
        &self.history
    }

    /// Trainable scalars of the model.
    pub fn parameter_count(&self) -> usize {
        self.algorithm.parameter_count()
    }

    /// The algorithm being trained.
    pub fn algorithm(&self) -> &dyn Algorithm {
        self.algorithm.as_ref()
    }

    /// The epoch model selection picks under the run's rule (`RunConfig::selection`; see [`select_epoch`]).
    /// Its test numbers are what a paper would report.
    pub fn selected(&self) -> Option<&EpochMetrics> {
        select_epoch(&self.history, self.cfg.selection)
    }

    /// The epoch `rule` would pick (the summary reports both rules).
    pub fn selected_by(&self, rule: Selection) -> Option<&EpochMetrics> {
        select_epoch(&self.history, rule)
    }

    /// Makes evaluation await `f` between chunks of rows (the page passes its next-animation-frame future).
    pub fn set_yield(&mut self, f: YieldFn) {
        self.yield_now = Some(f);
    }

    /// True when the current epoch has no mini-batch left (call [`Trainer::end_epoch`]).
    pub fn epoch_complete(&self) -> bool {
        !self.order.is_empty() && self.cursor >= self.order.len() && self.pass + 1 >= self.algorithm.passes_per_epoch()
    }

    /// One mini-batch update. Records work on the device and returns without waiting for it.
    pub fn step(&mut self) -> Result<()> {
        if self.order.is_empty() || self.cursor >= self.order.len() {
            if self.epoch_complete() {
                return Err(Error::invalid("step", "the epoch is complete; call end_epoch first"));
            }
            if self.order.is_empty() {
                self.pass = 0;
            } else {
                self.pass += 1;
            }
            self.algorithm.begin_pass(self.pass);
            self.order = self.shuffle_rng.permutation(self.train_len);
            if self.cfg.steps_per_epoch > 0 {
                self.order.truncate(self.cfg.steps_per_epoch * self.cfg.batch_size);
            }
            self.cursor = 0;
        }
        let end = (self.cursor + self.cfg.batch_size).min(self.order.len());
        let index = &self.order[self.cursor..end];
        self.rows_seen += index.len();
        self.cursor = end;
        let mut batch = host_rows(&self.data.x_train, index);
        if let (Some(rng), Some(shape)) = (self.augment_rng.as_mut(), self.data.image) {
            augment(&mut batch, shape, rng);
        }
        let x = self.device.from_array(&batch)?;
        let y: Vec<f32> = index.iter().map(|&i| self.data.y_train[i] as f32).collect();
        let y = self.device.tensor(y.len(), 1, &y)?;
        let per_example = self.algorithm.step(x, &y)?;
        add_scaled(&mut self.loss_sum, &sum_rows(&per_example)?, 1.0)?;
        if let Some(local) = self.algorithm.take_local_losses() {
            match &mut self.local_sum {
                Some(acc) => add_scaled(acc, &local, 1.0)?,
                None => self.local_sum = Some(local),
            }
        }
        self.batches_in_epoch += 1;
        self.steps += 1;
        Ok(())
    }

    /// Finishes the epoch: reads back the loss, evaluates train and test accuracy, appends to the history.
    pub async fn end_epoch(&mut self) -> Result<EpochMetrics> {
        let seen: usize = self.rows_seen.max(1);
        let loss_sum = self.loss_sum.to_vec().await?.first().copied().unwrap_or(0.0);
        self.loss_sum = self.device.zeros(1, 1)?;
        let batches = self.batches_in_epoch.max(1) as f32;
        let local_losses = match self.local_sum.take() {
            Some(t) => t.to_vec().await?.into_iter().map(|v| v / batches).collect(),
            None => Vec::new(),
        };
        // Reconstruction models have no accuracy to report on the training set.
        let n_train = if self.algorithm.reconstructs() { 0 } else { self.train_len.min(TRAIN_EVAL_LIMIT) };
        let (_, train_accuracy) = self.evaluate(&self.data.x_train, &self.data.y_train[..n_train]).await?;
        let mut confusion = vec![0u32; self.data.classes * self.data.classes];
        let (test_loss, test_accuracy) =
            self.evaluate_counting(&self.data.x_test, &self.data.y_test, Some(&mut confusion)).await?;
        self.confusion = confusion;
        let (val_loss, val_accuracy) = if self.data.y_val.is_empty() {
            (None, None)
        } else {
            let (l, a) = self.evaluate(&self.data.x_val, &self.data.y_val).await?;
            (Some(l), Some(a))
        };
        self.epoch += 1;
        self.algorithm.end_epoch(self.epoch);
        self.order.clear();
        self.cursor = 0;
        self.pass = 0;
        self.rows_seen = 0;
        self.batches_in_epoch = 0;
        let metrics = EpochMetrics {
            epoch: self.epoch,
            steps: self.steps,
            train_loss: loss_sum / seen as f32,
            test_loss,
            train_accuracy,
            test_accuracy,
            val_loss,
            val_accuracy,
            local_losses,
        };
        self.history.push(metrics.clone());
        Ok(metrics)
    }

    /// Runs every remaining step of the epoch, then [`Trainer::end_epoch`].
    pub async fn run_epoch(&mut self) -> Result<EpochMetrics> {
        loop {
            self.step()?;
            if self.epoch_complete() {
                break;
            }
        }
        self.end_epoch().await
    }

    /// Logits of the first `rows` test examples (for the page's views).
    pub async fn test_logits(&self, rows: usize) -> Result<Array2<f32>> {
        let rows = rows.min(self.data.y_test.len());
        let x = self.device.from_array(&self.data.x_test.slice(ndarray::s![..rows, ..]).to_owned())?;
        self.algorithm.predict(&x)?.to_array().await
    }

    /// Class probabilities on a `resolution x resolution` grid over the dataset's plane.
    pub async fn decision_map(&self, resolution: usize) -> Result<DecisionMap> {
        let plane = self.data.plane.ok_or_else(|| Error::invalid("decision map", "the dataset is not 2-D"))?;
        let [x0, x1, y0, y1] = plane;
        let n = resolution.max(2);
        let grid = Array2::from_shape_fn((n * n, 2), |(i, c)| {
            let (row, col) = (i / n, i % n);
            if c == 0 {
                x0 + (x1 - x0) * (col as f32 + 0.5) / n as f32
            } else {
                y1 - (y1 - y0) * (row as f32 + 0.5) / n as f32
            }
        });
        let logits = self.algorithm.predict(&self.device.from_array(&grid)?)?.to_array().await?;
        let probability = logits.rows().into_iter().map(|r| softmax(r.as_slice().unwrap_or(&[]), 1)).collect();
        Ok(DecisionMap { resolution: n, plane, probability })
    }
}

/// The dataset a run with `cfg` trains on (the same draw [`Trainer::new`] makes), from the bytes of the
/// dataset's files (none for the synthetic sets).
pub fn load_dataset(cfg: &RunConfig, files: &DataFiles) -> Result<Dataset> {
    let validation = if cfg.validation { data::VALIDATION_FRACTION } else { 0.0 };
    let data = data::load_split(&cfg.dataset, &cfg.data, validation, &mut Rng::new(cfg.seed).fork(), files)?;
    Ok(match cfg.arch {
        // The autoencoder reconstructs pixels in [0, 1] through four stride-2 halvings (docs/algorithms/ccl.md,
        // "Architectures and hyper-parameters").
        crate::config::Architecture::Autoencoder => data.unit_range_padded(16),
        _ => data,
    })
}

/// Probability of class `k` under `softmax(logits)`.
fn softmax(logits: &[f32], k: usize) -> f32 {
    let top = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let total: f32 = logits.iter().map(|&v| (v - top).exp()).sum();
    logits.get(k).map_or(0.0, |&v| (v - top).exp() / total)
}

/// Mean softmax cross-entropy and accuracy of `logits` against labels `y`.
pub fn loss_and_accuracy(logits: &Array2<f32>, y: &[u32]) -> (f32, f32) {
    if y.is_empty() {
        return (0.0, 0.0);
    }
    let mut loss = 0.0f64;
    let mut correct = 0usize;
    for (row, &label) in logits.rows().into_iter().zip(y) {
        let top = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let log_z = top + row.iter().map(|&v| (v - top).exp()).sum::<f32>().ln();
        loss += f64::from(log_z - row[label as usize]);
        let argmax = row.iter().enumerate().fold(0, |best, (i, &v)| if v > row[best] { i } else { best });
        correct += usize::from(argmax == label as usize);
    }
    ((loss / y.len() as f64) as f32, correct as f32 / y.len() as f32)
}
