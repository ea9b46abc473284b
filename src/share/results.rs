//! Hand-in files: a run's results as one JSON document (the link, the full config, every epoch's metrics, the
//! selected result, where it ran) sealed with a SHA-256, and its curves as CSV. The page's "Export results" and
//! `bpfree train --results FILE` write the same document; the page's "Import results" and [`read_results`] check
//! it. Format and fields: docs/hand-in.md.
//!
//! The seal is the SHA-256 of the document without its `sha256` field, written canonically (object keys sorted,
//! no spaces, a float as `f` and the 16 hex digits of its bits; docs/hand-in.md has it in Python), so it holds
//! whatever key order, whitespace or number formatting a viewer saves the file with, and breaks when any value
//! changes. It proves the file was not edited after export; it is
//! not a signature (anyone can recompute it), which is why the import also offers to rerun the link.

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::train::{select_epoch, DepthResult, EpochMetrics};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The `format` field of a results file.
pub const RESULTS_FORMAT: &str = "bpfree-results";
/// The version of the results format this build writes and reads.
pub const RESULTS_VERSION: u64 = 1;
/// Largest results file [`read_results`] accepts (a 100,000-epoch run is well under it).
pub const MAX_RESULTS_BYTES: usize = 32 << 20;

/// Where a run ran, as the results file records it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environment {
    /// `cpu` or `gpu`.
    pub backend: String,
    /// The device as the page or the CLI describes it (adapter name, software or not).
    pub device: String,
    /// The browser's user agent, or `bpfree CLI on <os>/<arch>`.
    pub client: String,
}

/// The names of the CSV's and the JSON's per-epoch columns, before the algorithm's local losses.
pub const COLUMNS: [&str; 9] = [
    "epoch",
    "steps",
    "train_loss",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
    "test_loss",
    "test_accuracy",
    "seconds",
];

/// `v` as the JSON number its shortest decimal form reads (`0.1`, not `0.10000000149011612`); converting the
/// number back to `f32` gives `v` exactly. `null` if `v` is not finite.
fn num(v: f32) -> Value {
    if v.is_finite() {
        format!("{v}").parse::<f64>().map_or(Value::Null, |x| json!(x))
    } else {
        Value::Null
    }
}

/// One epoch as a JSON object (`null` for what the run does not measure, or a value that is not a number).
fn epoch_json(m: &EpochMetrics, loss_names: &[String], seconds: Option<f64>) -> Value {
    let local: Map<String, Value> = loss_names.iter().zip(&m.local_losses).map(|(n, &v)| (n.clone(), num(v))).collect();
    json!({
        "epoch": m.epoch, "steps": m.steps, "train_loss": num(m.train_loss),
        "train_accuracy": num(m.train_accuracy), "val_loss": m.val_loss.map_or(Value::Null, num),
        "val_accuracy": m.val_accuracy.map_or(Value::Null, num), "test_loss": num(m.test_loss),
        "test_accuracy": num(m.test_accuracy), "seconds": seconds, "local_losses": local,
    })
}

/// The selected result: the epoch `cfg.selection` picks (images, 2-D sets), or the per-depth results of a graph
/// run (each depth's restored best checkpoint).
pub fn selected_json(cfg: &RunConfig, history: &[EpochMetrics], depths: &[DepthResult]) -> Value {
    if !depths.is_empty() {
        let rows: Vec<Value> = depths
            .iter()
            .map(|d| {
                json!({"layers": d.layers, "val_accuracy": d.val_accuracy, "test_accuracy": d.test_accuracy,
                       "epochs": d.epochs, "best_epoch": d.best_epoch})
            })
            .collect();
        return json!({"rule": "best validation epoch per depth", "depths": rows});
    }
    match select_epoch(history, cfg.selection) {
        Some(m) => json!({"rule": cfg.selection.name(), "epoch": m.epoch, "test_accuracy": num(m.test_accuracy),
                          "test_loss": num(m.test_loss), "val_loss": m.val_loss.map_or(Value::Null, num),
                          "val_accuracy": m.val_accuracy.map_or(Value::Null, num)}),
        None => Value::Null,
    }
}

