//! Share links: a [`RunConfig`] as a readable URL query string (`?dataset=moons&seed=3&lr=0.03`), defaults
//! omitted, and back. A broken link is an error the page shows, never a panic; unknown keys are rejected so
//! a typo does not silently run something else.

use crate::algorithms::noprop::{embedding_name, parse_embedding};
use crate::config::{Architecture, RunConfig, Selection, CONFIG_VERSION};
use crate::error::{Error, Result};
use crate::nn::{GnnKind, OptimizerConfig};
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

/// Parses a query string (with or without the leading `?`) into a config; missing keys take their defaults.
pub fn decode(query: &str) -> Result<RunConfig> {
    let query = query.trim_start_matches('?');
    // The algorithm and dataset choose the defaults the other keys override.
    let find = |k: &str| {
        query.split('&').find_map(|p| p.split_once('=').filter(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
    };
    let base = RunConfig::default();
    // `model` is an architecture (mlp, cnn, autoencoder) or, on graphs, a layer kind (gcn, sage, gat).
    let arch = find("model").and_then(|m| Architecture::parse(&m).ok()).unwrap_or_default();
    let mut cfg = crate::algorithms::preset_for(
        &find("algo").unwrap_or(base.algorithm.clone()),
        &find("dataset").unwrap_or(base.dataset.clone()),
        arch,
    );
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) =
            pair.split_once('=').ok_or_else(|| Error::invalid("link", format!("`{pair}` is not key=value")))?;
        let bad = |what: &str| Error::invalid("link", format!("{key}=`{value}` is not {what}"));
        match key {
            "v" => {
                let v: u32 = value.parse().map_err(|_| bad("a version number"))?;
                if v > CONFIG_VERSION {
                    return Err(Error::invalid(
                        "link",
                        format!("made by a newer bpfree (format {v}, this page reads {CONFIG_VERSION})"),
                    ));
                }
            }
            "dataset" => cfg.dataset = value.to_string(),
            "algo" => cfg.algorithm = value.to_string(),
            "seed" => cfg.seed = value.parse().map_err(|_| bad("a whole number"))?,
            "backend" => cfg.backend = BackendChoice::parse(value)?,
            "epochs" => cfg.epochs = value.parse().map_err(|_| bad("a whole number"))?,
            "batch" => cfg.batch_size = value.parse().ok().filter(|&b| b > 0).ok_or_else(|| bad("a batch size"))?,
            "lr" => {
                let lr: f32 = value
                    .parse()
                    .ok()
                    .filter(|v: &f32| v.is_finite() && *v > 0.0)
                    .ok_or_else(|| bad("a learning rate"))?;
                cfg.optimizer = match cfg.optimizer {
                    OptimizerConfig::Adam { beta1, beta2, eps, weight_decay, decoupled, .. } => {
                        OptimizerConfig::Adam { lr, beta1, beta2, eps, weight_decay, decoupled }
                    }
                    OptimizerConfig::Sgd { momentum, weight_decay, .. } => {
                        OptimizerConfig::Sgd { lr, momentum, weight_decay }
                    }
                };
            }
            "hidden" => {
                cfg.model.hidden = value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<usize>().ok().filter(|&w| (1..=1024).contains(&w)))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| bad("a list of layer widths (1..=1024)"))?;
            }
            "act" => {
                cfg.model.activation = match value {
                    "identity" => Activation::Identity,
                    "relu" => Activation::Relu,
                    "tanh" => Activation::Tanh,
                    "sigmoid" => Activation::Sigmoid,
                    "elu" => Activation::Elu,
                    "gelu" => Activation::Gelu,
                    "square" => Activation::Square,
                    _ => return Err(bad("relu, tanh, sigmoid, elu, gelu or identity")),
                }
            }
            "points" => cfg.data.points = value.parse().map_err(|_| bad("a whole number"))?,
            "noise" => cfg.data.noise = value.parse().map_err(|_| bad("a number"))?,
            "model" => match GnnKind::parse(value) {
                Ok(kind) => cfg.graph.model = kind,
                Err(_) => cfg.arch = Architecture::parse(value)?,
            },
            "layers" => {
                cfg.graph.layers =
                    value.parse().ok().filter(|l| (1..=8).contains(l)).ok_or_else(|| bad("a depth from 1 to 8"))?
            }
            "fold" => {
                cfg.graph.fold = value.parse().ok().filter(|f| *f < 10).ok_or_else(|| bad("a fold from 0 to 9"))?
            }
            "clip" => {
                cfg.grad_clip = value
                    .parse()
                    .ok()
                    .filter(|c: &f32| c.is_finite() && *c >= 0.0)
                    .ok_or_else(|| bad("a clip norm"))?;
                cfg.ccl.feedback_clip = cfg.grad_clip;
            }
            "fblr" => {
                cfg.ccl.feedback_lr = value
                    .parse()
                    .ok()
                    .filter(|v: &f32| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| bad("a learning rate"))?
            }
            "limit" => cfg.train_limit = value.parse().map_err(|_| bad("a whole number"))?,
            "select" => cfg.selection = Selection::parse(value).map_err(|_| bad("val-loss or val-accuracy"))?,
            "embed" => cfg.noprop.embedding = parse_embedding(value)?,
            "width" => {
                cfg.noprop.width = value
                    .parse()
                    .ok()
                    .filter(|w: &f32| *w > 0.0 && *w <= 4.0)
                    .ok_or_else(|| bad("a width multiplier in (0, 4]"))?
            }
            "blocks" => {
                cfg.noprop.blocks =
                    value.parse().ok().filter(|b| (1..=50).contains(b)).ok_or_else(|| bad("1 to 50 blocks"))?
            }
            "steps" => {
                cfg.noprop.inference_steps = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| bad("1 to 10,000 sampler steps"))?
            }
            _ => return Err(Error::invalid("link", format!("unknown key `{key}`"))),
        }
    }
    let kind = crate::data::dataset_info(&cfg.dataset)?.kind;
    if !crate::algorithms::algorithm_info(&cfg.algorithm)?.supports(kind) {
        return Err(Error::invalid("link", format!("{} does not train on {}", cfg.algorithm, cfg.dataset)));
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

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
