//! Datasets as plain arrays (no device): the synthetic 2-D sets of the playground for now; images and graphs
//! are added beside them. Every dataset is registered in [`DATASETS`], the one list the CLI and the page read.

mod synthetic;

pub use synthetic::{circles, moons, spiral, xor, SyntheticOptions};

use crate::error::{Error, Result};
use crate::rng::Rng;
use ndarray::Array2;

/// A classification dataset split into train and test parts. Features are rows of `x_*`; labels are class ids.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Registry id, e.g. `moons`.
    pub name: String,
    /// Training inputs, one row per example.
    pub x_train: Array2<f32>,
    /// Training labels in `0..classes`.
    pub y_train: Vec<u32>,
    /// Test inputs.
    pub x_test: Array2<f32>,
    /// Test labels.
    pub y_test: Vec<u32>,
    /// Number of classes.
    pub classes: usize,
    /// For 2-D datasets, the plotting window `[x_min, x_max, y_min, y_max]` of the decision map.
    pub plane: Option<[f32; 4]>,
}

impl Dataset {
    /// Number of input features.
    pub fn features(&self) -> usize {
        self.x_train.ncols()
    }
}

/// What kind of data a dataset holds (decides which views the page shows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetKind {
    /// Points in the plane; the page draws a decision map.
    Plane,
}

/// One registered dataset.
pub struct DatasetInfo {
    /// Id used on the command line, in links and in the page.
    pub id: &'static str,
    /// Human-readable name.
    pub label: &'static str,
    /// What kind of data it is.
    pub kind: DatasetKind,
    /// Builds (or loads) the dataset; all randomness from `rng`.
    pub load: fn(&SyntheticOptions, &mut Rng) -> Result<Dataset>,
}

/// Every dataset bpfree knows, in display order.
pub const DATASETS: &[DatasetInfo] = &[
    DatasetInfo { id: "moons", label: "Two moons", kind: DatasetKind::Plane, load: moons },
    DatasetInfo { id: "spiral", label: "Spiral", kind: DatasetKind::Plane, load: spiral },
    DatasetInfo { id: "circles", label: "Circles", kind: DatasetKind::Plane, load: circles },
    DatasetInfo { id: "xor", label: "XOR", kind: DatasetKind::Plane, load: xor },
];

/// Looks a dataset up by id.
pub fn dataset_info(id: &str) -> Result<&'static DatasetInfo> {
    DATASETS.iter().find(|d| d.id == id).ok_or_else(|| {
        let known: Vec<&str> = DATASETS.iter().map(|d| d.id).collect();
        Error::UnknownDataset(id.to_string(), known.join(", "))
    })
}

/// Loads the dataset `id` with the given options.
pub fn load(id: &str, options: &SyntheticOptions, rng: &mut Rng) -> Result<Dataset> {
    (dataset_info(id)?.load)(options, rng)
}