/// The results document of a run, sealed. `seconds[i]` is the wall time at the end of epoch `i` where known.
pub fn results_json(
    cfg: &RunConfig,
    history: &[EpochMetrics],
    loss_names: &[String],
    seconds: &[f64],
    selected: Value,
    env: &Environment,
) -> Value {
    let epochs: Vec<Value> =
        history.iter().enumerate().map(|(i, m)| epoch_json(m, loss_names, seconds.get(i).copied())).collect();
    let mut doc = json!({
        "format": RESULTS_FORMAT,
        "version": RESULTS_VERSION,
        "link": format!("?{}", super::encode(cfg)),
        "config": config_json(cfg),
        "loss_names": loss_names,
        "epochs": epochs,
        "selected": selected,
        "environment": {"bpfree": env!("CARGO_PKG_VERSION"), "backend": env.backend, "device": env.device,
                        "client": env.client},
    });
    let seal = seal_of(&doc);
    if let Some(map) = doc.as_object_mut() {
        map.insert("sha256".into(), Value::String(seal));
    }
    doc
}

/// `cfg` as a results file holds it: through a string, so that its f32 fields read as written (`0.1`) rather
/// than widened to f64. Two configs are the same run exactly when these values are equal.
pub fn config_json(cfg: &RunConfig) -> Value {
    serde_json::to_string(cfg).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok()).unwrap_or(Value::Null)
}

