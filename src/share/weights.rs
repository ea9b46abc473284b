//! Model weights as a safetensors file (the format PyTorch, NumPy and JAX load with Hugging Face's `safetensors`
//! package): one `F32` tensor per entry of the model's state, shaped `[rows, cols]` as bpfree stores it, plus `F64`
//! vectors for host state; the metadata names the format, the algorithm and the link of the run that made them.
//! Tensor names and shapes per algorithm: docs/weights.md.

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::train::{NamedTensor, Weights};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

/// `format` in a weights file's metadata.
pub const WEIGHTS_FORMAT: &str = "bpfree-weights";
/// Largest weights file bpfree reads (the page's model-size cap is 1 GiB).
pub const MAX_WEIGHTS_BYTES: usize = 1 << 30;

fn bad(detail: impl Into<String>) -> Error {
    Error::invalid("weights file", detail)
}

/// The safetensors bytes of `w`, made by the run `cfg`.
pub fn to_safetensors(w: &Weights, cfg: &RunConfig) -> Result<Vec<u8>> {
    let bytes_f32 = |d: &[f32]| d.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
    let bytes_f64 = |d: &[f64]| d.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
    let owned: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = w
        .tensors
        .iter()
        .map(|t| (t.name.clone(), Dtype::F32, t.shape.to_vec(), bytes_f32(&t.data)))
        .chain(w.host.iter().map(|(n, v)| (n.clone(), Dtype::F64, vec![v.len()], bytes_f64(v))))
        .collect();
    let mut views = Vec::with_capacity(owned.len());
    for (name, dtype, shape, data) in &owned {
        let view = TensorView::new(*dtype, shape.clone(), data).map_err(|e| bad(format!("`{name}`: {e}")))?;
        views.push((name.as_str(), view));
    }
    let metadata: HashMap<String, String> = [
        ("format", WEIGHTS_FORMAT.to_string()),
        ("version", "1".to_string()),
        ("algorithm", cfg.algorithm.clone()),
        ("dataset", cfg.dataset.clone()),
        ("link", format!("?{}", super::encode(cfg))),
        ("bpfree", env!("CARGO_PKG_VERSION").to_string()),
        ("layout", "bpfree [rows, cols]: a linear layer's weight is in x out (PyTorch's transposed)".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    safetensors::tensor::serialize(views, Some(metadata)).map_err(|e| bad(e.to_string()))
}

/// A weights file read back: the weights, and the link of the run that made them (if the file says).
#[derive(Clone, Debug)]
pub struct WeightsFile {
    /// The state, in the file's order.
    pub weights: Weights,
    /// `link` from the metadata.
    pub link: Option<String>,
}

/// Reads safetensors `bytes`: every tensor must be `F32` with two dimensions, or `F64` with one (host state).
pub fn from_safetensors(bytes: &[u8]) -> Result<WeightsFile> {
    if bytes.len() > MAX_WEIGHTS_BYTES {
        return Err(bad(format!("{} bytes; the limit is {} MiB", bytes.len(), MAX_WEIGHTS_BYTES >> 20)));
    }
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| bad(format!("not a safetensors file: {e}")))?;
    let file = SafeTensors::deserialize(bytes).map_err(|e| bad(format!("not a safetensors file: {e}")))?;
    let meta = header.metadata().clone().unwrap_or_default();
    if let Some(format) = meta.get("format") {
        if format != WEIGHTS_FORMAT {
            return Err(bad(format!("its metadata says format `{format}`, not `{WEIGHTS_FORMAT}`")));
        }
    }
    let mut names: Vec<(usize, String)> =
        file.names().into_iter().map(|n| (header.info(n).map_or(0, |i| i.data_offsets.0), n.to_string())).collect();
    names.sort(); // the file's order (the safetensors crate writes tensors sorted by dtype, then name)
    let mut weights = Weights::default();
    for (_, name) in names {
        let view = file.tensor(&name).map_err(|e| bad(format!("`{name}`: {e}")))?;
        let shape = view.shape().to_vec();
        match (view.dtype(), shape.as_slice()) {
            (Dtype::F32, &[rows, cols]) => {
                let data = view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
                weights.tensors.push(NamedTensor { name, shape: [rows, cols], data });
            }
            (Dtype::F64, &[_]) => {
                let data = view
                    .data()
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                    .collect();
                weights.host.push((name, data));
            }
            (dtype, _) => {
                return Err(bad(format!(
                    "`{name}` is {dtype:?} with shape {shape:?}; bpfree reads F32 matrices (and F64 vectors)"
                )))
            }
        }
    }
    Ok(WeightsFile { weights, link: meta.get("link").cloned() })
}
