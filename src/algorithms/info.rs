//! What the registry ([`super::registry::ALGORITHMS`]) says of each algorithm: its family, the tasks it learns,
//! how it is built, its settings and presets, and the views the page shows for it.

use super::forwardgnn::build::{LinkBuildFn, NodeBuildFn};
use super::BuildFn;
use crate::config::{Architecture, RunConfig};
use crate::data::DatasetKind;

/// The paper an algorithm comes from (the backprop baseline is its own family).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// End-to-end backpropagation: the control group.
    Backprop,
    /// Counter-current learning (Kao & Hariharan, NeurIPS 2024); `docs/algorithms/ccl.md`.
    CounterCurrent,
    /// ForwardGNN (Park et al., ICLR 2024); `docs/algorithms/forwardgnn.md`.
    ForwardGnn,
    /// NoProp (Li, Teh & Pascanu, 2025); `docs/algorithms/noprop.md`.
    NoProp,
    /// Feedback alignment (Lillicrap et al., 2016); `docs/algorithms/feedback-alignment.md`.
    FeedbackAlignment,
}

/// What a run learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    /// Classify points of a 2-D toy set.
    Plane,
    /// Classify (or, with the autoencoder, reconstruct) images.
    Image,
    /// Classify the nodes of a graph.
    Nodes,
    /// Predict the links of a graph.
    Links,
}

impl Task {
    /// The task of a run on `kind` (graphs: links or nodes, as `link` says).
    pub fn of(kind: DatasetKind, link: bool) -> Task {
        match (kind, link) {
            (DatasetKind::Plane, _) => Task::Plane,
            (DatasetKind::Image, _) => Task::Image,
            (DatasetKind::Graph, true) => Task::Links,
            (DatasetKind::Graph, false) => Task::Nodes,
        }
    }

    /// The kind of dataset the task runs on.
    pub fn dataset_kind(self) -> DatasetKind {
        match self {
            Task::Plane => DatasetKind::Plane,
            Task::Image => DatasetKind::Image,
            Task::Nodes | Task::Links => DatasetKind::Graph,
        }
    }
}

/// A panel the page shows for an algorithm beyond the loss and accuracy charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// A chart of every local loss (per layer pair, block or GNN layer).
    LocalLosses,
    /// CCL's forward-vs-feedback similarity matrix and the feedback network's class prototypes.
    Alignment,
    /// NoProp's denoising trajectory and its label embeddings.
    Denoising,
    /// Per-depth validation and test results of a graph run.
    Depths,
}

/// A named set of settings the page offers as a button and a link can reach.
pub struct Preset {
    /// Id of the button in the page.
    pub id: &'static str,
    /// The button's text.
    pub label: &'static str,
    /// One sentence on what it loads.
    pub description: &'static str,
    /// Whether it applies to a run (e.g. an architecture).
    pub applies: fn(&RunConfig) -> bool,
    /// Changes the settings.
    pub apply: fn(&mut RunConfig),
    /// The page applies it whenever this algorithm is chosen (the settings the page opens with).
    pub on_choose: bool,
}

/// One registered algorithm.
pub struct AlgorithmInfo {
    /// Id used on the command line, in links and in the page.
    pub id: &'static str,
    /// Human-readable name.
    pub label: &'static str,
    /// The name the paper's tables use.
    pub paper_name: &'static str,
    /// One sentence for the page.
    pub description: &'static str,
    /// The paper it comes from.
    pub family: Family,
    /// What it learns.
    pub tasks: &'static [Task],
    /// The networks it trains on vectors and images (empty for graph learners, which read `cfg.graph`).
    pub archs: &'static [Architecture],
    /// Builds it for a vector or image problem.
    pub build: Option<BuildFn>,
    /// Builds it for node classification.
    pub nodes: Option<NodeBuildFn>,
    /// Builds it for link prediction.
    pub links: Option<LinkBuildFn>,
    /// A graph learner that trains layer by layer, reporting every depth from one run.
    pub greedy: bool,
    /// Its settings on top of `RunConfig::base` (the paper's configuration).
    pub defaults: fn(&mut RunConfig),
    /// Presets the page offers for it.
    pub presets: &'static [Preset],
    /// The panels the page shows for it.
    pub views: &'static [View],
    /// Prediction runs a sampler whose number of steps the user sets (`noprop.inference_steps`).
    pub sampler: bool,
    /// It reads values back from the device inside a step, which WebGPU in a page cannot wait for: on *Auto*
    /// the page runs it on the CPU.
    pub reads_back_in_step: bool,
}

impl AlgorithmInfo {
    /// True if it learns `task`.
    pub fn does(&self, task: Task) -> bool {
        self.tasks.contains(&task)
    }

    /// True if it trains on datasets of `kind`.
    pub fn supports(&self, kind: DatasetKind) -> bool {
        self.tasks.iter().any(|t| t.dataset_kind() == kind)
    }

    /// True if it trains `arch` (graph learners ignore the architecture).
    pub fn trains(&self, arch: Architecture) -> bool {
        self.archs.contains(&arch)
    }

    /// True if the page shows `view` for it.
    pub fn offers(&self, view: View) -> bool {
        self.views.contains(&view)
    }
}
