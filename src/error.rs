//! The crate's one error type. Library code returns [`Result`]; the page shows the message, the CLI prints it.

use thiserror::Error;

/// Everything that can go wrong in bpfree, grouped by where it happens.
#[derive(Debug, Error)]
pub enum Error {
    // === Shape errors ===
    /// Operands whose shapes do not fit the operation.
    #[error("{op}: shape mismatch: {detail}")]
    Shape { op: &'static str, detail: String },

    // === Device errors ===
    /// Two tensors on different devices met in one operation.
    #[error("{op}: tensors live on different devices (CPU and GPU)")]
    DeviceMismatch { op: &'static str },
    /// No WebGPU / Vulkan adapter could be opened.
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    /// The adapter refused a request (device creation, buffer map, validation).
    #[error("GPU error: {0}")]
    Gpu(String),
    /// A tensor larger than the adapter allows in one buffer.
    #[error("{op}: tensor of {bytes} bytes exceeds the adapter's limit of {limit} bytes per buffer")]
    TooLarge { op: &'static str, bytes: u64, limit: u64 },

    // === Data and configuration errors ===
    /// A dataset name that is not registered.
    #[error("unknown dataset `{0}` (known: {1})")]
    UnknownDataset(String, String),
    /// An algorithm name that is not registered.
    #[error("unknown algorithm `{0}` (known: {1})")]
    UnknownAlgorithm(String, String),
    /// A malformed option, command-line flag or share link.
    #[error("invalid {what}: {detail}")]
    Invalid { what: &'static str, detail: String },
    /// A run whose loss stopped being a number.
    #[error("{0}")]
    Diverged(String),
    /// A data file that could not be read or is malformed.
    #[error("data file {path}: {detail}")]
    Data { path: String, detail: String },
}

/// `Result` with the crate's [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::Shape`].
    pub fn shape(op: &'static str, detail: impl Into<String>) -> Self {
        Error::Shape { op, detail: detail.into() }
    }

    /// Shorthand for [`Error::Invalid`].
    pub fn invalid(what: &'static str, detail: impl Into<String>) -> Self {
        Error::Invalid { what, detail: detail.into() }
    }
}