/// The SHA-256 (lowercase hex) of `doc` without its `sha256` field, written canonically.
pub fn seal_of(doc: &Value) -> String {
    let mut text = String::new();
    match doc {
        Value::Object(map) => {
            let rest: Map<String, Value> =
                map.iter().filter(|(k, _)| *k != "sha256").map(|(k, v)| (k.clone(), v.clone())).collect();
            canonical(&Value::Object(rest), &mut text);
        }
        other => canonical(other, &mut text),
    }
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `v` as JSON with object keys sorted and no whitespace, whatever order the map keeps.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(value) = map.get(k) {
                    canonical(value, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        // floats as the hex of their bits, so that any language can write the same text (decimal forms differ:
        // `0.00001` here, `1e-05` in Python); integers, strings, booleans and null as JSON writes them
        Value::Number(n) if n.is_f64() => out.push_str(&format!("f{:016x}", n.as_f64().unwrap_or(0.0).to_bits())),
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The curves as CSV: a header of [`COLUMNS`] and the local losses, then one row per epoch (empty cells for what
/// was not measured).
pub fn curves_csv(doc: &Value) -> String {
    let names: Vec<String> = doc["loss_names"]
        .as_array()
        .map(|a| a.iter().filter_map(|n| n.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let quote =
        |s: &str| if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() };
    let mut out: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    out.extend(names.iter().map(|n| quote(&format!("local:{n}"))));
    let mut csv = out.join(",") + "\n";
    let cell = |v: &Value| if v.is_null() { String::new() } else { v.to_string() };
    for e in doc["epochs"].as_array().into_iter().flatten() {
        let mut row: Vec<String> = COLUMNS.iter().map(|c| cell(&e[*c])).collect();
        row.extend(names.iter().map(|n| cell(&e["local_losses"][n])));
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    csv
}

/// A results file as [`read_results`] found it.
#[derive(Clone, Debug)]
pub struct ResultsFile {
    /// The whole document.
    pub doc: Value,
    /// The seal matches the content (false: edited after export, or damaged).
    pub seal_holds: bool,
    /// The run's share link (`?dataset=…`).
    pub link: String,
    /// Per-epoch `(epoch, train_loss, test_accuracy)`, `NaN` where the file has `null`.
    pub curve: Vec<(usize, f32, f32)>,
}

/// Reads a results file: valid JSON of [`RESULTS_FORMAT`] in a version this build knows, with a link and epochs.
/// A broken seal is not an error (the file still shows, marked); anything else wrong is, naming what.
pub fn read_results(text: &str) -> Result<ResultsFile> {
    let bad = |detail: String| Error::invalid("results file", detail);
    if text.len() > MAX_RESULTS_BYTES {
        return Err(bad(format!("{} bytes; the limit is {} MiB", text.len(), MAX_RESULTS_BYTES >> 20)));
    }
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| bad(format!("not JSON: {e} (line {}, column {})", e.line(), e.column())))?;
    if doc["format"] != RESULTS_FORMAT {
        return Err(bad(format!(
            "`format` is {}, not \"{RESULTS_FORMAT}\": is this a bpfree results file?",
            doc["format"]
        )));
    }
    match doc["version"].as_u64() {
        Some(v) if v <= RESULTS_VERSION => {}
        _ => {
            return Err(bad(format!("version {} is newer than this bpfree reads ({RESULTS_VERSION})", doc["version"])))
        }
    }
    let link = doc["link"].as_str().ok_or_else(|| bad("no `link`".into()))?.to_string();
    let epochs = doc["epochs"].as_array().ok_or_else(|| bad("no `epochs` list".into()))?;
    let num = |v: &Value| v.as_f64().map_or(f32::NAN, |x| x as f32);
    let mut curve = Vec::with_capacity(epochs.len());
    for (i, e) in epochs.iter().enumerate() {
        let epoch = e["epoch"].as_u64().ok_or_else(|| bad(format!("epoch {} has no `epoch` number", i + 1)))?;
        curve.push((epoch as usize, num(&e["train_loss"]), num(&e["test_accuracy"])));
    }
    let seal_holds = doc["sha256"].as_str() == Some(seal_of(&doc).as_str());
    Ok(ResultsFile { doc, seal_holds, link, curve })
}

/// How a rerun's curve compares with a file's, epoch by epoch (both `(epoch, train_loss, test_accuracy)`).
#[derive(Clone, Debug, PartialEq)]
pub enum Replay {
    /// No epoch of the rerun yet.
    NotYet,
    /// Every epoch the file has, through epoch `through`, is bit-identical.
    Exact { through: usize },
    /// Every epoch through `through` agrees within [`REPLAY_TOLERANCE`] but not bit for bit (the page's wasm CPU
    /// path and the native one may sum in another order); `max_rel` is the largest relative loss difference.
    Close { through: usize, max_rel: f32 },
    /// Epoch `epoch` differs beyond the tolerance.
    Differs { epoch: usize, file: (f32, f32), rerun: (f32, f32) },
}

/// Relative tolerance on a loss for [`Replay::Close`]; accuracies may differ by at most half a percentage point.
pub const REPLAY_TOLERANCE: f32 = 1e-4;

/// Compares `rerun` with the file's `curve` over the epochs both have.
pub fn compare(curve: &[(usize, f32, f32)], rerun: &[(usize, f32, f32)]) -> Replay {
    let (mut through, mut exact, mut max_rel) = (None, true, 0.0f32);
    for (&(e, fl, fa), &(re, rl, ra)) in curve.iter().zip(rerun) {
        let same_bits =
            e == re && fl.to_bits() == rl.to_bits() && (fa.to_bits() == ra.to_bits() || (fa.is_nan() && ra.is_nan()));
        if !same_bits {
            let rel = (fl - rl).abs() / fl.abs().max(1e-12);
            let accuracy_ok = (fa - ra).abs() <= 0.005 || (fa.is_nan() && ra.is_nan());
            let loss_ok = rel <= REPLAY_TOLERANCE; // false for NaN
            if e != re || !loss_ok || !accuracy_ok {
                return Replay::Differs { epoch: re, file: (fl, fa), rerun: (rl, ra) };
            }
            exact = false;
            max_rel = max_rel.max(rel);
        }
        through = Some(e);
    }
    match (through, exact) {
        (None, _) => Replay::NotYet,
        (Some(through), true) => Replay::Exact { through },
        (Some(through), false) => Replay::Close { through, max_rel },
    }
}
