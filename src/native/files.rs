//! The files `bpfree train` reads and writes besides data: `--weights` / `--save-weights` (safetensors) and
//! `--results` (the sealed JSON and its CSV).

use crate::error::{Error, Result};
use std::path::PathBuf;

/// Reads `--weights` (before anything trains) and checks that `--save-weights` can be written.
pub(super) fn weights_io((load, save): (Option<PathBuf>, Option<PathBuf>)) -> Result<super::runs::WeightsIo> {
    let load = match load {
        Some(path) => {
            let bytes = std::fs::read(&path)
                .map_err(|e| Error::invalid("--weights", format!("cannot read {}: {e}", path.display())))?;
            let file = crate::share::weights::from_safetensors(&bytes)
                .map_err(|e| Error::invalid("--weights", format!("{}: {e}", path.display())))?;
            Some((path.display().to_string(), file.weights))
        }
        None => None,
    };
    if let Some(path) = &save {
        std::fs::write(path, b"")
            .map_err(|e| Error::invalid("--save-weights", format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(super::runs::WeightsIo { load, save })
}

/// Writes the results document to `path` and its curves as CSV beside it (`run.json` → `run.csv`).
pub(super) fn write_results(path: &std::path::Path, doc: &serde_json::Value) -> Result<()> {
    let fail = |p: &std::path::Path, e: std::io::Error| {
        Error::invalid("--results", format!("cannot write {}: {e}", p.display()))
    };
    let text = serde_json::to_string_pretty(doc).map_err(|e| Error::invalid("--results", e.to_string()))?;
    std::fs::write(path, text + "\n").map_err(|e| fail(path, e))?;
    let csv = path.with_extension("csv");
    std::fs::write(&csv, crate::share::results::curves_csv(doc)).map_err(|e| fail(&csv, e))?;
    eprintln!("results: {} and {}", path.display(), csv.display());
    Ok(())
}
