//! [`RunConfig`]: everything that defines a run. It is the payload of a share link and of the CLI flags, so
//! the same config replays the same run (with the same seed, on the same backend).

use crate::data::SyntheticOptions;
use crate::nn::{MlpConfig, OptimizerConfig};
use crate::tensor::BackendChoice;
use serde::{Deserialize, Serialize};

/// Version of the config format (bumped when a field changes meaning).
pub const CONFIG_VERSION: u32 = 1;

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunConfig {
    /// Format version, see [`CONFIG_VERSION`].
    pub version: u32,
    /// Seeds every random draw: data, split, initial weights, shuffling.
    pub seed: u64,
    /// Registered dataset id (`data::DATASETS`).
    pub dataset: String,
    /// Registered algorithm id (`algorithms::ALGORITHMS`).
    pub algorithm: String,
    /// Which backend to run on.
    pub backend: BackendChoice,
    /// Epochs to train (the page keeps going until paused).
    pub epochs: usize,
    /// Mini-batch size.
    pub batch_size: usize,
    /// Optimiser and learning rate.
    pub optimizer: OptimizerConfig,
    /// Network widths and nonlinearity.
    pub model: MlpConfig,
    /// Size and noise of the synthetic datasets.
    pub data: SyntheticOptions,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            version: CONFIG_VERSION,
            seed: 1,
            dataset: "moons".to_string(),
            algorithm: "backprop".to_string(),
            backend: BackendChoice::Auto,
            epochs: 30,
            batch_size: 32,
            optimizer: OptimizerConfig::default(),
            model: MlpConfig::default(),
            data: SyntheticOptions::default(),
        }
    }
}
