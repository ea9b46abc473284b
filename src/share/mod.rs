//! Share links: a [`RunConfig`] as a readable URL query string (`?dataset=moons&seed=3&lr=0.03`), defaults
//! omitted, and back. Links travel through slides, chat and e-mail: [`read`] %-decodes them, ignores keys it does
//! not know (tracking tags) and keeps the preset's value for a bad one, naming both; never a panic.

pub mod classroom;
pub mod gallery;
mod keys;
pub mod results;
pub mod weights;

use crate::algorithms::noprop::embedding_name;
use crate::algorithms::{algorithm_info, backprop_baseline, fallback, Task};
use crate::config::{Architecture, RunConfig, CONFIG_VERSION};
use crate::data::DatasetKind;
use crate::error::{Error, Result};
use crate::tensor::{Activation, BackendChoice};

fn activation_name(a: Activation) -> &'static str {
    match a {
        Activation::Identity => "identity",
        Activation::Relu => "relu",
        Activation::Tanh => "tanh",
        Activation::Sigmoid => "sigmoid",
        Activation::Elu => "elu",
        Activation::Gelu => "gelu",
        Activation::Square => "square",
    }
}

fn backend_name(b: BackendChoice) -> &'static str {
    match b {
        BackendChoice::Auto => "auto",
        BackendChoice::Cpu => "cpu",
        BackendChoice::Gpu => "gpu",
    }
}

/// The query string (without `?`) that [`decode`] turns back into `cfg`; fields at the default of the run's
/// algorithm and dataset ([`crate::algorithms::preset_for`]) are left out.
pub fn encode(cfg: &RunConfig) -> String {
    let base = RunConfig::default();
    let d = crate::algorithms::preset_for(&cfg.algorithm, &cfg.dataset, cfg.arch);
    let mut parts = vec![format!("v={CONFIG_VERSION}")];
    let mut put = |key: &str, value: String, default: String| {
        if value != default {
            parts.push(format!("{key}={value}"));
        }
    };
    put("dataset", cfg.dataset.clone(), base.dataset.clone());
    put("algo", cfg.algorithm.clone(), base.algorithm.clone());
    let graph = crate::data::dataset_info(&cfg.dataset).map(|d| d.kind == crate::data::DatasetKind::Graph);
    if graph.unwrap_or(false) {
        put("model", cfg.graph.model.name().into(), d.graph.model.name().into());
        put("layers", cfg.graph.layers.to_string(), d.graph.layers.to_string());
        put("fold", cfg.graph.fold.to_string(), d.graph.fold.to_string());
        put(
            "task",
            if cfg.graph.link { "link" } else { "node" }.into(),
            if d.graph.link { "link" } else { "node" }.into(),
        );
    } else {
        put("model", cfg.arch.name().into(), base.arch.name().into());
    }
    put("seed", cfg.seed.to_string(), d.seed.to_string());
    put("backend", backend_name(cfg.backend).into(), backend_name(d.backend).into());
    put("epochs", cfg.epochs.to_string(), d.epochs.to_string());
    put("batch", cfg.batch_size.to_string(), d.batch_size.to_string());
    put("lr", cfg.optimizer.lr().to_string(), d.optimizer.lr().to_string());
    let hidden = |h: &[usize]| h.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    put("hidden", hidden(&cfg.model.hidden), hidden(&d.model.hidden));
    put("act", activation_name(cfg.model.activation).into(), activation_name(d.model.activation).into());
    put("points", cfg.data.points.to_string(), d.data.points.to_string());
    put("noise", cfg.data.noise.to_string(), d.data.noise.to_string());
    put("drawn", keys::drawn_value(&cfg.data.drawn), keys::drawn_value(&d.data.drawn));
    put("clip", cfg.grad_clip.to_string(), d.grad_clip.to_string());
    put("fblr", cfg.ccl.feedback_lr.to_string(), d.ccl.feedback_lr.to_string());
    put("limit", cfg.train_limit.to_string(), d.train_limit.to_string());
    put("select", cfg.selection.name().into(), d.selection.name().into());
    if cfg.arch == Architecture::NoProp {
        let (n, e) = (&cfg.noprop, &d.noprop);
        put("embed", embedding_name(n.embedding).into(), embedding_name(e.embedding).into());
        put("width", n.width.to_string(), e.width.to_string());
        put("blocks", n.blocks.to_string(), e.blocks.to_string());
        put("steps", n.inference_steps.to_string(), e.inference_steps.to_string());
    }
    parts.join("&")
}

