//! The messages between the page and the worker that trains for it ([`super::worker_link`] on the page's side,
//! [`super::worker_host`] on the worker's). The page sends [`Command`]s; the worker answers with [`Event`]s, the
//! main one a [`StatePatch`]: the fields of the page's [`TrainState`] that the worker's training changed since its
//! last message. Both sides are the same program, so the messages are the serde form of these types
//! (serde-wasm-bindgen), and bytes travel as `Uint8Array`s.

use super::{AdapterProbe, TrainState};
use bpfree::config::RunConfig;
use bpfree::tensor::{MemoryStats, SelfTest};
use serde::{Deserialize, Serialize};

/// What the page asks of the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Show the dataset of `cfg` (before any training) with the page's controls; a new `generation` of the
    /// page's state begins.
    Show { cfg: RunConfig, generation: u64, controls: Controls },
    /// Drop the run; the next Train starts over from `cfg`. A new `generation` begins.
    Reset { cfg: RunConfig, generation: u64 },
    /// Train until paused, or one epoch (`one_epoch`), with the page's controls of the moment.
    Train { cfg: RunConfig, one_epoch: bool, controls: Controls },
    /// Stop after the slice in progress.
    Pause,
    /// Recompute the image and CCL views (another layer pair chosen) if the run is idle.
    RefreshViews { layer: usize },
    /// The paused run's weights as a safetensors file, answered by [`Event::Download`] with the same `id`.
    ExportWeights { id: u32, cfg: RunConfig },
    /// Weights read from a file (named `name`), for the next run built.
    ImportWeights {
        name: String,
        #[serde(with = "bytes")]
        bytes: Vec<u8>,
    },
    /// Files the user uploaded, by their path under `data/`; the parsed data of an earlier upload is dropped.
    Adopt { files: Vec<Upload> },
    /// The page has applied the last [`Event::State`] and drawn it: the worker may send the next. So the page
    /// hears at most one report per frame however fast the worker trains, and messages never pile up.
    Drawn,
}

/// One uploaded file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Upload {
    /// Its path under `data/` (`my-graph/graph.json`, …).
    pub path: String,
    #[serde(with = "bytes")]
    pub bytes: Vec<u8>,
}

/// The page's settings of the moment that the training loop reads (they are the page's to change).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Controls {
    /// "Step (1 batch)".
    pub one_batch: bool,
    /// The epoch a 2-D run pauses at ("Compare with backprop").
    pub pause_at: Option<usize>,
    /// The CCL pair the alignment matrix shows.
    pub alignment_layer: usize,
}

impl Controls {
    /// The controls in `s`.
    pub fn of(s: &TrainState) -> Self {
        Controls { one_batch: s.one_batch, pause_at: s.pause_at, alignment_layer: s.alignment_layer }
    }

    /// Sets them in `s`.
    pub fn apply(&self, s: &mut TrainState) {
        s.one_batch = self.one_batch;
        s.pause_at = self.pause_at;
        s.alignment_layer = self.alignment_layer;
    }
}

/// What the worker tells the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The fields of the state that changed, in the page's `generation` the worker last heard of; the page
    /// answers [`Command::Drawn`], and until then the worker gathers what changes into the next report. `heard`
    /// counts the commands the worker had handled: a report from before the page's last Train or Pause does not
    /// overwrite what that command set (running, error, the controls). An error is
    /// only ever set this way, never cleared: the page clears its own (Train, Reset, Dismiss) and may show one the
    /// worker never saw (a link's notes).
    State { generation: u64, heard: u64, patch: Box<StatePatch> },
    /// What the worker found when it looked for a WebGPU adapter.
    Adapter(AdapterProbe),
    /// The backend self-test's outcome on that adapter.
    SelfTest(Option<Result<SelfTest, String>>),
    /// The worker's memory: its WebAssembly heap, and the device memory its tensors hold.
    Memory { heap: u64, device: MemoryStats },
    /// The answer to [`Command::ExportWeights`] `id`: a file to offer (name, bytes, what to say), or why not.
    Download { id: u32, result: Result<File, String> },
    /// The worker could not start (sent by `www/worker.js`): the page trains on its own thread instead.
    Failed(String),
}

/// A file the page offers as a download.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct File {
    pub name: String,
    #[serde(with = "bytes")]
    pub bytes: Vec<u8>,
    /// One sentence for the page about what was saved.
    pub note: String,
}

