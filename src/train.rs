//! The training loop as a resumable step function. [`Trainer::step`] runs one mini-batch and never waits for
//! the device; [`Trainer::end_epoch`] reads the metrics back. The CLI drives it in a plain loop, the page in
//! time slices between animation frames.

use crate::algorithms::{algorithm_info, Algorithm, Problem};
use crate::config::RunConfig;
use crate::data::{self, Dataset};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::tensor::{add_scaled, gather_rows, sum_rows, Device, Tensor};
use ndarray::Array2;
use serde::Serialize;

/// Metrics of one finished epoch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochMetrics {
    /// Epochs finished (1 for the first).
    pub epoch: usize,
    /// Mini-batch steps taken so far.
    pub steps: u64,
    /// Mean training loss over the epoch's mini-batches (as they were seen, weights changing).
    pub train_loss: f32,
    /// Loss on the whole test set at the end of the epoch.
    pub test_loss: f32,
    /// Fraction of training examples classified correctly at the end of the epoch.
    pub train_accuracy: f32,
    /// Fraction of test examples classified correctly at the end of the epoch.
    pub test_accuracy: f32,
}

/// Class-1 (or per-class) probabilities on a grid over the plane, for the decision map.
#[derive(Clone, Debug, PartialEq)]
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
    data: Dataset,
    x_train: Tensor,
    y_train: Tensor,
    x_test: Tensor,
    algorithm: Box<dyn Algorithm>,
    shuffle_rng: Rng,
    order: Vec<usize>,
    cursor: usize,
    epoch: usize,
    steps: u64,
    loss_sum: Tensor,
    batches_in_epoch: usize,
    history: Vec<EpochMetrics>,
}

fn labels(y: &[u32]) -> Vec<f32> {
    y.iter().map(|&c| c as f32).collect()
}

impl Trainer {
    /// Loads the dataset, uploads it to `device` and builds the algorithm, all seeded by `cfg.seed`.
    pub fn new(cfg: &RunConfig, device: Device) -> Result<Self> {
        if cfg.batch_size == 0 {
            return Err(Error::invalid("batch size", "0 (use at least 1)"));
        }
        let mut rng = Rng::new(cfg.seed);
        let data = data::load(&cfg.dataset, &cfg.data, &mut rng.fork())?;
        let mut init_rng = rng.fork();
        let shuffle_rng = rng.fork();
        let info = algorithm_info(&cfg.algorithm)?;
        let problem = Problem { inputs: data.features(), classes: data.classes };
        let algorithm = (info.build)(cfg, problem, &device, &mut init_rng)?;
        let x_train = device.from_array(&data.x_train)?;
        let y_train = device.tensor(data.y_train.len(), 1, &labels(&data.y_train))?;
        let x_test = device.from_array(&data.x_test)?;
        let loss_sum = device.zeros(1, 1)?;
        Ok(Trainer {
            cfg: cfg.clone(),
            device,
            data,
            x_train,
            y_train,
            x_test,
            algorithm,
            shuffle_rng,
            order: Vec::new(),
            cursor: 0,
            epoch: 0,
            steps: 0,
            loss_sum,
            batches_in_epoch: 0,
            history: Vec::new(),
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

    /// True when the current epoch has no mini-batch left (call [`Trainer::end_epoch`]).
    pub fn epoch_complete(&self) -> bool {
        !self.order.is_empty() && self.cursor >= self.order.len()
    }

    /// One mini-batch update. Records work on the device and returns without waiting for it.
    pub fn step(&mut self) -> Result<()> {
        if self.order.is_empty() || self.cursor >= self.order.len() {
            if self.epoch_complete() {
                return Err(Error::invalid("step", "the epoch is complete; call end_epoch first"));
            }
            self.order = self.shuffle_rng.permutation(self.data.y_train.len());
            self.cursor = 0;
        }
        let end = (self.cursor + self.cfg.batch_size).min(self.order.len());
        let index: Vec<f32> = self.order[self.cursor..end].iter().map(|&i| i as f32).collect();
        self.cursor = end;
        let index = self.device.tensor(index.len(), 1, &index)?;
        let x = gather_rows(&self.x_train, &index)?;
        let y = gather_rows(&self.y_train, &index)?;
        let per_example = self.algorithm.step(x, &y)?;
        add_scaled(&mut self.loss_sum, &sum_rows(&per_example)?, 1.0)?;
        self.batches_in_epoch += 1;
        self.steps += 1;
        Ok(())
    }

    /// Finishes the epoch: reads back the loss, evaluates train and test accuracy, appends to the history.
    pub async fn end_epoch(&mut self) -> Result<EpochMetrics> {
        let seen: usize = self.cursor.max(1);
        let loss_sum = self.loss_sum.to_vec().await?.first().copied().unwrap_or(0.0);
        self.loss_sum = self.device.zeros(1, 1)?;
        let (_, train_accuracy) = self.evaluate(&self.x_train, &self.data.y_train).await?;
        let (test_loss, test_accuracy) = self.evaluate(&self.x_test, &self.data.y_test).await?;
        self.epoch += 1;
        self.order.clear();
        self.cursor = 0;
        self.batches_in_epoch = 0;
        let metrics = EpochMetrics {
            epoch: self.epoch,
            steps: self.steps,
            train_loss: loss_sum / seen as f32,
            test_loss,
            train_accuracy,
            test_accuracy,
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

    /// Mean cross-entropy and accuracy of the current model on `(x, y)`.
    async fn evaluate(&self, x: &Tensor, y: &[u32]) -> Result<(f32, f32)> {
        let logits = self.algorithm.predict(x)?.to_array().await?;
        Ok(loss_and_accuracy(&logits, y))
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

/// The dataset a run with `cfg` trains on (the same draw [`Trainer::new`] makes), e.g. to show it before training.
pub fn load_dataset(cfg: &RunConfig) -> Result<Dataset> {
    data::load(&cfg.dataset, &cfg.data, &mut Rng::new(cfg.seed).fork())
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