/// A share link read leniently: the run it holds, and what was wrong with it.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRead {
    /// The settings (a bad or missing key keeps the preset's value).
    pub config: RunConfig,
    /// One sentence per key that was ignored: unknown keys (tracking tags such as `utm_source`), bad values.
    pub notes: Vec<String>,
}

/// The query of `link`: everything after the first `?` (or the whole text when there is none), without a `#...`
/// fragment.
pub(crate) fn query_of(link: &str) -> &str {
    let link = link.trim();
    let query = link.split_once('?').map_or(link, |(_, q)| q);
    query.split_once('#').map_or(query, |(q, _)| q)
}

/// Reads a link (a whole URL or its query, with or without `?`): values are %-decoded; the algorithm, dataset and
/// model pick the preset the other keys change; a key this version does not know (a tracking tag) is ignored, and
/// a value that is bad or makes the run invalid ([`RunConfig::validate`]) keeps the preset's value — both named in
/// [`LinkRead::notes`]. Only a link of a newer format is refused as a whole.
pub fn read(link: &str) -> Result<LinkRead> {
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(query_of(link).as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let find = |k: &str| pairs.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    if let Some(v) = find("v").and_then(|v| v.parse::<u32>().ok()).filter(|&v| v > CONFIG_VERSION) {
        return Err(Error::invalid(
            "link",
            format!(
                "made by a newer bpfree (format {v}, this one reads {CONFIG_VERSION}): open it with a newer version"
            ),
        ));
    }
    let mut notes = Vec::new();
    let base = RunConfig::default();
    let dataset = match find("dataset") {
        Some(d) if crate::data::dataset_info(d).is_ok() => d.to_string(),
        Some(d) => {
            notes.push(format!("dataset=`{d}` is not a dataset bpfree knows; {} is loaded instead", base.dataset));
            base.dataset.clone()
        }
        None => base.dataset.clone(),
    };
    let kind = crate::data::dataset_info(&dataset)?.kind;
    // `model` is an architecture (mlp, cnn, autoencoder, noprop) or, on graphs, a layer kind (gcn, sage, gat).
    let arch = find("model").and_then(|m| Architecture::parse(m).ok()).unwrap_or_default();
    let link_task = find("task") == Some("link") || find("algo").is_some_and(|a| a.starts_with("forwardgnn-lp-"));
    let algorithm = match find("algo").map(|a| (a, algorithm_info(a))) {
        Some((_, Ok(a))) if a.supports(kind) => a.id,
        Some((a, found)) => {
            let instead = fallback(Task::of(kind, link_task), arch).id;
            let why = if found.is_ok() {
                format!("does not train on {dataset}")
            } else {
                "is not an algorithm bpfree knows".into()
            };
            notes.push(format!("algo=`{a}` {why}; {instead} is loaded instead"));
            instead
        }
        None => backprop_baseline().id, // links leave the default algorithm out
    };
    let mut cfg = crate::algorithms::preset_for(algorithm, &dataset, arch);
    let mut unknown = Vec::new();
    for (key, value) in &pairs {
        if matches!(key.as_str(), "v" | "dataset" | "algo") {
            continue; // read above
        }
        let mut trial = cfg.clone();
        match keys::set(&mut trial, key, value).and_then(|known| trial.validate().map(|()| known)) {
            Ok(true) => cfg = trial,
            Ok(false) => unknown.push(format!("`{key}`")),
            Err(e) => notes.push(format!("{e}; the preset's value is kept")),
        }
    }
    if kind == DatasetKind::Graph
        && !algorithm_info(&cfg.algorithm).is_ok_and(|a| a.does(Task::of(kind, cfg.graph.link)))
    {
        cfg.graph.link = !cfg.graph.link;
        notes.push(format!("{} does not do that task; its own is kept", cfg.algorithm));
    }
    if !unknown.is_empty() {
        notes.push(format!(
            "ignored {} this version does not know: {}",
            plural(unknown.len(), "key"),
            unknown.join(", ")
        ));
    }
    cfg.validate()?;
    Ok(LinkRead { config: cfg, notes })
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("a {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Reads a link strictly: like [`read`], but any note is an error (tests, and places where nothing may be
/// silently dropped).
pub fn decode(link: &str) -> Result<RunConfig> {
    let read = read(link)?;
    match read.notes.first() {
        None => Ok(read.config),
        Some(note) => Err(Error::invalid("link", note.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Selection;
    use crate::nn::{GnnKind, OptimizerConfig};

    #[test]
    fn noprop_links_round_trip() {
        let mut cfg = crate::algorithms::preset("noprop-fm", "fashion-mnist");
        cfg.noprop.embedding = crate::config::EmbeddingKind::Prototype;
        cfg.noprop.width = 0.25;
        cfg.noprop.inference_steps = 100;
        cfg.train_limit = 10_000;
        let link = encode(&cfg);
        assert!(
            link.contains("embed=prototype") && link.contains("width=0.25") && link.contains("steps=100"),
            "{link}"
        );
        assert_eq!(decode(&link).unwrap(), cfg);
        let bp = crate::algorithms::preset_for("backprop", "mnist", Architecture::NoProp);
        assert_eq!(decode(&encode(&bp)).unwrap(), bp);
        assert!(decode("dataset=mnist&algo=noprop-dt&width=0").is_err());
        assert!(decode("dataset=mnist&algo=noprop-dt&embed=nope").is_err());
        assert!(decode("dataset=karate&algo=noprop-dt").is_err(), "NoProp trains on images");
    }

    #[test]
    fn graph_links_round_trip() {
        let mut cfg = crate::algorithms::preset("forwardgnn-sf-top-input", "cora-ml");
        cfg.graph.model = GnnKind::Gat;
        cfg.graph.layers = 3;
        cfg.graph.fold = 2;
        let link = encode(&cfg);
        assert_eq!(
            link,
            format!("v={CONFIG_VERSION}&dataset=cora-ml&algo=forwardgnn-sf-top-input&model=gat&layers=3&fold=2")
        );
        assert_eq!(decode(&link).unwrap(), cfg);
        assert!(decode("dataset=cora-ml&algo=ccl").is_err(), "CCL does not train on graphs");
        assert!(decode("dataset=mnist&algo=forwardgnn-sf").is_err());
        assert!(decode("dataset=karate&algo=forwardgnn-sf&layers=0").is_err());
    }

    #[test]
    fn default_is_short() {
        assert_eq!(encode(&RunConfig::default()), format!("v={CONFIG_VERSION}"));
    }

    #[test]
    fn round_trip() {
        let mut cfg = RunConfig {
            seed: 42,
            dataset: "spiral".into(),
            batch_size: 10,
            backend: BackendChoice::Cpu,
            ..Default::default()
        };
        cfg.optimizer = OptimizerConfig::adam(0.03);
        cfg.model.hidden = vec![8, 8, 8];
        cfg.model.activation = Activation::Tanh;
        cfg.data.noise = 0.25;
        assert_eq!(decode(&format!("?{}", encode(&cfg))).unwrap(), cfg);
    }

    #[test]
    fn links_are_relative_to_the_papers_presets() {
        let cfg = crate::algorithms::preset("ccl", "mnist");
        assert_eq!(encode(&cfg), format!("v={CONFIG_VERSION}&dataset=mnist&algo=ccl"));
        assert_eq!(decode(&encode(&cfg)).unwrap(), cfg);
        let mut small = cfg.clone();
        small.model.hidden = vec![32, 32];
        small.train_limit = 2000;
        small.grad_clip = 0.5;
        small.ccl.feedback_clip = 0.5;
        assert_eq!(decode(&encode(&small)).unwrap(), small);
        // The order of keys does not matter: the preset comes from algo and dataset wherever they are.
        assert_eq!(decode("hidden=32,32&limit=2000&clip=0.5&dataset=mnist&algo=ccl").unwrap(), small);
    }

    #[test]
    fn the_selection_rule_travels_with_the_link() {
        // Backprop on images reports its best-validation-accuracy epoch (the CCL paper's rule), CCL its
        // lowest-validation-loss epoch (its code's); either can be overridden.
        let bp = crate::algorithms::preset("backprop", "fashion-mnist");
        assert_eq!(bp.selection, Selection::ValAccuracy);
        assert_eq!(crate::algorithms::preset("ccl", "fashion-mnist").selection, Selection::ValLoss);
        assert!(!encode(&bp).contains("select"));
        let mut by_loss = bp.clone();
        by_loss.selection = Selection::ValLoss;
        assert!(encode(&by_loss).contains("select=val-loss"));
        assert_eq!(decode(&encode(&by_loss)).unwrap(), by_loss);
        assert!(decode("dataset=mnist&select=best").is_err());
    }

    #[test]
    fn broken_links_are_errors() {
        for q in [
            "seed=abc",
            "dataset=nope",
            "lr=-1",
            "hidden=4,x",
            "act=swish",
            "zzz=1",
            "noequals",
            "v=999",
            "batch=0",
            "algo=magic",
            "model=transformer",
            "clip=-1",
            "select=val-f1",
        ] {
            assert!(decode(q).is_err(), "{q} should be rejected");
        }
    }
}
