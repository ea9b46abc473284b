//! Datasets as plain arrays (no device): the synthetic 2-D sets of the playground, the image datasets
//! (MNIST, Fashion-MNIST, the CIFAR-10 subset) read from their original files, and the shipped graphs. Every dataset is registered in
//! [`DATASETS`], the one list the CLI and the page read. Loading never touches the file system or the network:
//! the caller hands over the bytes of [`DatasetInfo::files`] (the CLI reads them from disk, the page fetches
//! them), so the same code runs natively and in the browser.

mod checksums;
mod graph;
mod graph_layout;
mod images;
mod link_task;
mod node_task;
mod sbm;
mod sizes;
mod synthetic;
pub mod upload;

pub use checksums::{expected_sha256, sha256_hex, verify, SHA256SUMS};
pub use graph::{parse_graph, Graph, LABEL_UNKNOWN, MAX_EDGES, MAX_FEATURES, MAX_NODES};
pub use graph_layout::force_layout;
pub use images::{
    cifar_records, gunzip, idx_pair, parse_idx, ImageFormat, ImageSource, RawImages, MAX_GUNZIPPED_BYTES,
};
pub use link_task::{roc_auc, LabelledPairs, LinkTask};
pub use node_task::{argmax, NodeTask, SparseRows, KFOLD_SEED};
pub use sbm::{stochastic_block_model, SbmOptions};
pub use sizes::{file_size, FILE_SIZES};
pub use synthetic::{check_drawn, circles, moons, spiral, xor, SyntheticOptions, DRAWN_RANGE, MAX_DRAWN};

use crate::error::{Error, Result};
use crate::rng::Rng;
use ndarray::Array2;
use std::collections::BTreeMap;

/// File contents keyed by their path relative to the data root (`images/mnist/t10k-labels-idx1-ubyte.gz`).
pub type DataFiles = BTreeMap<String, Vec<u8>>;

/// Fraction of the official training set held out for validation (90/10, as CCL's code splits; `--validation` in
/// docs/cli.md).
pub const VALIDATION_FRACTION: f32 = 0.1;

/// A classification dataset split into train, validation and test parts. Features are rows of `x_*`;
/// labels are class ids.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// Registry id, e.g. `moons`.
    pub name: String,
    /// Training inputs, one row per example.
    pub x_train: Array2<f32>,
    /// Training labels in `0..classes`.
    pub y_train: Vec<u32>,
    /// Validation inputs (model selection); no rows for the synthetic sets.
    pub x_val: Array2<f32>,
    /// Validation labels.
    pub y_val: Vec<u32>,
    /// Test inputs.
    pub x_test: Array2<f32>,
    /// Test labels.
    pub y_test: Vec<u32>,
    /// Number of classes.
    pub classes: usize,
    /// For 2-D datasets, the plotting window `[x_min, x_max, y_min, y_max]` of the decision map.
    pub plane: Option<[f32; 4]>,
    /// For images, `[channels, height, width]` of a row of `x_*` (flattened C, H, W).
    pub image: Option<[usize; 3]>,
    /// Class names (empty when the classes have no names).
    pub class_names: Vec<String>,
    /// For images, the per-channel `(mean, std)` the pixels (in `[0, 1]`) were standardised with.
    pub normalization: Option<(Vec<f32>, Vec<f32>)>,
}

impl Dataset {
    /// Number of input features.
    pub fn features(&self) -> usize {
        self.x_train.ncols()
    }

