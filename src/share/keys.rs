//! The keys of a share link, one arm each: [`set`] applies `key=value` to a config, or says the value is bad (the
//! config is then unchanged) or the key unknown.

use crate::algorithms::noprop::parse_embedding;
use crate::config::{Architecture, RunConfig, Selection, CONFIG_VERSION};
use crate::error::{Error, Result};
use crate::nn::{GnnKind, OptimizerConfig};
use crate::tensor::{Activation, BackendChoice};

/// Applies `key=value` to `cfg`: `Ok(true)` when applied, `Ok(false)` for a key this version does not know, and
/// an error naming the key and what it takes for a bad value (`cfg` is then unchanged).
pub(super) fn set(cfg: &mut RunConfig, key: &str, value: &str) -> Result<bool> {
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
            let lr: f32 =
                value.parse().ok().filter(|v: &f32| v.is_finite() && *v > 0.0).ok_or_else(|| bad("a learning rate"))?;
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
        "drawn" => {
            let drawn = parse_drawn(value).ok_or_else(|| bad("a list of x:y:class points (class 0 or 1)"))?;
            crate::data::check_drawn(&drawn)?;
            cfg.data.drawn = drawn;
        }
        "model" => match GnnKind::parse(value) {
            Ok(kind) => cfg.graph.model = kind,
            Err(_) => cfg.arch = Architecture::parse(value)?,
        },
        "layers" => {
            cfg.graph.layers =
                value.parse().ok().filter(|l| (1..=8).contains(l)).ok_or_else(|| bad("a depth from 1 to 8"))?
        }
        // the page's classroom keys (`super::classroom`); read there, not settings of the run
        // `embed=1`/`0` is the compact page; any other `embed=` value is NoProp's label embedding (below)
        "hide" | "lock" | "allow" => {}
        "embed" if matches!(value, "0" | "1") => {}
        "goal" => {
            super::classroom::Goal::parse(value)?;
        }
        // the page starts training on open / compares the run with its counterpart when it stops (`compare=1`);
        // not settings of the run
        "autostart" | "compare" => {
            if !matches!(value, "0" | "1") {
                return Err(bad("0 or 1"));
            }
        }
        "task" => {
            cfg.graph.link = match value {
                "link" => true,
                "node" => false,
                _ => return Err(bad("node or link")),
            }
        }
        "fold" => cfg.graph.fold = value.parse().ok().filter(|f| *f < 10).ok_or_else(|| bad("a fold from 0 to 9"))?,
        "clip" => {
            cfg.grad_clip =
                value.parse().ok().filter(|c: &f32| c.is_finite() && *c >= 0.0).ok_or_else(|| bad("a clip norm"))?;
            cfg.ccl.feedback_clip = cfg.grad_clip;
        }
        "fblr" => {
            cfg.ccl.feedback_lr =
                value.parse().ok().filter(|v: &f32| v.is_finite() && *v >= 0.0).ok_or_else(|| bad("a learning rate"))?
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
        _ => return Ok(false),
    }
    Ok(true)
}

/// `0.5:-1:1,0.25:0.3:0` → `[[0.5, -1, 1], [0.25, 0.3, 0]]` (`None` when any part is not a number).
fn parse_drawn(value: &str) -> Option<Vec<[f32; 3]>> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|p| {
            let mut it = p.split(':').map(|v| v.parse::<f32>().ok());
            let point = [it.next()??, it.next()??, it.next()??];
            it.next().is_none().then_some(point)
        })
        .collect()
}

/// The `drawn=` value of `points` (the inverse of the parser: f32's shortest round-trip text).
pub(super) fn drawn_value(points: &[[f32; 3]]) -> String {
    points.iter().map(|[x, y, c]| format!("{x}:{y}:{c}")).collect::<Vec<_>>().join(",")
}