/// Declares [`StatePatch`] over the fields of [`TrainState`] that the worker's training writes.
macro_rules! state_patch {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// The fields of the page's state that changed: `Some(value)` for each one that did.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct StatePatch {
            $(
                #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
                pub $field: Option<$ty>,
            )*
            /// Epochs appended to the history (a history that only grew is sent as its new epochs).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub history_added: Option<Vec<bpfree::train::EpochMetrics>>,
        }

        impl StatePatch {
            /// Without the fields a Train or Pause sets on the page (for a report from before the command).
            pub fn without_page_writes(mut self) -> Self {
                self.running = None;
                self.error = None;
                self.one_batch = None;
                self.pause_at = None;
                self
            }

            /// What changed from `old` to `new`.
            pub fn diff(old: &TrainState, new: &TrainState) -> Self {
                let grew = new.history.len() > old.history.len() && new.history.starts_with(&old.history);
                let mut patch = StatePatch {
                    $($field: (stringify!($field) != "history" && old.$field != new.$field)
                        .then(|| new.$field.clone()),)*
                    history_added: grew.then(|| new.history[old.history.len()..].to_vec()),
                };
                if !grew && old.history != new.history {
                    patch.history = Some(new.history.clone());
                }
                patch
            }

            /// Every field of `s` (a new generation starts from the worker's whole state).
            pub fn full(s: &TrainState) -> Self {
                StatePatch { $($field: Some(s.$field.clone()),)* history_added: None }
            }

            /// Writes the changed fields into `s`.
            pub fn apply(self, s: &mut TrainState) {
                $(if let Some(v) = self.$field { s.$field = v; })*
                if let Some(added) = self.history_added {
                    s.history.extend(added);
                }
            }

            /// Nothing changed.
            pub fn is_empty(&self) -> bool {
                true $(&& self.$field.is_none())* && self.history_added.is_none()
            }
        }
    };
}

// Not here, because only the page writes them: `imported`, `pinned`, `demo`, `compare_when_done`, and the
// controls the commands carry (`alignment_layer`; `one_batch` and `pause_at` are also cleared by the loop).
state_patch! {
    running: bool,
    history: Vec<bpfree::train::EpochMetrics>,
    finished: bool,
    map: Option<bpfree::train::DecisionMap>,
    points: Vec<[f32; 3]>,
    plane: Option<[f32; 4]>,
    device: Option<String>,
    backend: Option<String>,
    diverged: bool,
    seconds: f64,
    steps: u64,
    progress: f64,
    one_batch: bool,
    confusion: Vec<u32>,
    pause_at: Option<usize>,
    parameters: usize,
    memory: Option<MemoryStats>,
    error: Option<String>,
    loading: Option<String>,
    image: bool,
    gallery: Option<super::Gallery>,
    loss_names: Vec<String>,
    ccl: Option<bpfree::train::CclViews>,
    noprop: Option<bpfree::train::NoPropViews>,
    reconstructs: bool,
    reconstructions: Option<super::Gallery>,
    graph: Option<super::GraphPicture>,
    depths: Vec<bpfree::train::DepthResult>,
}

/// A field that is there is `Some`, even when its value is `null`: `Some(None)` (a field cleared) must not read
/// back as `None` (a field unchanged), which is what serde makes of a `null` for an `Option<Option<_>>`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `Vec<u8>` as serde bytes: a `Uint8Array` through serde-wasm-bindgen instead of an array of numbers.
mod bytes {
    use serde::de::{Deserializer, Error, SeqAccess, Visitor};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    struct Bytes;

    impl<'de> Visitor<'de> for Bytes {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("bytes")
        }

        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(b) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_byte_buf(Bytes)
    }
}

/// A message in its wire form (a JS value), and back; a message that does not parse is named.
pub fn to_js<T: Serialize>(message: &T) -> Result<wasm_bindgen::JsValue, String> {
    // maps as plain objects, so the page's and the worker's messages read as JSON in the devtools
    // and `None` as `null` (not `undefined`), so that a cleared field is there to read
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true).serialize_missing_as_null(true);
    message.serialize(&serializer).map_err(|e| format!("a message could not be written: {e}"))
}

/// The message in `value`.
pub fn from_js<T: serde::de::DeserializeOwned>(value: wasm_bindgen::JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| format!("a message could not be read: {e}"))
}