    /// The images back in `[0, 1]` (undoing the standardisation) and zero-padded on every side so that height
    /// and width become multiples of `multiple` (MNIST's 28x28 -> 32x32 for 16): the autoencoder's input.
    pub fn unit_range_padded(mut self, multiple: usize) -> Dataset {
        let (Some([c, h, w]), Some((mean, std))) = (self.image, self.normalization.take()) else { return self };
        let up = |n: usize| n.div_ceil(multiple.max(1)) * multiple.max(1);
        let (h2, w2) = (up(h), up(w));
        let (top, left) = ((h2 - h) / 2, (w2 - w) / 2);
        let convert = |x: &Array2<f32>| {
            let mut out = Array2::<f32>::zeros((x.nrows(), c * h2 * w2));
            for (src, mut dst) in x.rows().into_iter().zip(out.rows_mut()) {
                for ch in 0..c {
                    let (m, s) = (mean[ch % mean.len()], std[ch % std.len()]);
                    for y in 0..h {
                        for xx in 0..w {
                            dst[(ch * h2 + y + top) * w2 + xx + left] = src[(ch * h + y) * w + xx] * s + m;
                        }
                    }
                }
            }
            out
        };
        self.x_train = convert(&self.x_train);
        self.x_val = convert(&self.x_val);
        self.x_test = convert(&self.x_test);
        self.image = Some([c, h2, w2]);
        self
    }
}

/// What kind of data a dataset holds (decides which views the page shows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetKind {
    /// Points in the plane; the page draws a decision map.
    Plane,
    /// Images; the page shows samples and image-shaped views.
    Image,
    /// A graph for node classification (ForwardGNN).
    Graph,
}

/// Where a dataset comes from.
#[derive(Clone, Copy)]
pub enum Source {
    /// Drawn from a seeded generator.
    Synthetic(fn(&SyntheticOptions, &mut Rng) -> Result<Dataset>),
    /// Read from shipped image files.
    Images(ImageSource),
    /// A shipped graph `graphs/<id>/<id>.{json,bin}`.
    Graph,
    /// The user's own graph ([`upload`]), kept in the page's session as [`UPLOADED_GRAPH_FILES`].
    UploadedGraph,
    /// The user's own images ([`upload`]), kept in the page's session as [`UPLOADED_IMAGES_FILE`].
    UploadedImages,
}

/// Where an uploaded graph sits among a session's [`DataFiles`] (the project's JSON + binary format).
pub const UPLOADED_GRAPH_FILES: [&str; 2] = ["upload/graph.json", "upload/graph.bin"];
/// Where uploaded images sit among a session's [`DataFiles`] ([`upload::ImageUpload::encode`]).
pub const UPLOADED_IMAGES_FILE: &str = "upload/images.bin";

/// One registered dataset.
pub struct DatasetInfo {
    /// Id used on the command line, in links and in the page.
    pub id: &'static str,
    /// Human-readable name.
    pub label: &'static str,
    /// What kind of data it is.
    pub kind: DatasetKind,
    /// How to build or read it.
    pub source: Source,
}

impl DatasetInfo {
    /// Paths (relative to the data root) whose bytes [`load`] needs; empty for synthetic sets.
    pub fn files(&self) -> Vec<String> {
        match &self.source {
            Source::Synthetic(_) => Vec::new(),
            Source::Images(src) => src.files(),
            Source::Graph => vec![format!("graphs/{0}/{0}.json", self.id), format!("graphs/{0}/{0}.bin", self.id)],
            Source::UploadedGraph => UPLOADED_GRAPH_FILES.iter().map(|f| f.to_string()).collect(),
            Source::UploadedImages => vec![UPLOADED_IMAGES_FILE.to_string()],
        }
    }

    /// The dataset is the user's own upload: its files come from the page's "Your data" panel, never from the
    /// server (a link names it but cannot carry it).
    pub fn uploaded(&self) -> bool {
        matches!(self.source, Source::UploadedGraph | Source::UploadedImages)
    }

    /// The error for an uploaded dataset whose files are not there (a link to it opened on another machine).
    pub fn not_uploaded(&self) -> Error {
        Error::Data {
            path: self.label.to_string(),
            detail: "not uploaded in this page: choose your files under \"Your data\" (a link names your data but \
                     cannot carry it)"
                .into(),
        }
    }
}

const fn graph(id: &'static str, label: &'static str) -> DatasetInfo {
    DatasetInfo { id, label, kind: DatasetKind::Graph, source: Source::Graph }
}

const DIGITS: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const FASHION: &[&str] =
    &["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const CIFAR10: &[&str] = &["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

/// Every dataset bpfree knows, in display order.
pub const DATASETS: &[DatasetInfo] = &[
    DatasetInfo { id: "moons", label: "Two moons", kind: DatasetKind::Plane, source: Source::Synthetic(moons) },
    DatasetInfo { id: "spiral", label: "Spiral", kind: DatasetKind::Plane, source: Source::Synthetic(spiral) },
    DatasetInfo { id: "circles", label: "Circles", kind: DatasetKind::Plane, source: Source::Synthetic(circles) },
    DatasetInfo { id: "xor", label: "XOR", kind: DatasetKind::Plane, source: Source::Synthetic(xor) },
    DatasetInfo {
        id: "mnist",
        label: "MNIST digits",
        kind: DatasetKind::Image,
        source: Source::Images(ImageSource {
            folder: "images/mnist",
            format: ImageFormat::IdxGz,
            mean: &[0.1307],
            std: &[0.3081],
            classes: DIGITS,
        }),
    },
    DatasetInfo {
        id: "fashion-mnist",
        label: "Fashion-MNIST",
        kind: DatasetKind::Image,
        source: Source::Images(ImageSource {
            folder: "images/fashion-mnist",
            format: ImageFormat::IdxGz,
            mean: &[0.2860],
            std: &[0.3530],
            classes: FASHION,
        }),
    },
    DatasetInfo {
        id: "cifar10-subset",
        label: "CIFAR-10 (4,000/1,000 subset)",
        kind: DatasetKind::Image,
        source: Source::Images(ImageSource {
            folder: "images/cifar10-subset",
            format: ImageFormat::CifarBin,
            mean: &[0.491_399_7, 0.482_158_4, 0.446_530_9],
            std: &[0.247_032_2, 0.243_485_1, 0.261_587_8],
            classes: CIFAR10,
        }),
    },
    graph("karate", "Karate club (graph, 34 nodes)"),
    graph("cora", "Cora (graph, Planetoid split)"),
    graph("citeseer", "CiteSeer (graph, Planetoid split)"),
    graph("cora-ml", "Cora-ML (graph, ForwardGNN splits)"),
    graph("citeseer-full", "CiteSeer full (graph, ForwardGNN splits)"),
    graph("amazon-photo", "Amazon Photo (graph, ForwardGNN splits)"),
    graph("cornell", "Cornell (graph, Geom-GCN splits)"),
    graph("texas", "Texas (graph, Geom-GCN splits)"),
    graph("wisconsin", "Wisconsin (graph, Geom-GCN splits)"),
    graph("actor", "Actor (graph, Geom-GCN splits)"),
    DatasetInfo {
        id: "my-images",
        label: "Your images (upload)",
        kind: DatasetKind::Image,
        source: Source::UploadedImages,
    },
    DatasetInfo {
        id: "my-graph",
        label: "Your graph (upload)",
        kind: DatasetKind::Graph,
        source: Source::UploadedGraph,
    },
];

/// Looks a dataset up by id.
pub fn dataset_info(id: &str) -> Result<&'static DatasetInfo> {
    DATASETS.iter().find(|d| d.id == id).ok_or_else(|| {
        let known: Vec<&str> = DATASETS.iter().map(|d| d.id).collect();
        Error::UnknownDataset(id.to_string(), known.join(", "))
    })
}

/// Loads the dataset `id`: synthetic sets are drawn from `rng`; image sets are parsed from `files` (the bytes
/// of [`DatasetInfo::files`]) and split into train/validation with `rng`.
pub fn load(id: &str, options: &SyntheticOptions, rng: &mut Rng, files: &DataFiles) -> Result<Dataset> {
    load_split(id, options, VALIDATION_FRACTION, rng, files)
}

/// [`load`] holding out `validation` of the official training images (0: none).
pub fn load_split(
    id: &str,
    options: &SyntheticOptions,
    validation: f32,
    rng: &mut Rng,
    files: &DataFiles,
) -> Result<Dataset> {
    let info = dataset_info(id)?;
    match &info.source {
        Source::Synthetic(build) => build(options, rng),
        Source::Images(src) => src.load(id, files, validation, rng),
        Source::UploadedImages => {
            let bytes = files.get(UPLOADED_IMAGES_FILE).ok_or_else(|| info.not_uploaded())?;
            upload::ImageUpload::decode(UPLOADED_IMAGES_FILE, bytes)?.to_dataset(id, validation, rng)
        }
        Source::Graph | Source::UploadedGraph => {
            Err(Error::invalid("dataset", format!("`{id}` is a graph: train it with a graph algorithm")))
        }
    }
}

/// Parses the graph `id` from `files` (the bytes of [`DatasetInfo::files`]).
pub fn load_graph(id: &str, files: &DataFiles) -> Result<Graph> {
    let info = dataset_info(id)?;
    if info.kind != DatasetKind::Graph {
        return Err(Error::invalid("dataset", format!("`{id}` is not a graph")));
    }
    let paths = info.files();
    let get = |p: &String| {
        files.get(p).ok_or_else(|| match info.uploaded() {
            true => info.not_uploaded(),
            false => Error::Data { path: p.clone(), detail: "missing".into() },
        })
    };
    parse_graph(&paths[0], get(&paths[0])?, get(&paths[1])?)
}

/// Where the command line reads data (native only): `www/data` unless `--data DIR` or `BPFREE_DATA` names another
/// folder, and whether the files are checked against the built-in checksums (always, unless
/// `--unverified-data`).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug)]
pub struct DataRoot {
    /// The folder holding `images/` and `graphs/`.
    pub dir: std::path::PathBuf,
    /// Check every file against [`SHA256SUMS`].
    pub verify: bool,
}

#[cfg(not(target_arch = "wasm32"))]
impl DataRoot {
    /// A verified data root at `dir`.
    pub fn new(dir: impl Into<std::path::PathBuf>) -> Self {
        DataRoot { dir: dir.into(), verify: true }
    }

    /// `BPFREE_DATA` if set, else `www/data` (verified).
    pub fn from_env() -> Self {
        Self::new(std::env::var_os("BPFREE_DATA").map_or_else(|| "www/data".into(), std::path::PathBuf::from))
    }

    /// The files of dataset `id`, checked unless [`DataRoot::verify`] is off.
    pub fn read(&self, id: &str) -> Result<DataFiles> {
        let info = dataset_info(id)?;
        if info.uploaded() {
            return Err(Error::invalid(
                "dataset",
                format!("`{id}` is the page's slot for data you upload; the command line trains shipped datasets only"),
            ));
        }
        if self.verify {
            read_files(id, &self.dir)
        } else {
            read_files_unverified(id, &self.dir)
        }
    }
}

/// Reads the files of dataset `id` from the data root `dir` (native only; the page fetches them) and checks each
/// against the SHA-256 compiled into the binary ([`verify`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn read_files(id: &str, dir: &std::path::Path) -> Result<DataFiles> {
    let files = read_files_unverified(id, dir)?;
    for (rel, bytes) in &files {
        verify(rel, bytes).map_err(|e| match e {
            Error::Data { detail, .. } => Error::Data {
                path: dir.join(rel).display().to_string(),
                detail: format!("{detail} (fetch it again; for data of your own, pass --unverified-data)"),
            },
            other => other,
        })?;
    }
    Ok(files)
}

/// [`read_files`] without the checksum check, for data of your own (`--unverified-data`).
#[cfg(not(target_arch = "wasm32"))]
pub fn read_files_unverified(id: &str, dir: &std::path::Path) -> Result<DataFiles> {
    let mut files = DataFiles::new();
    for rel in dataset_info(id)?.files() {
        let path = dir.join(&rel);
        let bytes = std::fs::read(&path).map_err(|e| Error::Data {
            path: path.display().to_string(),
            detail: format!(
                "cannot read: {e} (data is read from `{}`: run from the repository's root, or name the folder \
                     with --data DIR or the BPFREE_DATA variable)",
                dir.display()
            ),
        })?;
        files.insert(rel, bytes);
    }
    Ok(files)
}
